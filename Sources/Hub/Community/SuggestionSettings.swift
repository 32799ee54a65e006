import JSON

/// How the suggestion box routes and times its items (接诉即办): the dispatchers, the handling departments with
/// their handlers and supervisors, and per category the department and the response deadline. School admins set it.
struct SuggestionSettings: Equatable {
    struct Department: Equatable {
        var name: String
        var handlers: [UserID]
        var supervisors: [UserID]
    }

    struct Route: Equatable {
        /// nil: central dispatch routes it by hand.
        var department: String?
        var deadlineHours: Int64
    }

    static let categories = ["dorm", "canteen", "network", "study", "safety", "other"]

    var dispatchers: [UserID] = []
    var departments: [String: Department] = [:]
    var routes: [String: Route] = Dictionary(
        uniqueKeysWithValues: categories.map { ($0, Route(department: nil, deadlineHours: 72)) }
    )
    /// Days a student has to rate a reply before the item closes by itself.
    var ratingDays: Int64 = 7
    var version: Int64 = 1

    func route(_ category: String) -> Route { routes[category] ?? Route(department: nil, deadlineHours: 72) }

    static func decode(_ value: JSONValue, current: SuggestionSettings) throws(JSONFieldError) -> SuggestionSettings {
        var settings = current
        var fields = try JSONFields(value)
        if let dispatchers = try fields.optionalStringArray("dispatchers", maxCount: 100, maxBytes: 128, nonEmpty: true)
        {
            settings.dispatchers = Array(Set(dispatchers)).sorted()
        }
        if fields.contains("departments") {
            settings.departments = [:]
            for (key, value) in try Self.members(&fields, "departments") {
                var department = try JSONFields(value, path: "departments.\(key)")
                settings.departments[key] = Department(
                    name: try department.string("name", maxBytes: 200, nonEmpty: true),
                    handlers: Array(
                        Set(try department.stringArray("handlers", maxCount: 200, maxBytes: 128, nonEmpty: true))
                    )
                    .sorted(),
                    supervisors: Array(
                        Set(
                            try department.optionalStringArray(
                                "supervisors",
                                maxCount: 50,
                                maxBytes: 128,
                                nonEmpty: true
                            ) ?? []
                        )
                    ).sorted()
                )
                try department.rejectUnknownFields()
            }
        }
        if fields.contains("categories") {
            for (key, value) in try Self.members(&fields, "categories") {
                guard Self.categories.contains(key) else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.unknownField,
                        field: "categories.\(key)",
                        message:
                            "There is no category '\(key)'; the categories are \(Self.categories.joined(separator: ", "))."
                    )
                }
                var route = try JSONFields(value, path: "categories.\(key)")
                settings.routes[key] = Route(
                    department: try route.optionalString("department", maxBytes: 64, nonEmpty: true),
                    deadlineHours: try route.optionalInt("deadlineHours", in: Int64(1)...Int64(24 * 60)) ?? 72
                )
                try route.rejectUnknownFields()
            }
        }
        if let days = try fields.optionalInt("ratingDays", in: Int64(1)...Int64(60)) { settings.ratingDays = days }
        try fields.rejectUnknownFields()
        for (category, route) in settings.routes {
            if let department = route.department, settings.departments[department] == nil {
                throw JSONFieldError(
                    code: JSONFieldError.Code.outOfRange,
                    field: "categories.\(category).department",
                    message: "Category '\(category)' names department '\(department)', which is not in 'departments'."
                )
            }
        }
        return settings
    }

    /// The members of the object at `key`.
    private static func members(
        _ fields: inout JSONFields,
        _ key: String
    ) throws(JSONFieldError) -> [(String, JSONValue)] {
        guard case .object(let object) = try fields.value(key) else {
            throw JSONFieldError(
                code: JSONFieldError.Code.invalidType,
                field: key,
                message: "Field '\(key)' must be an object."
            )
        }
        return object.pairs.map { ($0.key, $0.value) }
    }

    var json: JSONValue {
        .object([
            "dispatchers": .array(dispatchers.map { .string($0) }),
            "departments": .object(
                JSONObject(
                    departments.sorted { $0.key < $1.key }.map { key, department in
                        (
                            key,
                            [
                                "name": .string(department.name),
                                "handlers": .array(department.handlers.map { .string($0) }),
                                "supervisors": .array(department.supervisors.map { .string($0) }),
                            ]
                        )
                    }
                )
            ),
            "categories": .object(
                JSONObject(
                    Self.categories.map { category in
                        let route = self.route(category)
                        return (
                            category,
                            [
                                "department": route.department.map { .string($0) } ?? .null,
                                "deadlineHours": .int(route.deadlineHours),
                            ]
                        )
                    }
                )
            ),
            "ratingDays": .int(ratingDays),
            "version": .int(version),
        ])
    }

    static func restore(_ bytes: [UInt8]) -> SuggestionSettings {
        guard let value = try? JSONParser.parse(bytes),
            var settings = try? decode(
                value.objectValue.map { object in
                    JSONValue.object(JSONObject(object.pairs.filter { $0.key != "version" }))
                } ?? value,
                current: SuggestionSettings()
            )
        else { return SuggestionSettings() }
        settings.version = value["version"]?.int64Value ?? 1
        return settings
    }
}
