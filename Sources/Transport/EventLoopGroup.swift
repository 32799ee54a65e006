import Glibc

/// A fixed set of event loops; accepted connections are spread over them round-robin.
public final class EventLoopGroup: @unchecked Sendable {
    public let loops: [EventLoop]
    private var nextIndex = 0

    /// - Parameters:
    ///   - count: number of loops; default one per core.
    ///   - readBufferSize: each loop's shared read buffer (default 64 KiB: one socket read per wakeup for typical
    ///     traffic, small enough to stay in L2).
    ///   - tickInterval: seconds between deadline scans (timeouts fire with at most this much delay).
    public init(
        count: Int = EventLoopGroup.defaultLoopCount,
        readBufferSize: Int = 64 * 1024,
        tickInterval: Double = 0.25
    ) {
        let count = max(1, count)
        self.loops = (0..<count).map {
            EventLoop(index: $0, readBufferSize: readBufferSize, tickInterval: tickInterval)
        }
    }

    /// One loop per online core.
    public static var defaultLoopCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The next loop in round-robin order. Called only from the accept queue.
    func next() -> EventLoop {
        let loop = loops[nextIndex]
        nextIndex = (nextIndex + 1) % loops.count
        return loop
    }
}
