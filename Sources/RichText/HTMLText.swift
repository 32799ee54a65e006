/// The readable text of an HTML fragment: for full-text search, summaries and notifications.
public enum HTMLText {
    /// Text content with tags removed, entities decoded, script and style dropped, and runs of white space
    /// (including the breaks block elements imply) collapsed to one space.
    public static func plainText(_ html: String) -> String {
        var tokenizer = HTMLTokenizer(html)
        var out = ""
        out.reserveCapacity(html.utf8.count / 2)
        var skipping: String?
        var pendingSpace = false
        func append(_ text: String) {
            for character in text {
                if character.isWhitespace {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace {
                        out.append(" ")
                        pendingSpace = false
                    }
                    out.append(character)
                }
            }
        }
        while let token = tokenizer.next() {
            switch token {
            case .text(let text):
                if skipping == nil { append(text) }
            case .start(let name, _, let selfClosing):
                if skipping == nil, !selfClosing, name == "script" || name == "style" {
                    skipping = name
                } else if !inline.contains(name) {
                    pendingSpace = !out.isEmpty
                }
            case .end(let name):
                if name == skipping {
                    skipping = nil
                } else if !inline.contains(name) {
                    pendingSpace = !out.isEmpty
                }
            }
        }
        return out
    }

    /// The first `limit` characters of `text`, cut at a character boundary, with "…" when cut.
    public static func excerpt(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    private static let inline: Set<String> = [
        "a", "b", "strong", "i", "em", "u", "s", "span", "sub", "sup", "code", "small", "mark", "font", "abbr",
    ]
}
