/// Lists of user ids in one TEXT column, as a JSON array of strings (`["20230001","T0042"]`), so that operators
/// can read them with SQLite's JSON functions. An empty list is stored as NULL.
enum StringList {
    /// The JSON text for `list`, or nil when it is empty.
    static func encode(_ list: [String]) -> String? {
        guard !list.isEmpty else { return nil }
        var out = "["
        for (index, item) in list.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for scalar in item.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }

    /// The list in a JSON array of strings; NULL (nil) is the empty list.
    static func decode(_ text: String?) throws(SQLiteError) -> [String] {
        guard let text else { return [] }
        var parser = Parser(scalars: Array(text.unicodeScalars))
        guard let list = parser.array() else {
            throw .corrupt("not a JSON array of strings: \(text.prefix(200))")
        }
        return list
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        mutating func array() -> [String]? {
            skipSpace()
            guard take("[") else { return nil }
            var list: [String] = []
            skipSpace()
            if take("]") { return atEnd() ? list : nil }
            while true {
                skipSpace()
                guard let item = string() else { return nil }
                list.append(item)
                skipSpace()
                if take("]") { return atEnd() ? list : nil }
                guard take(",") else { return nil }
            }
        }

        private mutating func string() -> String? {
            guard take("\"") else { return nil }
            var out = String.UnicodeScalarView()
            while index < scalars.count {
                let scalar = scalars[index]
                index += 1
                switch scalar {
                case "\"": return String(out)
                case "\\":
                    guard let escaped = escape() else { return nil }
                    out.append(escaped)
                default: out.append(scalar)
                }
            }
            return nil
        }

        private mutating func escape() -> Unicode.Scalar? {
            guard index < scalars.count else { return nil }
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\"", "\\", "/": return scalar
            case "b": return "\u{8}"
            case "f": return "\u{c}"
            case "n": return "\n"
            case "r": return "\r"
            case "t": return "\t"
            case "u":
                guard let unit = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(unit) {
                    guard take("\\"), take("u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                return Unicode.Scalar(unit)
            default: return nil
            }
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= scalars.count else { return nil }
            var value: UInt32 = 0
            for scalar in scalars[index..<(index + 4)] {
                guard let digit = Int(String(scalar), radix: 16) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }

        private mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[index]) { index += 1 }
        }

        private func atEnd() -> Bool {
            var probe = self
            probe.skipSpace()
            return probe.index == scalars.count
        }
    }
}
