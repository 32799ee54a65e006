/// An RFC 4180 CSV reader over UTF-8 bytes.
///
/// - Fields are separated by commas; records end at CRLF, LF or a lone CR; the last record may lack a line end.
/// - A field enclosed in double quotes may contain commas, line breaks and quotes written twice (`""`).
///   Spaces or tabs before the opening or after the closing quote are ignored, as hand-edited files have them.
/// - A UTF-8 byte order mark at the start is skipped (Excel's "CSV UTF-8" writes one).
/// - A quote inside an unquoted field, text after a closing quote and an unterminated quoted field are errors,
///   because guessing what they mean would silently move data between columns.
///
/// Blank lines come back as records with one empty field; skipping them is the caller's choice. The input must
/// be valid UTF-8 (see ``TextPosition/firstInvalidUTF8Offset(in:)``).
struct CSVReader {
    /// One record and the line it starts on.
    struct Record: Equatable {
        var line: Int
        var fields: [String]

        /// Whether every field is empty: a blank line, or a row Excel wrote for cells that were cleared.
        var isBlank: Bool { fields.allSatisfy(\.isEmpty) }
    }

    /// A syntax error and the line it was found on.
    struct SyntaxError: Error, Equatable {
        enum Kind: Equatable {
            /// A quoted field that is never closed; `line` is where it opens.
            case unterminatedQuote
            /// A `"` in a field that does not start with one.
            case quoteInUnquotedField
            /// Something other than a comma or a line end after a closing quote.
            case textAfterClosingQuote
        }

        var kind: Kind
        var line: Int
    }

    private let bytes: [UInt8]
    private var index: Int
    private var line = 1
    private var scratch: [UInt8] = []

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = ByteOrderMark.length(in: bytes)
    }

    /// The next record, or `nil` at the end of the input. After an error the reader must not be used again.
    mutating func next() throws(SyntaxError) -> Record? {
        guard index < bytes.count else { return nil }
        let recordLine = line
        var fields: [String] = []
        while true {
            fields.append(try field())
            guard index < bytes.count else { break }
            let byte = bytes[index]
            index += 1
            if byte == Self.comma { continue }
            if byte == Self.carriageReturn, index < bytes.count, bytes[index] == Self.lineFeed {
                index += 1
            }
            line += 1
            break
        }
        return Record(line: recordLine, fields: fields)
    }

    /// Reads one field and leaves `index` on the comma or line end after it, or at the end of the input.
    private mutating func field() throws(SyntaxError) -> String {
        var start = index
        while start < bytes.count, bytes[start] == Self.space || bytes[start] == Self.tab {
            start += 1
        }
        if start < bytes.count, bytes[start] == Self.quote {
            index = start + 1
            return try quotedField()
        }
        var end = index
        while end < bytes.count {
            let byte = bytes[end]
            if byte == Self.comma || byte == Self.lineFeed || byte == Self.carriageReturn { break }
            if byte == Self.quote { throw SyntaxError(kind: .quoteInUnquotedField, line: line) }
            end += 1
        }
        let text = String(decoding: bytes[index..<end], as: UTF8.self)
        index = end
        return text
    }

    private mutating func quotedField() throws(SyntaxError) -> String {
        let openingLine = line
        scratch.removeAll(keepingCapacity: true)
        var segmentStart = index
        while true {
            guard index < bytes.count else { throw SyntaxError(kind: .unterminatedQuote, line: openingLine) }
            let byte = bytes[index]
            if byte == Self.quote {
                scratch.append(contentsOf: bytes[segmentStart..<index])
                if index + 1 < bytes.count, bytes[index + 1] == Self.quote {
                    scratch.append(Self.quote)
                    index += 2
                    segmentStart = index
                    continue
                }
                index += 1
                break
            }
            if byte == Self.lineFeed {
                line += 1
            } else if byte == Self.carriageReturn, index + 1 >= bytes.count || bytes[index + 1] != Self.lineFeed {
                line += 1
            }
            index += 1
        }
        while index < bytes.count, bytes[index] == Self.space || bytes[index] == Self.tab {
            index += 1
        }
        if index < bytes.count {
            let byte = bytes[index]
            if byte != Self.comma && byte != Self.lineFeed && byte != Self.carriageReturn {
                throw SyntaxError(kind: .textAfterClosingQuote, line: line)
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }
}
