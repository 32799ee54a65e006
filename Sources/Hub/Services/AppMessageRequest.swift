import JSON

/// The body of `POST /v1/apps/messages`, validated: every field has its type and limits (Protocol/README.md), and
/// anything else is refused, so a campus system learns about a mistake instead of having part of a message dropped.
public struct AppMessageRequest: Sendable, Equatable {
    public var message: AppMessage
    public var users: [UserID]
    public var groups: [GroupID]
    /// Class org unit ids and course ids, whose groups the gateway looks up.
    public var classes: [String]
    public var courses: [String]
    public var externalID: String?

    /// Decodes a body; errors name the field (the gateway answers them with 422).
    public static func decode(_ body: [UInt8]) throws(JSONFieldError) -> AppMessageRequest {
        guard let value = try? JSONParser.parse(body) else {
            throw JSONFieldError(code: "invalid_json", field: "", message: "The body is not valid JSON.")
        }
        var fields = try JSONFields(value)
        var to = try fields.object("to")
        let users = try to.optionalStringArray("users", maxCount: 50_000, maxBytes: 128, nonEmpty: true) ?? []
        let groups = try to.optionalIntArray("groups", maxCount: 1000, in: 1...Int64.max) ?? []
        let classes = try to.optionalStringArray("classes", maxCount: 1000, maxBytes: 128, nonEmpty: true) ?? []
        let courses = try to.optionalStringArray("courses", maxCount: 1000, maxBytes: 128, nonEmpty: true) ?? []
        try to.rejectUnknownFields()
        let appFields = try Self.fields(&fields)
        let link = try fields.optionalString("link", maxBytes: 2000)
        if let link, !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
            throw JSONFieldError(
                code: JSONFieldError.Code.outOfRange,
                field: "link",
                message: "Field 'link' must be an http(s) URL."
            )
        }
        let message = AppMessage(
            title: try fields.string("title", maxBytes: 400, nonEmpty: true),
            summary: try fields.optionalString("summary", maxBytes: 4000),
            link: link,
            fields: appFields
        )
        let externalID = try fields.optionalString("externalId", maxBytes: 128, nonEmpty: true)
        try fields.rejectUnknownFields()
        guard !(users.isEmpty && groups.isEmpty && classes.isEmpty && courses.isEmpty) else {
            throw JSONFieldError(
                code: JSONFieldError.Code.missingField,
                field: "to",
                message: "Name at least one recipient in 'to'."
            )
        }
        return AppMessageRequest(
            message: message,
            users: users,
            groups: groups.map(GroupID.init(rawValue:)),
            classes: classes,
            courses: courses,
            externalID: externalID
        )
    }

    /// `fields`: at most 20 `{label, value}`.
    private static func fields(_ fields: inout JSONFields) throws(JSONFieldError) -> [AppMessage.Field] {
        guard let value = fields.optionalValue("fields") else { return [] }
        guard case .array(let list) = value else {
            throw JSONFieldError(
                code: JSONFieldError.Code.invalidType,
                field: "fields",
                message: "Field 'fields' must be an array of {label, value} objects."
            )
        }
        guard list.count <= 20 else {
            throw JSONFieldError(
                code: JSONFieldError.Code.tooLong,
                field: "fields",
                message: "Field 'fields' has more than 20 entries."
            )
        }
        var result: [AppMessage.Field] = []
        for (index, item) in list.enumerated() {
            var entry = try JSONFields(item, path: "fields[\(index)]")
            result.append(
                AppMessage.Field(
                    label: try entry.string("label", maxBytes: 200, nonEmpty: true),
                    value: try entry.string("value", maxBytes: 2000)
                )
            )
            try entry.rejectUnknownFields()
        }
        return result
    }
}
