/// The hub's behaviour and limits. Defaults are for production; the README lists them with the config keys.
public struct HubConfiguration: Sendable {
    /// Seconds after sending during which the sender may recall a message (admins may always). Default 120.
    public var recallWindow: Double = 120
    /// Newest messages of each group kept in memory, encoded: most resumes after a network blip and every
    /// conversation list are served from here without the store. Default 128.
    public var recentMessages = 128
    /// Default and largest page of `sync` and `history`. Defaults 100 and 500.
    public var defaultPage = 100
    public var maxPage = 500
    /// Bytes of messages in one `sync` or `history` reply; beyond it the page ends early with `more`. Default
    /// 256 KiB: far below the 1 MiB outbound cap, so a big page never looks like a slow consumer.
    public var maxReplyBytes = 256 * 1024
    /// Seconds between coalesced receipt pushes to senders. Default 1.
    public var receiptInterval: Double = 1
    /// Most write operations in one store transaction. Default 5000.
    public var maxBatchOperations = 5000
    /// Members a group may have. Default 5000.
    public var maxGroupMembers = 5000
    /// Characters in a text message. Default 5000.
    public var maxTextLength = 5000
    /// Bytes of a message body as JSON. Default 16 KiB.
    public var maxBodyBytes = 16 * 1024
    /// Characters in a group name. Default 64.
    public var maxGroupNameLength = 64
    /// Mentions in one message. Default 100.
    public var maxMentions = 100
    /// Seconds between two one-click reminders of one task. Default 600 (10 minutes).
    public var taskRemindInterval: Double = 600
    /// Days a closed card or task stays in memory (older ones are read from the store when asked for). Default 30.
    public var recordRetentionInMemoryDays = 30
    /// Per-user rate limits (Hub+RateLimits.swift).
    public var rateLimits = HubRateLimits()
    /// How long messages and records are kept (Hub+Retention.swift).
    public var retention = RetentionPolicy()
    public var news = NewsConfiguration()

    public init() {}
}

/// Per-user token buckets; `.unlimited` turns one off. Defaults leave room for anyone typing, answering or reminding by
/// hand and stop scripts flooding a group.
public struct HubRateLimits: Sendable {
    /// Messages, cards, tasks, group files and new groups. Default 60 a minute, bursts of 20.
    public var posts: RateLimit = .perMinute(60, burst: 20)
    /// Card responses and task completions. Default 60 a minute, bursts of 20.
    public var answers: RateLimit = .perMinute(60, burst: 20)
    /// One-click reminders (each task also waits `taskRemindInterval` between reminders). Default 30 an hour,
    /// bursts of 10.
    public var reminders: RateLimit = RateLimit(perSecond: 30.0 / 3600, burst: 10)

    public init() {}

    /// No per-user limits (load generators, and tests of other things).
    public static let unlimited: HubRateLimits = {
        var limits = HubRateLimits()
        limits.posts = .unlimited
        limits.answers = .unlimited
        limits.reminders = .unlimited
        return limits
    }()
}
