/// Cleans untrusted HTML (article bodies from editors and campus systems) down to `RichTextPolicy`: the result is
/// well-formed — every element it opens it closes, in order — and holds only allowed elements and attributes, with
/// every attribute quoted and every text escaped, so nothing in it can run script in a reader's browser.
///
/// Pure and synchronous: a string in, a string out.
public enum HTMLSanitizer {
    public struct TooLarge: Error, Equatable {
        public var bytes: Int
        public var limit: Int
    }

    public static func sanitize(_ html: String, policy: RichTextPolicy = .article) throws(TooLarge) -> String {
        guard html.utf8.count <= policy.maxInputBytes else {
            throw TooLarge(bytes: html.utf8.count, limit: policy.maxInputBytes)
        }
        var tokenizer = HTMLTokenizer(html)
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var open: [String] = []
        /// Inside an element dropped with its content: its name and nesting count.
        var dropping: (name: String, depth: Int)?
        while let token = tokenizer.next() {
            if let current = dropping {
                switch token {
                case .start(let name, _, let selfClosing) where name == current.name && !selfClosing:
                    dropping = (name, current.depth + 1)
                case .end(let name) where name == current.name:
                    dropping = current.depth == 1 ? nil : (name, current.depth - 1)
                default: break
                }
                continue
            }
            switch token {
            case .text(let text):
                escape(text, into: &out)
            case .start(let name, let attributes, let selfClosing):
                if HTMLTokenizer.rawText.contains(name) { continue }  // its content is already skipped
                if RichTextPolicy.droppedWithContent.contains(name) {
                    if !selfClosing { dropping = (name, 1) }
                    continue
                }
                guard let allowed = policy.elements[name], open.count < policy.maxDepth else { continue }
                out += "<" + name
                for attribute in attributes where allowed.contains(attribute.name) {
                    guard let value = clean(attribute, policy: policy) else { continue }
                    out += " " + attribute.name + "=\""
                    escape(value, into: &out)
                    out += "\""
                }
                out += ">"
                if !RichTextPolicy.void.contains(name) { open.append(name) }
            case .end(let name):
                // Close up to the matching open element; an end tag for nothing open is dropped.
                guard let position = open.lastIndex(of: name) else { continue }
                while open.count > position { out += "</" + open.removeLast() + ">" }
            }
        }
        while let name = open.popLast() { out += "</" + name + ">" }
        return out
    }

    /// The attribute's value if it may be kept: URLs must be relative or use an allowed scheme, and numbers must
    /// be numbers.
    static func clean(_ attribute: (name: String, value: String), policy: RichTextPolicy) -> String? {
        if let schemes = policy.urlAttributes[attribute.name] {
            return safeURL(attribute.value, schemes: schemes)
        }
        if ["width", "height", "colspan", "rowspan", "start"].contains(attribute.name) {
            let value = attribute.value.trimmingASCIISpaces
            guard !value.isEmpty, value.count <= 5, value.allSatisfy(\.isASCIIDigit) else { return nil }
            return value
        }
        return attribute.value
    }

    /// `url` if a browser would read it as relative or with one of `schemes`. Control characters and whitespace
    /// inside the scheme are what `java\tscript:` tricks rely on: any of them before the first `:` refuses it.
    static func safeURL(_ url: String, schemes: Set<String>) -> String? {
        let trimmed = url.trimmingASCIISpaces
        guard !trimmed.isEmpty, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        guard let colon = trimmed.firstIndex(of: ":") else { return trimmed }
        let head = trimmed[..<colon]
        // A ':' after the first '/', '?' or '#' is not a scheme separator: the URL is relative.
        if head.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return trimmed }
        let scheme = head.lowercased()
        guard schemes.contains(scheme) else { return nil }
        return trimmed
    }

    static func escape(_ text: String, into out: inout String) {
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.append(character)
            }
        }
    }
}

extension String {
    fileprivate var trimmingASCIISpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isASCIISpace { scalars.removeFirst() }
        while let last = scalars.last, last.isASCIISpace { scalars.removeLast() }
        return String(scalars)
    }
}

extension Character {
    fileprivate var isASCIISpace: Bool {
        self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\u{0C}"
    }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
