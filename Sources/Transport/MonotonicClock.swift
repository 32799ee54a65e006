import Glibc

/// Monotonic nanoseconds, for deadlines and latency (never wall-clock time).
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension UInt64 {
    /// Adds seconds to a monotonic time in nanoseconds, saturating instead of trapping.
    public func adding(seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return self }
        let delta = seconds >= 1e9 ? UInt64.max : UInt64(seconds * 1e9)
        let (sum, overflow) = addingReportingOverflow(delta)
        return overflow ? .max : sum
    }
}
