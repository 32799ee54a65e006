/// A sustained rate with a burst allowance: `burst` actions at once, then `perSecond` on average. A rate of 0 is
/// no limit.
public struct RateLimit: Sendable, Equatable {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
    }

    public static let unlimited = RateLimit(perSecond: 0, burst: 1)

    public var isUnlimited: Bool { perSecond <= 0 }

    /// `count` actions per minute with a burst of `burst`.
    public static func perMinute(_ count: Double, burst: Double) -> RateLimit {
        RateLimit(perSecond: count / 60, burst: burst)
    }
}

/// A token bucket: starts full, refills continuously, each action takes one token. A value type, so the caller
/// decides where buckets live and how they are locked; the clock is passed in, so tests need no sleeps.
public struct TokenBucket: Sendable {
    private var tokens: Double
    private var updated: Int64

    /// A full bucket at `now` (milliseconds).
    public init(_ limit: RateLimit, now: Int64) {
        tokens = limit.burst
        updated = now
    }

    /// Takes a token if there is one and returns nil; otherwise returns the seconds until one is available and
    /// takes nothing (a refused action costs nothing, so a client that waits as told gets through).
    public mutating func take(_ limit: RateLimit, now: Int64) -> Double? {
        take(limit, amount: 1, now: now)
    }

    /// Takes `amount` tokens (at most a full bucket's worth, so anything may pass once the bucket is full), or
    /// returns the seconds until they are there and takes nothing.
    public mutating func take(_ limit: RateLimit, amount: Double, now: Int64) -> Double? {
        refill(limit, now: now)
        let amount = min(amount, limit.burst)
        if tokens >= amount {
            tokens -= amount
            return nil
        }
        return (amount - tokens) / limit.perSecond
    }

    /// Takes `amount` tokens whether or not they are there (the action has happened): the bucket may go below
    /// empty, and the next `take` waits until it has refilled.
    public mutating func charge(_ limit: RateLimit, amount: Double, now: Int64) {
        refill(limit, now: now)
        tokens -= amount
    }

    /// Whether the bucket is full at `now`, so forgetting it changes nothing.
    public mutating func isFull(_ limit: RateLimit, now: Int64) -> Bool {
        refill(limit, now: now)
        return tokens >= limit.burst
    }

    private mutating func refill(_ limit: RateLimit, now: Int64) {
        // A clock that steps back refills nothing rather than draining.
        let elapsed = Double(max(0, now - updated)) / 1000
        tokens = min(limit.burst, tokens + elapsed * limit.perSecond)
        updated = max(updated, now)
    }
}
