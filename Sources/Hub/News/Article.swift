import JSON

/// A news article. Everything but the body lives in memory (the feed, listings, the hot list and live pushes are
/// served from it); the body is read from the store when someone opens the article.
final class Article {
    enum State: String {
        case draft
        /// Published automatically at `publishAt`.
        case scheduled
        case published
        case retracted
    }

    let id: Int64
    var column: String
    let externalID: String?
    var title: String
    var summary: String
    /// An uploaded image object.
    var cover: String?
    var attachments: [String]
    /// The original page (imported feed items).
    var link: String?
    /// A user id, or `app:<service>` / `feed:<column>` for pushed and imported articles.
    let author: String
    var state: State
    var publishAt: Timestamp?
    var publishedAt: Timestamp?
    var pinned: Bool
    var important: Bool
    let createdAt: Timestamp
    var updatedAt: Timestamp
    /// Bumped by every change: the REST layer's ETag.
    var version: Int64
    /// FNV-1a of the sanitised body, so an upsert that changes nothing writes nothing.
    var bodyHash: UInt64
    var counters = ArticleCounters()

    init(id: Int64, column: String, externalID: String?, author: String, createdAt: Timestamp) {
        self.id = id
        self.column = column
        self.externalID = externalID
        self.title = ""
        self.summary = ""
        self.attachments = []
        self.author = author
        self.state = .draft
        self.pinned = false
        self.important = false
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.version = 1
        self.bodyHash = 0
    }

    var isPublished: Bool { state == .published }

    /// Takes every changeable field of `other` (the undo of a failed write restores the same object, so every
    /// index that holds it stays right).
    func assign(from other: Article) {
        column = other.column
        title = other.title
        summary = other.summary
        cover = other.cover
        attachments = other.attachments
        link = other.link
        state = other.state
        publishAt = other.publishAt
        publishedAt = other.publishedAt
        pinned = other.pinned
        important = other.important
        updatedAt = other.updatedAt
        version = other.version
        bodyHash = other.bodyHash
        counters = other.counters
    }

    /// Feed order: newest publish first, then newest id.
    var sortKey: ArticleCursor { ArticleCursor(time: publishedAt ?? createdAt, id: id) }

    static func hash(_ html: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in html.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// Title, state and everything a list shows (no body).
    func writeSummary(to writer: inout JSONWriter, columnName: String?) {
        writer.key("id")
        writer.int(id)
        writer.key("column")
        writer.string(column)
        if let columnName {
            writer.key("columnName")
            writer.string(columnName)
        }
        writer.key("title")
        writer.string(title)
        writer.key("summary")
        writer.string(summary)
        writer.optionalString("cover", cover)
        writer.key("attachments")
        writer.beginArray()
        for object in attachments { writer.string(object) }
        writer.endArray()
        writer.optionalString("link", link)
        writer.key("author")
        writer.string(author)
        writer.key("state")
        writer.string(state.rawValue)
        writer.key("publishAt")
        if let publishAt { writer.int(publishAt) } else { writer.null() }
        writer.key("publishedAt")
        if let publishedAt { writer.int(publishedAt) } else { writer.null() }
        writer.key("pinned")
        writer.bool(pinned)
        writer.key("important")
        writer.bool(important)
        writer.optionalString("externalId", externalID)
        writer.key("createdAt")
        writer.int(createdAt)
        writer.key("updatedAt")
        writer.int(updatedAt)
        writer.key("version")
        writer.int(version)
    }

    /// The stored row; `content` only when the body changed.
    func record(content: ArticleContent?) -> ArticleRecord {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writeSummary(to: &writer, columnName: nil)
        writer.key("bodyHash")
        writer.string(String(bodyHash, radix: 16))
        writer.endObject()
        return ArticleRecord(
            id: id,
            column: column,
            externalID: externalID,
            title: title,
            meta: writer.bytes,
            content: content
        )
    }

    static func restore(_ record: ArticleRecord) -> Article? {
        guard let meta = try? JSONParser.parse(record.meta) else { return nil }
        let article = Article(
            id: record.id,
            column: record.column,
            externalID: record.externalID,
            author: meta["author"]?.stringValue ?? "",
            createdAt: meta["createdAt"]?.int64Value ?? 0
        )
        article.title = record.title
        article.summary = meta["summary"]?.stringValue ?? ""
        article.cover = meta["cover"]?.stringValue
        article.attachments = (meta["attachments"]?.arrayValue ?? []).compactMap(\.stringValue)
        article.link = meta["link"]?.stringValue
        article.state = meta["state"]?.stringValue.flatMap(State.init) ?? .draft
        article.publishAt = meta["publishAt"]?.int64Value
        article.publishedAt = meta["publishedAt"]?.int64Value
        article.pinned = meta["pinned"]?.boolValue ?? false
        article.important = meta["important"]?.boolValue ?? false
        article.updatedAt = meta["updatedAt"]?.int64Value ?? article.createdAt
        article.version = meta["version"]?.int64Value ?? 1
        article.bodyHash = meta["bodyHash"]?.stringValue.flatMap { UInt64($0, radix: 16) } ?? 0
        return article
    }
}

/// A position in a newest-first article list: "<time>_<id>", opaque to clients.
struct ArticleCursor: Comparable {
    var time: Timestamp
    var id: Int64

    static func < (a: ArticleCursor, b: ArticleCursor) -> Bool { (a.time, a.id) < (b.time, b.id) }

    var encoded: String { "\(time)_\(id)" }

    init(time: Timestamp, id: Int64) {
        self.time = time
        self.id = id
    }

    init?(_ text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Int64(parts[0]), let id = Int64(parts[1]) else { return nil }
        self.init(time: time, id: id)
    }
}
