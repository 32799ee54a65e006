import Dispatch
import Glibc
import Synchronization

/// A listening socket: accepts connections, enforces connection limits, and hands each admitted connection to an
/// event loop with a handler made by `makeHandler`.
public final class Listener: @unchecked Sendable {
    /// Builds the first handler of a new connection (on the connection's loop).
    public typealias HandlerFactory = @Sendable (Connection) -> ConnectionHandler
    /// Called when the accept path meets a condition worth a log line (descriptor exhaustion, refusals).
    public typealias EventLogger = @Sendable (ListenerEvent) -> Void

    public let address: SocketAddress
    public let group: EventLoopGroup

    private let fd: Int32
    private let queue = DispatchQueue(label: "yizhan.accept", qos: .userInitiated)
    private var source: DispatchSourceRead?
    private var suspended = false
    private let limits: TransportLimits
    private let tls: TLSContext?
    private let makeHandler: HandlerFactory
    private let log: EventLogger
    private let counter: ConnectionCounter
    private var nextID: UInt64 = 0
    private var backoffLogged = false
    /// Resumes accepting after a back-off. Created up front: arming a new timer can need a descriptor, and it is
    /// needed exactly when none are left.
    private let resumeTimer: DispatchSourceTimer

    /// Binds and starts accepting.
    public init(
        host: String,
        port: UInt16,
        group: EventLoopGroup,
        limits: TransportLimits = TransportLimits(),
        tls: TLSContext? = nil,
        log: @escaping EventLogger = { _ in },
        makeHandler: @escaping HandlerFactory
    ) throws(SystemError) {
        // writev on a socket the peer reset must fail with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let (fd, address) = try Socket.listen(host: host, port: port, backlog: limits.backlog)
        self.fd = fd
        self.address = address
        self.group = group
        self.limits = limits
        self.tls = tls
        self.log = log
        self.makeHandler = makeHandler
        self.counter = ConnectionCounter(
            maxTotal: limits.maxConnections,
            maxPerIP: limits.maxConnectionsPerIP,
            exempt: limits.perIPExempt
        )
        resumeTimer = DispatchSource.makeTimerSource(queue: queue)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.acceptReady() }
        source.setCancelHandler { Glibc.close(fd) }
        self.source = source
        resumeTimer.setEventHandler { [unowned self] in
            guard let source = self.source, self.suspended else { return }
            self.suspended = false
            source.resume()
        }
        resumeTimer.schedule(deadline: .now() + .seconds(86_400 * 365))
        resumeTimer.resume()
        source.resume()
    }

    /// Open connections accepted by this listener.
    public var connectionCount: Int { counter.total }

    /// Stops accepting; open connections are not touched. Safe to call from any thread.
    public func stop() {
        queue.sync {
            guard let source else { return }
            if suspended { source.resume() }
            source.cancel()
            self.source = nil
            resumeTimer.cancel()
        }
    }

    private func acceptReady() {
        // Bounded batch per event keeps the accept queue responsive; leftovers raise the next event.
        for _ in 0..<256 {
            guard let (connectionFD, address) = Socket.accept(fd) else {
                switch errno {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO, EPERM:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: the pending connection stays in the backlog, so the source would
                    // fire again at once. Pause instead of spinning, and retry shortly.
                    return backOff(errno: errno)
                default:
                    log(.acceptFailed(errno: errno))
                    return
                }
            }
            if backoffLogged {
                backoffLogged = false
                log(.acceptResumed)
            }
            admit(connectionFD, address)
        }
    }

    private func admit(_ connectionFD: Int32, _ address: SocketAddress) {
        let admission = counter.admit(address.ip)
        guard admission == .admitted else {
            let perIP = admission == .tooManyFromIP
            log(.refused(address, perIP: perIP))
            if tls == nil {
                Socket.sendAndClose(connectionFD, Self.refusal(perIP: perIP))
            } else {
                Glibc.close(connectionFD)
            }
            return
        }
        nextID += 1
        let id = nextID
        let loop = group.next()
        let session: TLSSession?
        if let tls {
            guard let created = TLSSession(context: tls) else {
                counter.release(address.ip)
                Glibc.close(connectionFD)
                return
            }
            session = created
        } else {
            session = nil
        }
        let box = UnsafeTransfer(session)
        let counter = self.counter
        let limits = self.limits
        let makeHandler = self.makeHandler
        loop.execute {
            let connection = Connection(
                id: id,
                fd: connectionFD,
                remoteAddress: address,
                loop: loop,
                tls: box.value,
                limits: limits,
                onClose: { counter.release($0.remoteAddress.ip) }
            )
            connection.handler = makeHandler(connection)
            connection.start()
        }
    }

    private func backOff(errno: Int32) {
        guard let source, !suspended else { return }
        if !backoffLogged {
            backoffLogged = true
            log(.acceptBackoff(errno: errno))
        }
        suspended = true
        source.suspend()
        resumeTimer.schedule(deadline: .now() + .milliseconds(100))
    }

    private static func refusal(perIP: Bool) -> [UInt8] {
        let code = perIP ? "too_many_connections_from_ip" : "too_many_connections"
        let message =
            perIP
            ? "Too many connections from your address; close some and retry."
            : "The server is at its connection limit; retry later."
        let body = "{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\"}}"
        let head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\n"
            + "Connection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        return Array((head + body).utf8)
    }
}

/// Something the accept path reports for logging.
public enum ListenerEvent: Sendable {
    case acceptBackoff(errno: Int32)
    case acceptResumed
    case acceptFailed(errno: Int32)
    case refused(SocketAddress, perIP: Bool)
}

/// Moves a non-Sendable value across a queue hop whose ordering makes the access exclusive.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
