/// Reads RSS 2.0 and Atom documents into `Feed`s. Sans-I/O: bytes in, a value out. Limits: the document's size and
/// the number of items kept (the newest come first in both formats, so the rest are older ones a poll has seen).
public enum FeedParser {
    public static func parse(_ bytes: [UInt8], maxBytes: Int = 5 << 20, maxItems: Int = 200) throws(FeedError) -> Feed {
        guard bytes.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        var scanner = XMLScanner(bytes)
        var path: [String] = []
        var format: Format?
        var feed = Feed(title: "", items: [])
        var item: ItemFields?
        var text = ""
        while let event = try scanner.next() {
            switch event {
            case .start(let name, let attributes, let empty):
                if path.isEmpty {
                    switch name {
                    case "rss", "rdf:RDF": format = .rss
                    case "feed": format = .atom
                    default: throw .notAFeed
                    }
                }
                if name == "item" || name == "entry" { item = ItemFields() }
                if name == "link", format == .atom, var current = item {
                    // Atom: the alternate link (no rel means alternate) is the article.
                    let rel = attributes["rel"] ?? "alternate"
                    if rel == "alternate", current.link == nil { current.link = attributes["href"] }
                    item = current
                }
                if !empty {
                    path.append(name)
                    text = ""
                }
            case .text(let chunk):
                text += chunk
            case .end(let name):
                guard path.last == name else { throw .malformed("</\(name)> closes <\(path.last ?? "nothing")>") }
                path.removeLast()
                let value = text.trimmingSpaces
                text = ""
                if name == "item" || name == "entry", let fields = item {
                    item = nil
                    if feed.items.count < maxItems, let finished = fields.item { feed.items.append(finished) }
                    continue
                }
                if var fields = item {
                    fields.set(name, value)
                    item = fields
                } else if name == "title", path.last == "channel" || path.last == "feed" {
                    feed.title = value
                }
            }
        }
        guard format != nil else { throw .notAFeed }
        guard path.isEmpty else { throw .malformed("<\(path.last ?? "")> is never closed") }
        return feed
    }

    enum Format {
        case rss
        case atom
    }

    /// The fields of one item while it is read.
    struct ItemFields {
        var guid: String?
        var title: String?
        var link: String?
        var summary: String?
        var content: String?
        var date: String?

        mutating func set(_ element: String, _ value: String) {
            guard !value.isEmpty else { return }
            switch element {
            case "guid", "id": guid = value
            case "title": title = value
            case "link": link = link ?? value
            case "description", "summary": summary = value
            case "content:encoded", "content": content = value
            case "pubDate", "published", "dc:date": date = value
            case "updated": date = date ?? value
            default: break
            }
        }

        var item: FeedItem? {
            guard let key = guid ?? link ?? title else { return nil }
            return FeedItem(
                key: key,
                title: title ?? "",
                link: link,
                summary: summary,
                content: content,
                published: date.flatMap(FeedDate.parse)
            )
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
