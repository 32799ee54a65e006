/// Just enough XML for RSS 2.0 and Atom feeds: elements (with attributes), text, CDATA sections and the five
/// predefined entities plus numeric references. Comments, processing instructions and the DOCTYPE are skipped
/// (so no external entities can be declared, let alone fetched). Namespace prefixes are kept in names
/// (`content:encoded`, `dc:date`); Atom's default namespace needs no prefix.
struct XMLScanner {
    enum Event: Equatable {
        case start(name: String, attributes: [String: String], empty: Bool)
        case end(name: String)
        case text(String)
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        // A UTF-8 byte order mark is not content.
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    mutating func next() throws(FeedError) -> Event? {
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                return .text(try Self.decode(bytes[start..<index]))
            }
            if starts(with: "<![CDATA[") {
                let start = index + 9
                guard let end = find("]]>", from: start) else { throw .malformed("an unterminated CDATA section") }
                index = end + 3
                return .text(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            if starts(with: "<!--") {
                guard let end = find("-->", from: index + 4) else { throw .malformed("an unterminated comment") }
                index = end + 3
                continue
            }
            if starts(with: "<?") || starts(with: "<!") {
                // Declarations and DOCTYPE (an internal subset's brackets included).
                var depth = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "]") { depth -= 1 }
                    if byte == UInt8(ascii: ">"), depth <= 0 { break }
                }
                continue
            }
            return try tag()
        }
        return nil
    }

    private mutating func tag() throws(FeedError) -> Event {
        index += 1
        let closing = index < bytes.count && bytes[index] == UInt8(ascii: "/")
        if closing { index += 1 }
        let name = readName()
        guard !name.isEmpty else { throw .malformed("a '<' that starts no tag") }
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { throw .malformed("an unterminated tag <\(name)>") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                return closing ? .end(name: name) : .start(name: name, attributes: attributes, empty: false)
            }
            if bytes[index] == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") {
                index += 2
                return .start(name: name, attributes: attributes, empty: true)
            }
            let attribute = readName()
            skipSpace()
            guard !attribute.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw .malformed("a bad attribute in <\(name)>")
            }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw .malformed("an unquoted attribute in <\(name)>")
            }
            let quote = bytes[index]
            let start = index + 1
            index = start
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw .malformed("an unterminated attribute in <\(name)>") }
            attributes[attribute] = try Self.decode(bytes[start..<index])
            index += 1
        }
    }

    private mutating func readName() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
            {
                break
            }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func starts(with text: StaticString) -> Bool {
        let prefix = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return bytes[index...].starts(with: prefix)
    }

    private func find(_ text: StaticString, from start: Int) -> Int? {
        let needle = Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        var cursor = start
        while cursor + needle.count <= bytes.count {
            if bytes[cursor] == needle[0], bytes[cursor..<(cursor + needle.count)].elementsEqual(needle) {
                return cursor
            }
            cursor += 1
        }
        return nil
    }

    /// Text with `&amp;`-style and numeric references replaced. Any other named reference is an error in XML.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(FeedError) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out = ""
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "&") else {
                let start = index
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "&") { index += 1 }
                out += String(decoding: bytes[start..<index], as: UTF8.self)
                continue
            }
            guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw .malformed("a '&' that starts no reference")
            }
            let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let digits = name.hasPrefix("#x") ? name.dropFirst(2) : name.dropFirst()
                guard name.hasPrefix("#"), let value = UInt32(digits, radix: name.hasPrefix("#x") ? 16 : 10),
                    value != 0, let scalar = Unicode.Scalar(value)
                else { throw .malformed("an unknown reference &\(name);") }
                out.unicodeScalars.append(scalar)
            }
            index = semicolon + 1
        }
        return out
    }
}
