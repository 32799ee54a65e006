import JSON
import RichText

/// A column's RSS/Atom feed as the gateway's poller sees it: where, how often, and what the last poll left.
public struct FeedSource: Sendable, Equatable {
    public var column: String
    public var url: String
    /// Seconds between polls while healthy.
    public var interval: Int64
    public var state: FeedPollState
}

/// What the poller remembers about a feed between polls (kept in the store, so restarts keep back-off and
/// conditional-GET validators).
public struct FeedPollState: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?
    /// When to poll next (milliseconds); 0 = at once.
    public var nextPollAt: Int64 = 0
    /// Consecutive failures, for back-off.
    public var failures: Int = 0
    public var lastError: String?
    public var lastSuccessAt: Int64?
    /// Articles created from this feed, all time.
    public var imported: Int64 = 0

    public init() {}

    var encoded: [UInt8] {
        var fields: JSONObject = [
            "nextPollAt": .int(nextPollAt), "failures": .int(Int64(failures)), "imported": .int(imported),
        ]
        if let etag { fields["etag"] = .string(etag) }
        if let lastModified { fields["lastModified"] = .string(lastModified) }
        if let lastError { fields["lastError"] = .string(lastError) }
        if let lastSuccessAt { fields["lastSuccessAt"] = .int(lastSuccessAt) }
        return JSONValue.object(fields).encoded()
    }

    init(decoding bytes: [UInt8]?) {
        let value = bytes.flatMap { try? JSONParser.parse($0) }
        etag = value?["etag"]?.stringValue
        lastModified = value?["lastModified"]?.stringValue
        nextPollAt = value?["nextPollAt"]?.int64Value ?? 0
        failures = value?["failures"]?.intValue ?? 0
        lastError = value?["lastError"]?.stringValue
        lastSuccessAt = value?["lastSuccessAt"]?.int64Value
        imported = value?["imported"]?.int64Value ?? 0
    }
}

/// One feed item to import, already read from the feed by the gateway.
public struct ImportedItem: Sendable, Equatable {
    /// The guid, id or link that identifies it across polls.
    public var key: String
    public var title: String
    public var link: String?
    /// HTML, sanitised here.
    public var html: String
    public var published: Int64?

    public init(key: String, title: String, link: String?, html: String, published: Int64?) {
        self.key = key
        self.title = title
        self.link = link
        self.html = html
        self.published = published
    }
}

extension Hub {
    /// Feeds due for a poll at `now` (all feeds when `now` is nil), with their state. On the hub queue.
    public func dueFeeds(at now: Int64?) -> [FeedSource] {
        news.columns.values.compactMap { column in
            guard let feed = column.feed, !column.archived else { return nil }
            let state = FeedPollState(decoding: news.feedStates[column.id])
            if let now, state.nextPollAt > now { return nil }
            return FeedSource(column: column.id, url: feed.url, interval: feed.interval, state: state)
        }.sorted { $0.column < $1.column }
    }

    /// Records a poll's outcome: the new state, and on success the feed's items, each upserted by its key (a
    /// repeated item changes nothing). Items are published at their feed time (never in the future). Answers how
    /// many articles were created and updated. On the hub queue.
    public func importFeed(
        column id: String,
        items: [ImportedItem],
        state: FeedPollState,
        completion: @escaping (Result<(created: Int, updated: Int), HubError>) -> Void
    ) {
        var state = state
        guard let column = news.columns[id], column.feed != nil else {
            return completion(.failure(HubError(.columnNotFound, "Column '\(id)' has no feed.")))
        }
        let now = clock()
        var created = 0
        var updated = 0
        var remaining = items.count
        func finish() {
            // The count is the hub's: the poller's copy of the state may be older than the last import.
            state.imported = FeedPollState(decoding: news.feedStates[id]).imported + Int64(created)
            let previous = news.feedStates[id]
            news.feedStates[id] = state.encoded
            write(
                [.putNewsDoc(NewsDoc(kind: .feedState, id: id, body: state.encoded))],
                undo: [{ [self] in news.feedStates[id] = previous }]
            ) { result in
                if case .failure = result { return completion(.failure(.storage)) }
                completion(.success((created, updated)))
            }
        }
        guard !items.isEmpty else { return finish() }
        // Oldest first, so the newest ends up on top of the feed when times tie.
        for item in items.reversed() {
            let clean = (try? HTMLSanitizer.sanitize(item.html)) ?? ""
            var title = item.title.isEmpty ? HTMLText.excerpt(HTMLText.plainText(clean), limit: 60) : item.title
            if title.count > ArticleInput.maxTitleCharacters {
                title = String(title.prefix(ArticleInput.maxTitleCharacters - 1)) + "…"
            }
            if title.isEmpty { title = item.link ?? item.key }
            var input = ArticleInput(publish: true)
            input.title = title
            input.content = ArticleContent(html: clean, text: HTMLText.plainText(clean))
            input.link = .some(item.link)
            // An item without a readable date is published when first seen, and keeps that time.
            input.publishAt = .some(item.published.map { min($0, now) })
            let key = "feed:\(id):" + String(Article.hash(item.key), radix: 16)
            upsert(externalID: key, input: input, column: column, author: "feed:" + id) { result in
                if case .success(let outcome) = result {
                    if outcome.created { created += 1 } else if outcome.changed { updated += 1 }
                }
                remaining -= 1
                if remaining == 0 { finish() }
            }
        }
    }
}
