import Dispatch
import Glibc
import Synchronization

/// One serial queue that owns a set of connections: their reads, writes, timers and state.
///
/// Everything that touches a connection runs on its loop's queue, so connection state needs no locks. Writes made
/// during one turn are collected and flushed by a single block queued behind the current work, which turns many small
/// frames for one socket into one `writev` (the uWebSockets "cork" idea, expressed with Dispatch).
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    public let queue: DispatchQueue

    /// Shared read buffer: connections do not own one, so an idle connection costs no buffer memory.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Decrypted bytes of TLS connections land here before they are handed to the handler.
    let tlsBuffer: UnsafeMutableRawBufferPointer

    /// Work handed in from other threads (the hub's deliveries), run in order by one queued block: a one-click
    /// remind to 5,000 members is a few Dispatch wake-ups per loop instead of 5,000.
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private var connections: [Connection] = []
    private var pendingFlush: [Connection] = []
    private var flushScheduled = false
    private var ticker: DispatchSourceTimer?

    init(index: Int, readBufferSize: Int, tickInterval: Double) {
        self.index = index
        self.queue = DispatchQueue(label: "yizhan.loop.\(index)", qos: .userInitiated)
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        self.tlsBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
        let ticker = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(max(1, Int(tickInterval * 1000)))
        ticker.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(10))
        ticker.setEventHandler { [unowned self] in self.tick() }
        self.ticker = ticker
        ticker.resume()
    }

    deinit {
        readBuffer.deallocate()
        tlsBuffer.deallocate()
    }

    /// Runs `work` on the loop's queue, after work handed in before it.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let first = inbox.withLock { pending in
            pending.append(work)
            return pending.count == 1
        }
        if first { queue.async { [unowned self] in self.drainInbox() } }
    }

    private func drainInbox() {
        var batch: [@Sendable () -> Void] = []
        inbox.withLock { swap(&$0, &batch) }
        for work in batch { work() }
    }

    /// Whether the caller is on this loop's queue.
    public func assertOnLoop() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    /// The open connections of this loop. Must be called on the loop's queue.
    public var openConnections: [Connection] { connections }

    func register(_ connection: Connection) {
        connection.registryIndex = connections.count
        connections.append(connection)
    }

    func unregister(_ connection: Connection) {
        let index = connection.registryIndex
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.registryIndex = index
        }
        connection.registryIndex = -1
    }

    /// Queues `connection` for the flush that runs after the current loop work.
    func scheduleFlush(_ connection: Connection) {
        pendingFlush.append(connection)
        if !flushScheduled {
            flushScheduled = true
            queue.async { [unowned self] in self.flushPending() }
        }
    }

    private func flushPending() {
        flushScheduled = false
        let batch = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for connection in batch {
            connection.flush()
        }
    }

    /// Fires expired deadlines. Collecting first keeps the scan safe while handlers close connections.
    private func tick() {
        let now = MonotonicClock.now()
        var expired: [Connection] = []
        for connection in connections where connection.deadline <= now {
            expired.append(connection)
        }
        for connection in expired {
            connection.deadlineReached(now: now)
        }
    }

    func stopTicking() {
        ticker?.cancel()
        ticker = nil
    }
}
