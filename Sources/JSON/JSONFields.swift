/// Reads typed, validated fields from a JSON object, for decoding client commands and REST bodies.
///
/// ```swift
/// var command = try JSONFields(value)
/// let group = try command.int("group", in: 1...Int64.max)
/// let text = try command.optionalString("text", maxBytes: 4096, nonEmpty: true)
/// let mentions = try command.intArray("mentions", maxCount: 100)
/// var meta = try command.object("meta")
/// try meta.rejectUnknownFields()
/// try command.rejectUnknownFields()
/// ```
///
/// Errors are ``JSONFieldError`` values carrying the dotted path of the field. Rules shared by all readers:
/// - A member whose value is `null` is treated exactly like a missing one: required readers throw
///   `missing_field`, optional readers return `nil`.
/// - Every reader marks its key as read, whether or not it succeeds, so that ``rejectUnknownFields()`` can
///   report the members nobody asked for. ``ignore(_:)`` marks keys as read without decoding them.
/// - Integers must be JSON integer literals (`5`, not `5.0`); doubles accept both forms.
///
/// A value type: readers are `mutating` because they record which keys were read.
public struct JSONFields: Sendable {
    /// The default byte limit for strings, 4096.
    public static let defaultMaxStringBytes = 4096

    /// The default element limit for arrays, 1000.
    public static let defaultMaxCount = 1000

    /// The object being read.
    public let object: JSONObject

    /// The dotted path of this object inside the document, `""` for the top level.
    public let path: String

    // Which members have been read, by index in `object.pairs`: a bitmask for the first 64, then an array.
    private var readMask: UInt64 = 0
    private var readBeyondMask: [Bool] = []

    /// Wraps `value`, which must be an object; otherwise throws `invalid_type` for `path`.
    public init(_ value: JSONValue, path: String = "") throws(JSONFieldError) {
        guard case .object(let object) = value else { throw .invalidType(path, expected: "an object") }
        self.init(object: object, path: path)
    }

    /// Wraps `object`, whose fields are reported under `path`.
    public init(object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// The dotted path of the member `key`, used in errors.
    public func fieldPath(_ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// Whether the object has a member `key` (of any value, `null` included). Does not mark it as read.
    public func contains(_ key: String) -> Bool {
        object.index(forKey: key) != nil
    }

    /// Marks `keys` as read without decoding them, so ``rejectUnknownFields()`` accepts them.
    public mutating func ignore(_ keys: String...) {
        for key in keys {
            _ = take(key)
        }
    }

    /// Throws `unknown_field` for the first member, in document order, that no reader has asked for.
    public func rejectUnknownFields() throws(JSONFieldError) {
        for index in object.pairs.indices where !isRead(index) {
            throw .unknown(fieldPath(object.pairs[index].key))
        }
    }

    // MARK: Scalars

    /// A required string of at most `maxBytes` UTF-8 bytes (default ``defaultMaxStringBytes``), optionally
    /// required to be non-empty.
    public mutating func string(
        _ key: String,
        maxBytes: Int = JSONFields.defaultMaxStringBytes,
        nonEmpty: Bool = false
    ) throws(JSONFieldError) -> String {
        try Self.string(try require(key), maxBytes: maxBytes, nonEmpty: nonEmpty, field: fieldPath(key))
    }

    /// An optional string; see ``string(_:maxBytes:nonEmpty:)``.
    public mutating func optionalString(
        _ key: String,
        maxBytes: Int = JSONFields.defaultMaxStringBytes,
        nonEmpty: Bool = false
    ) throws(JSONFieldError) -> String? {
        guard let value = take(key) else { return nil }
        return try Self.string(value, maxBytes: maxBytes, nonEmpty: nonEmpty, field: fieldPath(key))
    }

    /// A required integer within `range` (default: any `Int64`).
    public mutating func int(
        _ key: String,
        in range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws(JSONFieldError) -> Int64 {
        try Self.int(try require(key), in: range, field: fieldPath(key))
    }

    /// A required integer within `range`, as `Int`. Chosen when the range is written with `Int` values, e.g.
    /// `try fields.int("limit", in: 1...100)`.
    public mutating func int(_ key: String, in range: ClosedRange<Int>) throws(JSONFieldError) -> Int {
        Int(try int(key, in: Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    /// An optional integer within `range` (default: any `Int64`).
    public mutating func optionalInt(
        _ key: String,
        in range: ClosedRange<Int64> = Int64.min...Int64.max
    ) throws(JSONFieldError) -> Int64? {
        guard let value = take(key) else { return nil }
        return try Self.int(value, in: range, field: fieldPath(key))
    }

    /// An optional integer within `range`, as `Int`.
    public mutating func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(JSONFieldError) -> Int? {
        try optionalInt(key, in: Int64(range.lowerBound)...Int64(range.upperBound)).map { Int($0) }
    }

    /// A required number (integer or not) within `range`, if one is given.
    public mutating func double(_ key: String, in range: ClosedRange<Double>? = nil) throws(JSONFieldError) -> Double {
        try Self.double(try require(key), in: range, field: fieldPath(key))
    }

    /// An optional number within `range`, if one is given.
    public mutating func optionalDouble(
        _ key: String,
        in range: ClosedRange<Double>? = nil
    ) throws(JSONFieldError) -> Double? {
        guard let value = take(key) else { return nil }
        return try Self.double(value, in: range, field: fieldPath(key))
    }

    /// A required boolean.
    public mutating func bool(_ key: String) throws(JSONFieldError) -> Bool {
        guard case .bool(let flag) = try require(key) else { throw .invalidType(fieldPath(key), expected: "a boolean") }
        return flag
    }

    /// An optional boolean.
    public mutating func optionalBool(_ key: String) throws(JSONFieldError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw .invalidType(fieldPath(key), expected: "a boolean") }
        return flag
    }

    // MARK: Internals shared with the collection readers

    /// The member `key` marked as read, or `nil` if it is absent or `null`.
    mutating func take(_ key: String) -> JSONValue? {
        guard let index = object.index(forKey: key) else { return nil }
        if index < 64 {
            readMask |= 1 << UInt64(index)
        } else {
            if readBeyondMask.isEmpty {
                readBeyondMask = Array(repeating: false, count: object.pairs.count - 64)
            }
            readBeyondMask[index - 64] = true
        }
        let value = object.pairs[index].value
        if case .null = value { return nil }
        return value
    }

    /// The member `key` marked as read; throws `missing_field` if it is absent or `null`.
    mutating func require(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let value = take(key) else { throw .missing(fieldPath(key)) }
        return value
    }

    private func isRead(_ index: Int) -> Bool {
        if index < 64 {
            return readMask & 1 << UInt64(index) != 0
        }
        return !readBeyondMask.isEmpty && readBeyondMask[index - 64]
    }

    // The field path is an autoclosure so that the success path never builds a string.
    static func string(
        _ value: JSONValue,
        maxBytes: Int,
        nonEmpty: Bool,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> String {
        guard case .string(let text) = value else { throw .invalidType(field(), expected: "a string") }
        let length = text.utf8.count
        if length > maxBytes {
            throw .tooLong(field(), limit: maxBytes, unit: "bytes")
        }
        if nonEmpty && length == 0 {
            throw .empty(field())
        }
        return text
    }

    static func int(
        _ value: JSONValue,
        in range: ClosedRange<Int64>,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> Int64 {
        switch value {
        case .int(let number):
            guard range.contains(number) else {
                throw .outOfRange(field(), lower: range.lowerBound, upper: range.upperBound)
            }
            return number
        case .double(let number) where number.isFinite && number.magnitude >= 0x1p63:
            // Integer literals beyond Int64 arrive as doubles; they are integers, just too large.
            throw .outOfRange(field(), lower: range.lowerBound, upper: range.upperBound)
        default:
            throw .invalidType(field(), expected: "an integer")
        }
    }

    static func double(
        _ value: JSONValue,
        in range: ClosedRange<Double>?,
        field: @autoclosure () -> String
    ) throws(JSONFieldError) -> Double {
        guard let number = value.doubleValue else { throw .invalidType(field(), expected: "a number") }
        if let range, !range.contains(number) {
            throw .outOfRange(field(), lower: range.lowerBound, upper: range.upperBound)
        }
        return number
    }
}
