import JSON

/// Turns a ``JSON/JSONError`` into a problem a school's IT staff can act on: line and column instead of a byte
/// offset, and plain words for what is wrong.
enum JSONSyntaxMessages {
    /// Reports `error`, whose offset is relative to `bytes[offset...]`.
    static func report(
        _ error: JSONError,
        in bytes: [UInt8],
        offsetBy offset: Int,
        fileName: String,
        limits: DirectoryImportLimits,
        _ problems: ProblemCollector
    ) {
        let byteOffset = min(error.offset + offset, bytes.count)
        let (line, column) = TextPosition.lineAndColumn(of: byteOffset, in: bytes)
        var position = SourcePosition.line(line, in: fileName, format: .json)
        position.column = column
        let (code, text) = describe(error.kind, at: byteOffset, in: bytes, limits: limits)
        problems.report(code, at: position, text)
    }

    private static func describe(
        _ kind: JSONError.Kind,
        at offset: Int,
        in bytes: [UInt8],
        limits: DirectoryImportLimits
    ) -> (code: String, text: String) {
        let invalid = DirectoryImportError.Code.invalidJSON
        switch kind {
        case .emptyInput:
            return (invalid, "the file contains no JSON value.")
        case .unexpectedEnd:
            return (invalid, "the file ends in the middle of a value; is a closing ']', '}' or '\"' missing?")
        case .unexpectedByte(let byte) where byte >= 0x80:
            let character = characterText(at: offset, in: bytes)
            return (
                invalid,
                "unexpected character \(character); JSON punctuation must be ASCII (, : \" [ ] { }), not "
                    + "the full-width forms a Chinese input method types, and text must be in double quotes."
            )
        case .unexpectedByte(let byte) where byte > 0x20 && byte < 0x7F:
            return (invalid, "unexpected character '\(Character(Unicode.Scalar(byte)))'.")
        case .unexpectedByte(let byte):
            return (invalid, "unexpected byte 0x\(String(byte, radix: 16, uppercase: true)).")
        case .invalidNumber, .numberOutOfRange, .numberLengthLimitExceeded:
            return (invalid, "invalid number; write ids as strings in double quotes.")
        case .invalidString:
            return (invalid, "a string contains a line break or another control character; write it as \\n.")
        case .invalidEscape:
            return (invalid, "a string contains an invalid escape; write a backslash as \\\\.")
        case .loneSurrogate:
            return (invalid, "a string contains a \\u escape of half a surrogate pair.")
        case .invalidUTF8:
            return (DirectoryImportError.Code.notUTF8, "the file is not UTF-8; save it as UTF-8.")
        case .duplicateKey(let key):
            return (invalid, "the field \(MessageText.quoted(key)) appears twice in the same object.")
        case .depthLimitExceeded:
            return (invalid, "values are nested too deeply for a directory document.")
        case .sizeLimitExceeded:
            return (DirectoryImportError.Code.tooLarge, "the file is larger than \(limits.maxBytes) bytes.")
        case .stringLengthLimitExceeded:
            return (DirectoryImportError.Code.tooLong, "a string is far longer than any id or name may be.")
        case .elementLimitExceeded:
            return (
                DirectoryImportError.Code.tooLarge,
                "an array has more elements than the \(limits.maxRecords) records a file may hold; split the file "
                    + "into several."
            )
        case .trailingData:
            return (invalid, "there is more text after the end of the JSON document.")
        }
    }

    /// The whole UTF-8 character at `offset`, quoted, for messages about a stray full-width comma or quote.
    private static func characterText(at offset: Int, in bytes: [UInt8]) -> String {
        var end = offset + 1
        while end < bytes.count, end < offset + 4, bytes[end] & 0xC0 == 0x80 {
            end += 1
        }
        return MessageText.quoted(String(decoding: bytes[offset..<min(end, bytes.count)], as: UTF8.self))
    }
}
