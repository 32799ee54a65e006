import JSON

/// A column (栏目) of a news source (站点: the school site, a college's site, a department): who sees it, who
/// edits it, whether its audience is subscribed by default, and an optional RSS/Atom feed it imports.
final class NewsColumn {
    struct FeedSource: Equatable {
        var url: String
        /// Seconds between polls when the feed is healthy.
        var interval: Int64
    }

    let id: String
    var name: String
    var source: String
    var audience: NewsAudience
    var editors: Set<UserID>
    /// Subscribed by default for everyone in its audience (a role column, 角色栏目).
    var subscribeByDefault: Bool
    /// Default order in users' column lists, ascending.
    var position: Int64
    var feed: FeedSource?
    var archived: Bool
    let createdAt: Timestamp
    var updatedAt: Timestamp
    var version: Int64

    init(id: String, createdAt: Timestamp) {
        self.id = id
        self.name = id
        self.source = ""
        self.audience = NewsAudience(everyone: true)
        self.editors = []
        self.subscribeByDefault = false
        self.position = 0
        self.archived = false
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.version = 1
    }

    /// Applies the fields present in a create or update request.
    func apply(_ fields: inout JSONFields, creating: Bool) throws(JSONFieldError) {
        if creating || fields.contains("name") {
            name = try fields.string("name", maxBytes: 200, nonEmpty: true)
        }
        if let source = try fields.optionalString("source", maxBytes: 200) { self.source = source }
        if var nested = try fields.optionalObject("audience") { audience = try NewsAudience.decode(&nested) }
        if let editors = try fields.optionalStringArray("editors", maxCount: 200, maxBytes: 128, nonEmpty: true) {
            self.editors = Set(editors)
        }
        if let flag = try fields.optionalBool("subscribeByDefault") { subscribeByDefault = flag }
        if let position = try fields.optionalInt("position", in: Int64(-1_000_000)...Int64(1_000_000)) {
            self.position = position
        }
        if let flag = try fields.optionalBool("archived") { archived = flag }
        if fields.contains("feed") {
            // `"feed": null` stops importing.
            if var nested = try fields.optionalObject("feed") {
                let url = try nested.string("url", maxBytes: 2000, nonEmpty: true)
                let interval = try nested.optionalInt("interval", in: Int64(60)...Int64(86_400)) ?? 900
                try nested.rejectUnknownFields()
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.outOfRange,
                        field: nested.fieldPath("url"),
                        message: "Field '\(nested.fieldPath("url"))' must be an http:// or https:// URL."
                    )
                }
                feed = FeedSource(url: url, interval: interval)
            } else {
                feed = nil
            }
        }
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writeFields(to: &writer)
        writer.endObject()
    }

    /// Id, name and source: what everyone may see of a column.
    func writeIdentity(to writer: inout JSONWriter) {
        writer.key("id")
        writer.string(id)
        writer.key("name")
        writer.string(name)
        writer.key("source")
        writer.string(source)
    }

    /// Every field, inside an object the caller opened.
    func writeFields(to writer: inout JSONWriter) {
        writeIdentity(to: &writer)
        writer.key("audience")
        audience.write(to: &writer)
        writer.users("editors", editors.sorted())
        writer.key("subscribeByDefault")
        writer.bool(subscribeByDefault)
        writer.key("position")
        writer.int(position)
        writer.key("feed")
        if let feed {
            writer.beginObject()
            writer.key("url")
            writer.string(feed.url)
            writer.key("interval")
            writer.int(feed.interval)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("archived")
        writer.bool(archived)
        writer.key("createdAt")
        writer.int(createdAt)
        writer.key("updatedAt")
        writer.int(updatedAt)
        writer.key("version")
        writer.int(version)
    }

    var doc: NewsDoc {
        var writer = JSONWriter(capacity: 256)
        write(to: &writer)
        return NewsDoc(kind: .column, id: id, body: writer.bytes)
    }

    static func restore(_ doc: NewsDoc) -> NewsColumn? {
        guard let value = try? JSONParser.parse(doc.body) else { return nil }
        let column = NewsColumn(id: doc.id, createdAt: value["createdAt"]?.int64Value ?? 0)
        column.name = value["name"]?.stringValue ?? doc.id
        column.source = value["source"]?.stringValue ?? ""
        column.audience = NewsAudience.restore(value["audience"])
        column.editors = Set((value["editors"]?.arrayValue ?? []).compactMap(\.stringValue))
        column.subscribeByDefault = value["subscribeByDefault"]?.boolValue ?? false
        column.position = value["position"]?.int64Value ?? 0
        if let url = value["feed"]?["url"]?.stringValue {
            column.feed = FeedSource(url: url, interval: value["feed"]?["interval"]?.int64Value ?? 900)
        }
        column.archived = value["archived"]?.boolValue ?? false
        column.updatedAt = value["updatedAt"]?.int64Value ?? column.createdAt
        column.version = value["version"]?.int64Value ?? 1
        return column
    }
}
