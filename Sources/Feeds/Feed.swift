/// A feed as read from RSS 2.0 or Atom: what the news center needs to import its items.
public struct Feed: Sendable, Equatable {
    public var title: String
    public var items: [FeedItem]
}

public struct FeedItem: Sendable, Equatable {
    /// What de-duplicates the item across polls: the RSS `guid` or Atom `id`, else the link, else the title.
    public var key: String
    public var title: String
    public var link: String?
    /// The short text (RSS `description`, Atom `summary`), as the feed gives it (HTML for most school sites).
    public var summary: String?
    /// The full body when the feed carries one (`content:encoded`, Atom `content`).
    public var content: String?
    /// Publication time in Unix milliseconds, when the feed states one that parses.
    public var published: Int64?
}

public enum FeedError: Error, Equatable, Sendable {
    /// Not well-formed enough to read, with what was wrong.
    case malformed(String)
    /// Well-formed, but neither `<rss>` nor `<feed>`.
    case notAFeed
    /// Larger than the limit the caller set.
    case tooLarge(limit: Int)
}
