/// The news center's in-memory state, owned by the hub (all on the hub queue).
final class NewsState {
    var columns: [String: NewsColumn] = [:]
    var articles: [Int64: Article] = [:]
    var byExternalID: [String: Int64] = [:]
    var preferences: [UserID: NewsPreferences] = [:]
    /// Feed-import state per column, as the gateway's poller last reported it (canonical JSON).
    var feedStates: [String: [UInt8]] = [:]
    /// Audiences of important articles, frozen at publication.
    var recipients: [Int64: [UserID]] = [:]
    var deadLetters: [String: [UInt8]] = [:]
    var lastArticleID: Int64 = 0
    /// Published articles, newest first: the feed, listings and the hot list walk it.
    private(set) var published: [Article] = []
    var lastRemindAt: [Int64: Timestamp] = [:]
    /// (article, user) reads recorded in the last minute: a second open racing the first one's write, which the
    /// store does not show yet, must not count the reader twice.
    var recentReads: [String: Timestamp] = [:]
    /// Webhook jobs handed to the sender and not answered yet.
    var webhooksInFlight: [Int64: JobRecord] = [:]

    private var objectIndex: [String: [Int64]] = [:]
    private var objectIndexStale = true

    /// Articles that show an uploaded object (cover or attachment), for download rights.
    func articles(showing object: String) -> [Article] {
        if objectIndexStale {
            objectIndex = [:]
            for article in articles.values {
                for id in article.attachments + (article.cover.map { [$0] } ?? []) {
                    objectIndex[id, default: []].append(article.id)
                }
            }
            objectIndexStale = false
        }
        return (objectIndex[object] ?? []).compactMap { articles[$0] }
    }

    func nextArticleID() -> Int64 {
        lastArticleID += 1
        return lastArticleID
    }

    /// Keeps `published` in step with the article's state and publish time.
    func reindex(_ article: Article) {
        objectIndexStale = true
        if let index = published.firstIndex(where: { $0 === article }) { published.remove(at: index) }
        guard article.isPublished else { return }
        let key = article.sortKey
        var low = 0
        var high = published.count
        while low < high {
            let mid = (low + high) / 2
            if published[mid].sortKey > key { low = mid + 1 } else { high = mid }
        }
        published.insert(article, at: low)
    }

    func add(_ article: Article) {
        articles[article.id] = article
        if let external = article.externalID { byExternalID[external] = article.id }
        reindex(article)
    }

    func remove(_ article: Article) {
        objectIndexStale = true
        articles[article.id] = nil
        if let external = article.externalID, byExternalID[external] == article.id { byExternalID[external] = nil }
        if let index = published.firstIndex(where: { $0 === article }) { published.remove(at: index) }
    }

    /// Published articles older than `cursor` (all when nil), newest first.
    func published(after cursor: ArticleCursor?) -> ArraySlice<Article> {
        guard let cursor else { return published[...] }
        var low = 0
        var high = published.count
        while low < high {
            let mid = (low + high) / 2
            if published[mid].sortKey >= cursor { low = mid + 1 } else { high = mid }
        }
        return published[low...]
    }
}
