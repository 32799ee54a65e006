import Foundation
import Glibc
import Synchronization
import WebSocket

/// Where the clients connect, and with which source addresses.
struct ClientTarget: Sendable {
    var host: String
    var port: UInt16
    var path = "/v1/ws"
    /// Bind each socket to 127.0.0.2…127.0.0.254 (by user) before connecting: one loopback source address has
    /// about 28,000 ephemeral ports, and the server allows 2,000 connections per client IP.
    var spreadSources: Bool
    /// One access token per fixture user.
    var tokens: [String]
}

/// Counters of one client thread.
struct WorkerStats: Sendable {
    /// Bytes and syscalls, in and out.
    var bytesIn = 0
    var bytesOut = 0
    var reads = 0
    var writes = 0
    var framesIn = 0
    /// Connect start to 101, for every successful handshake.
    var handshakes = Histogram()
    /// Connections that never opened, by reason ("http 503", "Connection refused"…).
    var failures: [String: Int] = [:]

    mutating func merge(_ other: WorkerStats) {
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        reads += other.reads
        writes += other.writes
        framesIn += other.framesIn
        handshakes.merge(other.handshakes)
        failures.merge(other.failures, uniquingKeysWith: +)
    }
}

/// One client thread: an epoll set, the connections it owns, and a loop that reads every ready socket, hands whole
/// messages to the scenario's handler and then writes each connection's queued frames with one `write` per turn.
final class ClientWorker: @unchecked Sendable {
    typealias Job = @Sendable (ClientWorker) -> Void

    let index: Int
    let target: ClientTarget
    /// Connection slots (worker thread only, like everything mutable here).
    var connections: [ClientConnection] = []
    var handler: ClientHandler?
    /// epoll_wait timeout: how often `tick` runs when nothing arrives (1 ms for paced senders).
    var tickMilliseconds: Int32 = 20
    /// Handshakes this worker keeps in flight at most.
    var maxInFlight = 256
    var inFlight = 0
    /// Seconds a connect plus handshake may take before it counts as failed.
    var handshakeTimeout: Double = 30
    var stats = WorkerStats()
    /// Scratch buffer for building requests.
    var request = RequestWriter()

    /// Slots waiting to connect (from `connectHead` on), and delayed retries with their due time.
    var connectQueue: [Int] = []
    var connectHead = 0
    var retries: [(due: UInt64, slot: Int)] = []
    private var flushList: [ClientConnection] = []
    let epoll: Int32
    private let wake: Int32
    private let inbox = Mutex<[Job]>([])
    private var running = true
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    private static let eventCapacity = 1024
    private let events = UnsafeMutableRawPointer.allocate(
        byteCount: Epoll.eventSize * eventCapacity,
        alignment: 16
    )
    private var nextTimeoutScan: UInt64 = 0
    private let finished = DispatchSemaphore(value: 0)
    let serverAddress: sockaddr_in

    init(index: Int, target: ClientTarget) {
        self.index = index
        self.target = target
        epoll = Epoll.create()
        wake = Epoll.makeEventFD()
        precondition(epoll >= 0 && wake >= 0, "cannot create epoll/eventfd: \(String(cString: strerror(errno)))")
        Epoll.control(epoll, Epoll.add, wake, events: Epoll.input, data: UInt64.max)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = target.port.bigEndian
        inet_pton(AF_INET, target.host, &address.sin_addr)
        serverAddress = address
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        Glibc.close(epoll)
        Glibc.close(wake)
    }

    // MARK: Threads

    /// Starts the worker's thread.
    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "bench-client-\(index)"
        thread.start()
    }

    /// Runs `job` on this worker's thread at the start of its next turn.
    func execute(_ job: @escaping Job) {
        inbox.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Ends the loop, closes every socket and waits for the thread.
    func stopAndWait() {
        execute { worker in worker.running = false }
        finished.wait()
    }

    private func run() {
        while running {
            runJobs()
            startConnects()
            // Requests queued by jobs leave now, not after the wait.
            flushAll()
            let count = Epoll.wait(
                epoll,
                events,
                capacity: Self.eventCapacity,
                timeoutMilliseconds: tickMilliseconds
            )
            for index in 0..<max(0, count) {
                let (mask, data) = Epoll.event(index, in: events)
                if data == UInt64.max {
                    var value: UInt64 = 0
                    _ = read(wake, &value, 8)
                    continue
                }
                let slot = Int(data & 0xFFFF_FFFF)
                let connection = connections[slot]
                guard UInt32(data >> 32) == connection.generation, connection.fd >= 0 else { continue }
                handle(connection, mask)
            }
            let now = Clock.now()
            handler?.tick(self, now: now)
            flushAll()
            if now >= nextTimeoutScan {
                nextTimeoutScan = now + 500_000_000
                expireHandshakes(now)
            }
        }
        for connection in connections where connection.fd >= 0 {
            Glibc.close(connection.fd)
            connection.resetTransport()
        }
    }

    private func runJobs() {
        let jobs = inbox.withLock { jobs in
            let taken = jobs
            jobs = []
            return taken
        }
        for job in jobs { job(self) }
    }

    // MARK: Requests

    /// Queues `request`'s bytes as one text frame on `connection`; it leaves with the turn's writes.
    func sendRequest(on connection: ClientConnection) {
        guard connection.state == .open else { return }
        request.bytes.withUnsafeBytes { connection.appendFrame(opcode: 0x1, $0) }
        markForFlush(connection)
    }

    private func markForFlush(_ connection: ClientConnection) {
        if !connection.queuedForFlush {
            connection.queuedForFlush = true
            flushList.append(connection)
        }
    }

    // MARK: Events

    private func handle(_ connection: ClientConnection, _ mask: UInt32) {
        if connection.state == .connecting {
            guard mask & (Epoll.output | Epoll.error | Epoll.hangUp) != 0 else { return }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { return fail(connection, status: 0, error: error) }
            connection.state = .handshaking
            connection.out = handshakeRequest(for: connection.user)
            connection.outStart = 0
            Epoll.control(epoll, Epoll.modify, connection.fd, events: Epoll.input, data: data(connection))
            flush(connection)
            return
        }
        if mask & (Epoll.input | Epoll.hangUp | Epoll.error) != 0 {
            readAvailable(connection)
        }
        if mask & Epoll.output != 0, connection.fd >= 0 {
            flush(connection)
        }
    }

    private func readAvailable(_ connection: ClientConnection) {
        while connection.fd >= 0 {
            let count = read(connection.fd, readBuffer.baseAddress, readBuffer.count)
            stats.reads += 1
            if count > 0 {
                stats.bytesIn += count
                let chunk = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
                if connection.state == .handshaking {
                    handshakeBytes(connection, chunk)
                } else {
                    FrameReader.consume(chunk, on: connection, worker: self)
                }
                if count < readBuffer.count { return }
            } else if count == 0 {
                return peerClosed(connection, code: 0)
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                return peerClosed(connection, code: 0)
            }
        }
    }

    /// A control frame or message reached the top of ``FrameReader``.
    func frame(_ connection: ClientConnection, opcode: UInt8, payload: UnsafeRawBufferPointer) {
        stats.framesIn += 1
        switch opcode {
        case 0x1, 0x2:
            handler?.received(payload, on: connection, worker: self)
        case 0x8:
            let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 0
            peerClosed(connection, code: code)
        case 0x9:
            connection.appendFrame(opcode: 0xA, payload)
            markForFlush(connection)
        default:
            break
        }
    }

    /// The server broke the framing rules (a masked frame): the connection is dropped and counted.
    func protocolError(_ connection: ClientConnection) {
        stats.failures["protocol error", default: 0] += 1
        peerClosed(connection, code: 1002)
    }

    // MARK: Writes

    private func flushAll() {
        guard !flushList.isEmpty else { return }
        for connection in flushList {
            connection.queuedForFlush = false
            if connection.fd >= 0, !connection.waitingForWritable { flush(connection) }
        }
        flushList.removeAll(keepingCapacity: true)
    }

    private func flush(_ connection: ClientConnection) {
        while connection.outStart < connection.out.count {
            let start = connection.outStart
            let written = connection.out.withUnsafeBytes { buffer in
                write(connection.fd, buffer.baseAddress! + start, buffer.count - start)
            }
            stats.writes += 1
            if written > 0 {
                connection.outStart += written
                stats.bytesOut += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if !connection.waitingForWritable {
                    connection.waitingForWritable = true
                    Epoll.control(
                        epoll,
                        Epoll.modify,
                        connection.fd,
                        events: Epoll.input | Epoll.output,
                        data: data(connection)
                    )
                }
                return
            } else {
                return peerClosed(connection, code: 0)
            }
        }
        connection.out.removeAll(keepingCapacity: true)
        connection.outStart = 0
        if connection.waitingForWritable {
            connection.waitingForWritable = false
            Epoll.control(epoll, Epoll.modify, connection.fd, events: Epoll.input, data: data(connection))
        }
    }
}
