extension JSONFields {
    /// A required array of at most `maxCount` strings (default ``defaultMaxCount``), each at most `maxBytes`
    /// bytes and optionally non-empty. Element errors name the element, e.g. `tags[2]`.
    public mutating func stringArray(
        _ key: String,
        maxCount: Int = JSONFields.defaultMaxCount,
        maxBytes: Int = JSONFields.defaultMaxStringBytes,
        nonEmpty: Bool = false
    ) throws(JSONFieldError) -> [String] {
        try Self.stringArray(
            try require(key),
            maxCount: maxCount,
            maxBytes: maxBytes,
            nonEmpty: nonEmpty,
            field: fieldPath(key)
        )
    }

    /// An optional array of strings; see ``stringArray(_:maxCount:maxBytes:nonEmpty:)``.
    public mutating func optionalStringArray(
        _ key: String,
        maxCount: Int = JSONFields.defaultMaxCount,
        maxBytes: Int = JSONFields.defaultMaxStringBytes,
        nonEmpty: Bool = false
    ) throws(JSONFieldError) -> [String]? {
        guard let value = take(key) else { return nil }
        return try Self.stringArray(
            value,
            maxCount: maxCount,
            maxBytes: maxBytes,
            nonEmpty: nonEmpty,
            field: fieldPath(key)
        )
    }

    /// A required array of at most `maxCount` integers (default ``defaultMaxCount``), each within `range`.
    public mutating func intArray(
        _ key: String,
        maxCount: Int = JSONFields.defaultMaxCount,
        in range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws(JSONFieldError) -> [Int64] {
        try Self.intArray(try require(key), maxCount: maxCount, in: range, field: fieldPath(key))
    }

    /// An optional array of integers; see ``intArray(_:maxCount:in:)``.
    public mutating func optionalIntArray(
        _ key: String,
        maxCount: Int = JSONFields.defaultMaxCount,
        in range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws(JSONFieldError) -> [Int64]? {
        guard let value = take(key) else { return nil }
        return try Self.intArray(value, maxCount: maxCount, in: range, field: fieldPath(key))
    }

    /// A required nested object, read with its own ``JSONFields`` whose errors use the path `parent.key`. Its
    /// unknown fields are checked separately, by calling ``rejectUnknownFields()`` on the returned value.
    public mutating func object(_ key: String) throws(JSONFieldError) -> JSONFields {
        try JSONFields(try require(key), path: fieldPath(key))
    }

    /// An optional nested object; see ``object(_:)``.
    public mutating func optionalObject(_ key: String) throws(JSONFieldError) -> JSONFields? {
        guard let value = take(key) else { return nil }
        return try JSONFields(value, path: fieldPath(key))
    }

    /// A required value of any type except `null`, left undecoded (for example a message body stored as is).
    public mutating func value(_ key: String) throws(JSONFieldError) -> JSONValue {
        try require(key)
    }

    /// An optional value of any type; `nil` when absent or `null`.
    public mutating func optionalValue(_ key: String) -> JSONValue? {
        take(key)
    }

    private static func elements(
        _ value: JSONValue,
        maxCount: Int,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw .invalidType(field(), expected: "an array") }
        if elements.count > maxCount {
            throw .tooLong(field(), limit: maxCount, unit: maxCount == 1 ? "item" : "items")
        }
        return elements
    }

    private static func stringArray(
        _ value: JSONValue,
        maxCount: Int,
        maxBytes: Int,
        nonEmpty: Bool,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> [String] {
        let elements = try elements(value, maxCount: maxCount, field: field())
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            result.append(try string(element, maxBytes: maxBytes, nonEmpty: nonEmpty, field: "\(field())[\(index)]"))
        }
        return result
    }

    private static func intArray(
        _ value: JSONValue,
        maxCount: Int,
        in range: ClosedRange<Int64>,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> [Int64] {
        let elements = try elements(value, maxCount: maxCount, field: field())
        var result: [Int64] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            result.append(try int(element, in: range, field: "\(field())[\(index)]"))
        }
        return result
    }
}
