import JSON

/// Who may see a news column: everyone, or anyone matching one of the lists (a role, a college or department,
/// a class, a member of a group). School admins see every column; a column's editors see it too.
public struct NewsAudience: Sendable, Equatable {
    public var everyone: Bool
    public var roles: Set<SchoolRole>
    /// Org units of kind college or department; a user matches through their class's or their own unit's chain.
    public var colleges: Set<String>
    public var classes: Set<String>
    public var groups: Set<GroupID>

    public init(
        everyone: Bool = false,
        roles: Set<SchoolRole> = [],
        colleges: Set<String> = [],
        classes: Set<String> = [],
        groups: Set<GroupID> = []
    ) {
        self.everyone = everyone
        self.roles = roles
        self.colleges = colleges
        self.classes = classes
        self.groups = groups
    }

    static func decode(_ fields: inout JSONFields) throws(JSONFieldError) -> NewsAudience {
        let audience = NewsAudience(
            everyone: try fields.optionalBool("everyone") ?? false,
            roles: Set(
                try (fields.optionalStringArray("roles", maxCount: 8) ?? []).map { (raw) throws(JSONFieldError) in
                    guard let role = SchoolRole(rawValue: raw) else {
                        throw JSONFieldError(
                            code: JSONFieldError.Code.outOfRange,
                            field: fields.fieldPath("roles"),
                            message: "Field '\(fields.fieldPath("roles"))' has an unknown role '\(raw)'."
                        )
                    }
                    return role
                }
            ),
            colleges: Set(
                try fields.optionalStringArray("colleges", maxCount: 500, maxBytes: 64, nonEmpty: true) ?? []
            ),
            classes: Set(try fields.optionalStringArray("classes", maxCount: 2000, maxBytes: 64, nonEmpty: true) ?? []),
            groups: Set(
                (try fields.optionalIntArray("groups", maxCount: 500, in: 1...Int64.max) ?? []).map { GroupID($0) }
            )
        )
        try fields.rejectUnknownFields()
        guard audience.everyone || !audience.isEmpty else {
            throw JSONFieldError(
                code: JSONFieldError.Code.emptyValue,
                field: fields.fieldPath("everyone"),
                message: "The audience is empty: set everyone, or list roles, colleges, classes or groups."
            )
        }
        return audience
    }

    var isEmpty: Bool { roles.isEmpty && colleges.isEmpty && classes.isEmpty && groups.isEmpty }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("everyone")
        writer.bool(everyone)
        writer.key("roles")
        writer.beginArray()
        for role in roles.sorted() { writer.string(role.rawValue) }
        writer.endArray()
        for (key, list) in [("colleges", colleges), ("classes", classes)] {
            writer.key(key)
            writer.beginArray()
            for id in list.sorted() { writer.string(id) }
            writer.endArray()
        }
        writer.key("groups")
        writer.beginArray()
        for id in groups.sorted() { writer.int(id.rawValue) }
        writer.endArray()
        writer.endObject()
    }

    static func restore(_ value: JSONValue?) -> NewsAudience {
        NewsAudience(
            everyone: value?["everyone"]?.boolValue ?? false,
            roles: Set((value?["roles"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(SchoolRole.init) }),
            colleges: Set((value?["colleges"]?.arrayValue ?? []).compactMap(\.stringValue)),
            classes: Set((value?["classes"]?.arrayValue ?? []).compactMap(\.stringValue)),
            groups: Set((value?["groups"]?.arrayValue ?? []).compactMap { $0.int64Value.map { GroupID($0) } })
        )
    }
}
