/// A small TOML subset for `yizhan.toml`: `[section]` headers, `key = value` lines, `#` comments.
///
/// Values are strings (`"…"` with `\"`, `\\`, `\n`, `\t`, `\uXXXX` escapes), integers, floats, booleans and one-line
/// arrays of those. Anything else is an error with its line number, so a typo never silently falls back to a
/// default.
public struct ConfigFile: Sendable {
    /// A parsed value.
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case array([Value])
    }

    /// A parse or validation failure.
    public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// `section.key` → (value, line), in file order.
    public private(set) var entries: [(key: String, value: Value, line: Int)] = []

    public init(parsing text: String) throws(Error) {
        var section = ""
        var seen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var scanner = Scanner(Array(rawLine.utf8), line: lineNumber)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == UInt8(ascii: "[") {
                scanner.advance()
                let name = try scanner.bareKey()
                guard scanner.consume(UInt8(ascii: "]")) else { throw scanner.fail("expected ']' after section name") }
                try scanner.expectEnd()
                section = name
                continue
            }
            let key = try scanner.bareKey()
            scanner.skipSpaces()
            guard scanner.consume(UInt8(ascii: "=")) else { throw scanner.fail("expected '=' after '\(key)'") }
            scanner.skipSpaces()
            let value = try scanner.value()
            try scanner.expectEnd()
            let fullKey = section.isEmpty ? key : "\(section).\(key)"
            guard seen.insert(fullKey).inserted else {
                throw Error(line: lineNumber, message: "'\(fullKey)' is set twice")
            }
            entries.append((fullKey, value, lineNumber))
        }
    }
}

extension ConfigFile {
    fileprivate struct Scanner {
        let bytes: [UInt8]
        let line: Int
        var index = 0

        init(_ bytes: [UInt8], line: Int) {
            // Tolerate CRLF files written on Windows.
            self.bytes = bytes.last == UInt8(ascii: "\r") ? Array(bytes.dropLast()) : bytes
            self.line = line
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
        var atEndOrComment: Bool { peek == nil || peek == UInt8(ascii: "#") }

        mutating func advance() { index += 1 }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpaces() {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        }

        func fail(_ message: String) -> Error { Error(line: line, message: message) }

        mutating func expectEnd() throws(Error) {
            skipSpaces()
            guard atEndOrComment else { throw fail("unexpected text after the value") }
        }

        mutating func bareKey() throws(Error) -> String {
            skipSpaces()
            let start = index
            while let byte = peek, Self.isKeyByte(byte) { index += 1 }
            guard index > start else { throw fail("expected a key name (letters, digits, '_', '-', '.')") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        static func isKeyByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }

        mutating func value() throws(Error) -> Value {
            switch peek {
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "["):
                advance()
                var items: [Value] = []
                skipSpaces()
                if consume(UInt8(ascii: "]")) { return .array(items) }
                while true {
                    skipSpaces()
                    let item = try value()
                    if case .array = item { throw fail("nested arrays are not supported") }
                    items.append(item)
                    skipSpaces()
                    if consume(UInt8(ascii: "]")) { return .array(items) }
                    guard consume(UInt8(ascii: ",")) else { throw fail("expected ',' or ']' in the array") }
                    skipSpaces()
                    if consume(UInt8(ascii: "]")) { return .array(items) }  // trailing comma
                }
            default:
                let start = index
                while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t"),
                    byte != UInt8(ascii: ","), byte != UInt8(ascii: "]"), byte != UInt8(ascii: "#")
                {
                    index += 1
                }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                if text == "true" { return .bool(true) }
                if text == "false" { return .bool(false) }
                let digits = text.filter { $0 != "_" }
                if let integer = Int(digits) { return .integer(integer) }
                if let float = Double(digits), float.isFinite,
                    digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
                {
                    return .float(float)
                }
                throw fail(text.isEmpty ? "expected a value" : "'\(text)' is not a value (quote strings: \"\(text)\")")
            }
        }

        mutating func string() throws(Error) -> String {
            advance()  // opening quote
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll()
            }
            while let byte = peek {
                advance()
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    guard let escape = peek else { throw fail("unterminated escape") }
                    advance()
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                            let scalar = Unicode.Scalar(code)
                        else { throw fail("invalid \\u escape") }
                        index += 4
                        scalars.append(scalar)
                    default:
                        throw fail("unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
                    }
                default:
                    run.append(byte)
                }
            }
            throw fail("unterminated string")
        }
    }
}
