/// Per-user limits on what a person can make others see: posts, answers, reminders. A limited command is refused
/// with `rate_limited` and `retryAfter` before anything is written, so nothing already accepted is ever dropped;
/// a retry of something already accepted (same `clientMsgId`) is answered as before and costs nothing.
extension Hub {
    enum RateCategory: CaseIterable {
        /// Messages, cards, tasks, group files, new groups: things that appear in others' conversations.
        case post
        /// Card responses and task completions.
        case answer
        /// One-click reminders.
        case remind
    }

    struct UserBuckets {
        var post: TokenBucket?
        var answer: TokenBucket?
        var remind: TokenBucket?
    }

    func limit(for category: RateCategory) -> RateLimit {
        switch category {
        case .post: configuration.rateLimits.posts
        case .answer: configuration.rateLimits.answers
        case .remind: configuration.rateLimits.reminders
        }
    }

    /// Which bucket `command` draws from, if any.
    func rateCategory(of command: Command, user: UserID) -> RateCategory? {
        switch command {
        case .send(let send):
            return recentAcks[user + "\u{0}" + send.clientMsgID] == nil ? .post : nil
        case .cardPublish(_, let clientMsgID, _), .taskPublish(_, let clientMsgID, _):
            return publishedByClientID[user + "\u{0}" + clientMsgID] == nil ? .post : nil
        case .groupCreate, .fileAdd:
            return .post
        case .cardRespond, .taskComplete, .taskUndo:
            return .answer
        case .taskRemind:
            return .remind
        default:
            return nil
        }
    }

    /// Takes a token for `command`, or throws `rate_limited` saying how long to wait.
    func checkRate(_ command: Command, user: UserID) throws(HubError) {
        guard let category = rateCategory(of: command, user: user) else { return }
        let limit = limit(for: category)
        guard !limit.isUnlimited else { return }
        let now = clock()
        var buckets = rateBuckets[user] ?? UserBuckets()
        var bucket: TokenBucket
        switch category {
        case .post: bucket = buckets.post ?? TokenBucket(limit, now: now)
        case .answer: bucket = buckets.answer ?? TokenBucket(limit, now: now)
        case .remind: bucket = buckets.remind ?? TokenBucket(limit, now: now)
        }
        let wait = bucket.take(limit, now: now)
        switch category {
        case .post: buckets.post = bucket
        case .answer: buckets.answer = bucket
        case .remind: buckets.remind = bucket
        }
        rateBuckets[user] = buckets
        if let wait {
            var error = HubError(.rateLimited, "You are doing this too often; wait a moment and try again.")
            error.retryAfter = (wait * 1000).rounded(.up) / 1000
            throw error
        }
    }

    /// Forgets buckets that have refilled (called from `tick` now and then), so memory follows active users.
    func sweepRateBuckets() {
        let now = clock()
        rateBuckets = rateBuckets.filter { _, buckets in
            var buckets = buckets
            func full(_ bucket: inout TokenBucket?, _ category: RateCategory) -> Bool {
                guard var value = bucket else { return true }
                let limit = limit(for: category)
                guard !limit.isUnlimited else { return true }
                defer { bucket = value }
                return value.isFull(limit, now: now)
            }
            return !(full(&buckets.post, .post) && full(&buckets.answer, .answer) && full(&buckets.remind, .remind))
        }
    }
}
