/// Splits an HTML fragment into text, start tags and end tags, the way browsers read it where it matters for
/// safety: tag and attribute names are case-insensitive, attribute values may be quoted with `"` or `'` or not
/// at all, `<!-- -->` comments, `<!…>` and `<?…>` declarations are dropped whole, and a `<` that does not start a
/// tag is text. The contents of `script`, `style` and the other raw-text elements are read up to their end tag
/// without looking for tags inside (as a browser does), so the sanitizer can drop them whole.
struct HTMLTokenizer {
    private let bytes: [UInt8]
    private var index = 0

    /// Elements whose content is raw text to a browser.
    static let rawText: Set<String> = [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
        "noscript", "plaintext",
    ]

    init(_ html: String) {
        bytes = Array(html.utf8)
    }

    mutating func next() -> HTMLToken? {
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "<"), let token = tag() { return token }
        let start = index
        index += 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
        return .text(HTMLEntities.decode(bytes[start..<index]))
    }

    /// A tag, comment or declaration at `index`; nil (and `index` unchanged) when the `<` is just text.
    private mutating func tag() -> HTMLToken? {
        var cursor = index + 1
        guard cursor < bytes.count else { return nil }
        let first = bytes[cursor]
        if first == UInt8(ascii: "!") || first == UInt8(ascii: "?") {
            // Comments end at `-->`, other declarations at the next `>`; unterminated ones swallow the rest.
            let isComment = bytes[cursor...].starts(with: Array("!--".utf8))
            let terminator = isComment ? Array("-->".utf8) : [UInt8(ascii: ">")]
            index = Self.find(terminator, in: bytes, from: cursor).map { $0 + terminator.count } ?? bytes.count
            return .text("")
        }
        let closing = first == UInt8(ascii: "/")
        if closing { cursor += 1 }
        guard cursor < bytes.count, Self.isLetter(bytes[cursor]) else { return nil }
        let nameStart = cursor
        while cursor < bytes.count, !Self.endsName(bytes[cursor]) { cursor += 1 }
        let name = String(decoding: bytes[nameStart..<cursor], as: UTF8.self).lowercased()
        var attributes: [(name: String, value: String)] = []
        var selfClosing = false
        while true {
            while cursor < bytes.count, Self.isSpace(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "/") {
                selfClosing = bytes[cursor] == UInt8(ascii: "/")
                cursor += 1
            }
            guard cursor < bytes.count else {
                index = bytes.count  // an unterminated tag is dropped with the rest of the input
                return .text("")
            }
            if bytes[cursor] == UInt8(ascii: ">") {
                cursor += 1
                break
            }
            selfClosing = false
            let attributeStart = cursor
            while cursor < bytes.count, !Self.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: "="),
                bytes[cursor] != UInt8(ascii: ">"), bytes[cursor] != UInt8(ascii: "/") || cursor == attributeStart
            {
                cursor += 1
            }
            let attributeName = String(decoding: bytes[attributeStart..<cursor], as: UTF8.self).lowercased()
            while cursor < bytes.count, Self.isSpace(bytes[cursor]) { cursor += 1 }
            var value = ""
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") {
                cursor += 1
                while cursor < bytes.count, Self.isSpace(bytes[cursor]) { cursor += 1 }
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") {
                    let quote = bytes[cursor]
                    let valueStart = cursor + 1
                    cursor = valueStart
                    while cursor < bytes.count, bytes[cursor] != quote { cursor += 1 }
                    value = HTMLEntities.decode(bytes[valueStart..<min(cursor, bytes.count)])
                    if cursor < bytes.count { cursor += 1 }
                } else {
                    let valueStart = cursor
                    while cursor < bytes.count, !Self.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">") {
                        cursor += 1
                    }
                    value = HTMLEntities.decode(bytes[valueStart..<cursor])
                }
            }
            if !attributeName.isEmpty, !attributes.contains(where: { $0.name == attributeName }) {
                attributes.append((attributeName, value))
            }
        }
        index = cursor
        if closing { return .end(name: name) }
        if Self.rawText.contains(name) {
            // Skip to `</name` (any case); the content never reaches the output.
            let end = Self.findEndTag(name, in: bytes, from: index) ?? bytes.count
            index = end
        }
        return .start(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    private static func findEndTag(_ name: String, in bytes: [UInt8], from start: Int) -> Int? {
        let needle = Array(("</" + name).utf8)
        var cursor = start
        while cursor + needle.count <= bytes.count {
            if zip(bytes[cursor..<(cursor + needle.count)], needle).allSatisfy({ lower($0) == $1 }) {
                return cursor
            }
            cursor += 1
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var cursor = start
        while cursor + needle.count <= bytes.count {
            if bytes[cursor..<(cursor + needle.count)].elementsEqual(needle) { return cursor }
            cursor += 1
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    private static func endsName(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">")
    }
}
