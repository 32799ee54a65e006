import Glibc

/// The one point in monotonic time by which the whole exchange (connect, TLS, send, receive) must finish.
/// Every poll() waits only for what remains, so a slow server fails on time instead of resetting a per-read timer.
struct Deadline: Sendable {
    let seconds: Double
    private let end: UInt64

    init(seconds: Double) {
        self.seconds = seconds
        let now = Self.now()
        guard seconds.isFinite else {
            end = seconds > 0 ? .max : now
            return
        }
        let delta = seconds <= 0 ? 0 : seconds >= 1e9 ? UInt64.max : UInt64(seconds * 1e9)
        let (sum, overflow) = now.addingReportingOverflow(delta)
        end = overflow ? .max : sum
    }

    /// Milliseconds left for poll(), rounded up so a wait never spins at zero; throws once the deadline passed.
    func remainingMilliseconds() throws(HTTPClientError) -> Int32 {
        let now = Self.now()
        guard now < end else { throw HTTPClientError.timedOut(after: seconds) }
        let milliseconds = (end - now + 999_999) / 1_000_000
        return Int32(clamping: milliseconds)
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
