/// A parse failure: what went wrong and the zero-based byte offset in the input where it was detected.
public struct JSONError: Error, Equatable, Sendable {
    /// The category of a parse failure.
    public enum Kind: Equatable, Sendable {
        /// The input is empty or contains only whitespace.
        case emptyInput
        /// The input ended in the middle of a value.
        case unexpectedEnd
        /// A byte that cannot start or continue the expected token, for example `+1`, `.5`, `NaN` or `[1 2]`.
        case unexpectedByte(UInt8)
        /// A malformed number: a leading zero (`01`), a missing digit (`1.`, `1e`, `-`).
        case invalidNumber
        /// A number whose magnitude does not fit in a `Double`, such as `1e400`.
        case numberOutOfRange
        /// A string containing an unescaped control character (U+0000 to U+001F, RFC 8259 section 7).
        case invalidString
        /// A backslash followed by something other than `" \ / b f n r t` or `u` with four hex digits.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate that is not part of a high-low pair.
        case loneSurrogate
        /// A string containing bytes that are not well-formed UTF-8 (overlong forms, encoded surrogates, code points
        /// above U+10FFFF, truncated sequences, stray continuation bytes).
        case invalidUTF8
        /// An object that names the same key twice. Rejected because parsers disagree on which value wins.
        case duplicateKey(String)
        /// Arrays and objects nested deeper than ``JSONLimits/maxDepth``.
        case depthLimitExceeded
        /// An input larger than ``JSONLimits/maxInputBytes``.
        case sizeLimitExceeded
        /// A string longer than ``JSONLimits/maxStringBytes``.
        case stringLengthLimitExceeded
        /// An array or object with more than ``JSONLimits/maxElements`` entries.
        case elementLimitExceeded
        /// A number literal longer than ``JSONLimits/maxNumberBytes``.
        case numberLengthLimitExceeded
        /// Non-whitespace bytes after the top-level value.
        case trailingData
    }

    /// What went wrong.
    public let kind: Kind

    /// The zero-based byte offset in the input at which the problem was detected.
    public let offset: Int

    /// Creates an error of `kind` at byte `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// A readable one-sentence description, such as "Unexpected character 'x' at byte 12."
    public var message: String {
        let at = "at byte \(offset)"
        switch kind {
        case .emptyInput:
            return "The input contains no JSON value."
        case .unexpectedEnd:
            return "Unexpected end of input \(at)."
        case .unexpectedByte(let byte) where byte > 0x20 && byte < 0x7F:
            return "Unexpected character '\(Character(Unicode.Scalar(byte)))' \(at)."
        case .unexpectedByte(let byte):
            return "Unexpected byte \(Self.hex(byte)) \(at)."
        case .invalidNumber:
            return "Invalid number \(at)."
        case .numberOutOfRange:
            return "Number \(at) is out of range."
        case .invalidString:
            return "Unescaped control character in string \(at)."
        case .invalidEscape:
            return "Invalid escape sequence \(at)."
        case .loneSurrogate:
            return "Unpaired UTF-16 surrogate escape \(at)."
        case .invalidUTF8:
            return "Invalid UTF-8 \(at)."
        case .duplicateKey(let key):
            return "Duplicate key '\(Self.abbreviated(key))' \(at)."
        case .depthLimitExceeded:
            return "Nesting depth limit exceeded \(at)."
        case .sizeLimitExceeded:
            return "Input exceeds the size limit of \(offset) bytes."
        case .stringLengthLimitExceeded:
            return "String \(at) exceeds the length limit."
        case .elementLimitExceeded:
            return "Too many elements in array or object \(at)."
        case .numberLengthLimitExceeded:
            return "Number \(at) exceeds the length limit."
        case .trailingData:
            return "Unexpected data after the JSON value \(at)."
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0" + digits : "0x" + digits
    }

    // Keys come from untrusted input; keep messages short and free of control characters.
    private static func abbreviated(_ key: String) -> String {
        let printable = String(String.UnicodeScalarView(key.unicodeScalars.prefix(40).filter { $0.value >= 0x20 }))
        return key.unicodeScalars.count > 40 ? printable + "…" : printable
    }
}

extension JSONError: CustomStringConvertible {
    /// The same text as ``message``.
    public var description: String { message }
}
