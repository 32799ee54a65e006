/// A validation failure while reading typed fields from a JSON object with ``JSONFields``.
///
/// `code` is a stable machine-readable identifier (see ``Code``), `field` the dotted path of the offending field
/// (`"body.text"`, `"mentions[2]"`, or `""` for the value itself), and `message` a readable sentence that can be
/// returned to the client, such as "Field 'group' is required."
public struct JSONFieldError: Error, Equatable, Sendable {
    /// The stable values of ``JSONFieldError/code``.
    public enum Code: Sendable {
        /// A required field is absent or `null`.
        public static let missingField = "missing_field"
        /// A field has the wrong JSON type.
        public static let invalidType = "invalid_type"
        /// A number lies outside the allowed range.
        public static let outOfRange = "out_of_range"
        /// A string has more bytes, or an array more elements, than allowed.
        public static let tooLong = "too_long"
        /// A string that must not be empty is empty.
        public static let emptyValue = "empty_value"
        /// The object has a field that was never read (see ``JSONFields/rejectUnknownFields()``).
        public static let unknownField = "unknown_field"
    }

    /// A stable identifier from ``Code``, such as `"missing_field"`.
    public let code: String

    /// The dotted path of the offending field.
    public let field: String

    /// A readable sentence describing the problem.
    public let message: String

    /// Creates an error.
    public init(code: String, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}

extension JSONFieldError: CustomStringConvertible {
    /// The same text as ``message``.
    public var description: String { message }
}

extension JSONFieldError {
    static func missing(_ field: String) -> JSONFieldError {
        JSONFieldError(code: Code.missingField, field: field, message: "Field '\(field)' is required.")
    }

    static func invalidType(_ field: String, expected: String) -> JSONFieldError {
        let subject = field.isEmpty ? "The value" : "Field '\(field)'"
        return JSONFieldError(code: Code.invalidType, field: field, message: "\(subject) must be \(expected).")
    }

    static func outOfRange(_ field: String, lower: some Any, upper: some Any) -> JSONFieldError {
        JSONFieldError(
            code: Code.outOfRange,
            field: field,
            message: "Field '\(field)' must be between \(lower) and \(upper)."
        )
    }

    static func tooLong(_ field: String, limit: Int, unit: String) -> JSONFieldError {
        JSONFieldError(code: Code.tooLong, field: field, message: "Field '\(field)' must be at most \(limit) \(unit).")
    }

    static func empty(_ field: String) -> JSONFieldError {
        JSONFieldError(code: Code.emptyValue, field: field, message: "Field '\(field)' must not be empty.")
    }

    static func unknown(_ field: String) -> JSONFieldError {
        JSONFieldError(code: Code.unknownField, field: field, message: "Unknown field '\(field)'.")
    }
}
