/// News-center timings and limits (README "Configuration", `news.*` settings).
public struct NewsConfiguration: Sendable {
    /// Seconds after an important article's publication when the unread get a second reminder, once; 0 = none.
    public var followUpDelay: Double = 86_400
    /// Seconds after the follow-up when the still unread are handed to the webhook; needs a webhook
    /// sender (`Hub.webhookSender`).
    public var webhookDelay: Double = 3_600
    /// Attempts per webhook delivery before it becomes a dead letter.
    public var webhookAttempts = 8
    /// Seconds before the first retry; each retry waits twice as long as the one before.
    public var webhookRetryBase: Double = 30
    /// Seconds an editor must wait between one-click reminders of one article.
    public var remindInterval: Double = 600
    /// Seconds for an article's hot score to halve.
    public var hotHalfLife: Double = 21_600
    /// Days an article stays in the hot list.
    public var hotWindowDays = 7
    /// Seconds: an article published longer ago than this (an old item of a newly imported feed, a back-dated
    /// push) goes to feeds but is not pushed live.
    public var livePushMaxAge: Double = 3_600
    /// Days of articles that count towards unread totals.
    public var unreadWindowDays = 30

    public init() {}
}
