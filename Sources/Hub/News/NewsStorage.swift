/// What the news center keeps whole and loads at start-up: columns, users' column preferences, feed-import
/// state, must-read recipient lists and dead webhook deliveries. Small documents, keyed by (kind, id).
public enum NewsDocKind: String, Sendable, CaseIterable {
    case column
    case preferences
    case feedState = "feed_state"
    /// The audience of an important article at its publish time (fan-out on write for must-read tracking only).
    case recipients
    /// A webhook delivery that failed its last attempt.
    case deadLetter = "dead_letter"
}

public struct NewsDoc: Sendable, Equatable {
    public var kind: NewsDocKind
    public var id: String
    /// The hub's canonical JSON.
    public var body: [UInt8]

    public init(kind: NewsDocKind, id: String, body: [UInt8]) {
        self.kind = kind
        self.id = id
        self.body = body
    }
}

/// An article row. The hub keeps `meta` of every article in memory; bodies stay in the store.
public struct ArticleRecord: Sendable, Equatable {
    public var id: Int64
    public var column: String
    /// Unique when set (campus systems' and feeds' ids).
    public var externalID: String?
    public var title: String
    /// Everything but the body, as the hub's canonical JSON.
    public var meta: [UInt8]
    /// The body; nil keeps the stored one (a change of state or flags only).
    public var content: ArticleContent?

    public init(
        id: Int64,
        column: String,
        externalID: String?,
        title: String,
        meta: [UInt8],
        content: ArticleContent?
    ) {
        self.id = id
        self.column = column
        self.externalID = externalID
        self.title = title
        self.meta = meta
        self.content = content
    }
}

/// An article's body: sanitised HTML, and its plain text for search.
public struct ArticleContent: Sendable, Equatable {
    public var html: String
    public var text: String

    public init(html: String, text: String) {
        self.html = html
        self.text = text
    }
}

/// Views and distinct readers of one article.
public struct ArticleCounters: Sendable, Equatable {
    public var views: Int64
    public var readers: Int64

    public init(views: Int64 = 0, readers: Int64 = 0) {
        self.views = views
        self.readers = readers
    }
}

/// The news center at start-up.
public struct NewsSnapshot: Sendable, Equatable {
    public var docs: [NewsDoc]
    /// Without content.
    public var articles: [ArticleRecord]
    public var counters: [Int64: ArticleCounters]

    public init(docs: [NewsDoc] = [], articles: [ArticleRecord] = [], counters: [Int64: ArticleCounters] = [:]) {
        self.docs = docs
        self.articles = articles
        self.counters = counters
    }
}

/// An article's body read for one viewer, and whether that viewer had opened it before.
public struct ArticleRead: Sendable, Equatable {
    public var content: ArticleContent?
    public var viewedBefore: Bool

    public init(content: ArticleContent?, viewedBefore: Bool) {
        self.content = content
        self.viewedBefore = viewedBefore
    }
}

/// Reads of the news center's per-reader rows and bodies, which are not kept in memory. (The rest comes with
/// the hub's snapshot, `HubSnapshot.news`.)
public protocol NewsStore: AnyObject, Sendable {
    /// The article's body, and whether `viewer` has a view recorded.
    func readArticle(
        _ id: Int64,
        viewer: UserID,
        completion: @escaping @Sendable (Result<ArticleRead, StoreError>) -> Void
    )
    /// Which of `articles` `user` has opened.
    func readViewed(
        user: UserID,
        articles: [Int64],
        completion: @escaping @Sendable (Result<Set<Int64>, StoreError>) -> Void
    )
    /// Who opened the article, with the time of their first view.
    func readReaders(_ article: Int64, completion: @escaping @Sendable (Result<[UserID: Int64], StoreError>) -> Void)
    /// Ids of articles whose title or body contains `text`, best matches first.
    func searchArticles(
        _ text: String,
        limit: Int,
        completion: @escaping @Sendable (Result<[Int64], StoreError>) -> Void
    )
}
