import Hub
import Synchronization
import Transport

/// Bytes each user may upload (`limits.upload_mib_*`): one student cannot fill the disk with 100 MiB files, however
/// many addresses they come from. A declared length is taken before any byte is read; a chunked upload must find
/// the bucket not empty, and its size is charged when it ends (the bucket may go below empty, and the next upload
/// waits). Kept in memory: a restart forgives, which a limit against abuse can afford.
final class UploadQuota: Sendable {
    let limit: RateLimit
    private let buckets = Mutex<[String: TokenBucket]>([:])
    /// Past this many users, full buckets are forgotten (they would change nothing).
    static let sweepAt = 10_000

    /// `limit` in MiB.
    init(limit: RateLimit) {
        self.limit = limit
    }

    /// Before an upload of `bytes` (nil: not declared): nil to go ahead, else the seconds to wait.
    func admit(_ user: String, bytes: Int?) -> Double? {
        guard !limit.isUnlimited else { return nil }
        let amount = bytes.map { Double($0) / 1_048_576 } ?? 0
        return withBucket(user) { bucket, now in
            // An undeclared length needs at least a little room left.
            bucket.take(limit, amount: max(amount, 1e-6), now: now)
        }
    }

    /// After a chunked upload of `bytes` was admitted with `admit(user, bytes: nil)`.
    func charge(_ user: String, bytes: Int) {
        guard !limit.isUnlimited else { return }
        withBucket(user) { bucket, now in bucket.charge(limit, amount: Double(bytes) / 1_048_576, now: now) }
    }

    private func withBucket<Result>(_ user: String, _ body: (inout TokenBucket, Int64) -> Result) -> Result {
        let now = Int64(MonotonicClock.now() / 1_000_000)
        return buckets.withLock { buckets in
            if buckets.count >= Self.sweepAt {
                for (key, var bucket) in buckets where bucket.isFull(limit, now: now) { buckets[key] = nil }
            }
            var bucket = buckets[user] ?? TokenBucket(limit, now: now)
            let result = body(&bucket, now)
            buckets[user] = bucket
            return result
        }
    }
}
