import Transport
import WebSocket

/// A WebSocket connection after the handshake: drives the RFC 6455 state machine over a `Connection`, keeps it
/// alive with pings, and gives the session a way to send and close.
///
/// All methods must be called on `connection.loop`.
public final class WebSocketChannel: ConnectionHandler, @unchecked Sendable {
    public let connection: Connection
    /// The permessage-deflate parameters agreed in the handshake, if any.
    public let deflate: NegotiatedDeflate?
    /// The subprotocol agreed in the handshake, if any.
    public let subprotocol: String?
    private var machine: WebSocketConnection
    private let session: any WebSocketSession
    private let timing: Timing
    private let deflaters: DeflaterPool
    private let metrics: ServerMetrics?
    private var sessionClosed = false
    /// Whether our close frame is queued. Tracked here rather than read from the state machine, which parses a
    /// whole read at once: a message that arrived before a protocol error must still be answered, and the state
    /// machine is already closed when the session sees that message.
    private var closeQueued = false

    /// When the session must end (for example, token expiry) and with which close.
    private var expiry: (at: UInt64, code: CloseCode, reason: String)?
    private var nextPing: UInt64 = .max
    private var pongDeadline: UInt64 = .max
    private var closeDeadline: UInt64 = .max

    struct Timing {
        var pingInterval: Double
        var pongTimeout: Double
        var closeTimeout: Double
    }

    init(
        connection: Connection,
        accept: HandshakeAccept,
        configuration: WebSocketConfiguration,
        session: any WebSocketSession,
        timing: Timing,
        deflaters: DeflaterPool,
        metrics: ServerMetrics? = nil
    ) {
        self.connection = connection
        self.deflate = accept.deflate
        self.subprotocol = accept.subprotocol
        self.machine = WebSocketConnection(configuration: configuration, deflate: accept.deflate)
        self.session = session
        self.timing = timing
        self.deflaters = deflaters
        self.metrics = metrics
    }

    /// Takes over the connection right after the 101 response.
    func start(leftover: [UInt8]) {
        metrics?.webSocketsOpen.add(1)
        nextPing = MonotonicClock.now().adding(seconds: timing.pingInterval)
        updateDeadline()
        session.opened(self)
        if !leftover.isEmpty, connection.isOpen {
            leftover.withUnsafeBytes { received($0, on: connection) }
        }
    }

    // MARK: Sending

    /// Sends a text message (valid UTF-8), compressed when negotiated and worthwhile.
    public func send(text payload: [UInt8]) {
        send(opcode: .text, payload)
    }

    public func send(binary payload: [UInt8]) {
        send(opcode: .binary, payload)
    }

    private func send(opcode: Opcode, _ payload: [UInt8]) {
        guard !closeQueued, connection.isOpen else { return }
        let deflater = deflate.flatMap { deflaters.deflater(on: connection.loop, windowBits: $0.serverMaxWindowBits) }
        connection.write(machine.encodeMessage(opcode: opcode, payload: payload, deflater: deflater))
    }

    /// Sends a frame encoded once for many connections (fan-out).
    public func send(_ frame: PreparedFrame) {
        guard !closeQueued, connection.isOpen else { return }
        connection.write(frame.bytes(for: machine))
    }

    /// Starts the closing handshake; the connection closes when the peer answers or after the close timeout.
    public func close(code: CloseCode, reason: String) {
        guard !closeQueued, let frame = machine.close(code: code, reason: reason) else { return }
        closeQueued = true
        connection.write(frame)
        closeDeadline = MonotonicClock.now().adding(seconds: timing.closeTimeout)
        updateDeadline()
    }

    /// Ends the session with `code` at monotonic time `deadline` (token expiry).
    public func expire(at deadline: UInt64, code: CloseCode, reason: String) {
        expiry = (deadline, code, reason)
        updateDeadline()
    }

    // MARK: ConnectionHandler

    public func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection) {
        machine.receive(bytes)
        // Any frame proves the peer alive; a ping is only needed after a quiet interval.
        pongDeadline = .max
        nextPing = MonotonicClock.now().adding(seconds: timing.pingInterval)
        while let event = machine.nextEvent() {
            switch event {
            case .text(let payload):
                session.received(.text(payload), on: self)
            case .binary(let payload):
                session.received(.binary(payload), on: self)
            case .ping, .pong:
                break
            case .write(let bytes):
                connection.write(bytes)
            case .closed(let code, _):
                closeQueued = true
                finishSession(code: code)
                connection.closeAfterFlush()
                return
            }
            guard connection.isOpen else { return }
        }
        updateDeadline()
    }

    public func inputClosed(on connection: Connection) {
        connection.close()
    }

    public func deadlineReached(on connection: Connection, now: UInt64) {
        if now >= closeDeadline || now >= pongDeadline {
            // The peer stopped answering: no close frame will get through, drop the TCP connection.
            return connection.close()
        }
        if let expiry, now >= expiry.at {
            self.expiry = nil
            close(code: expiry.code, reason: expiry.reason)
            return
        }
        if now >= nextPing {
            connection.write(machine.ping())
            nextPing = .max
            pongDeadline = now.adding(seconds: timing.pongTimeout)
        }
        updateDeadline()
    }

    public func outboundOverflow(on connection: Connection) {
        metrics?.slowConsumerDisconnects.increment()
        // The client does not read. Drop what it has not started to receive, say why, and give it a short while to
        // take the close frame before the socket goes.
        connection.discardQueuedOutput()
        if !closeQueued, let frame = machine.close(code: .slowConsumer, reason: "slow consumer") {
            closeQueued = true
            connection.write(frame)
        }
        finishSession(code: .slowConsumer)
        connection.closeAfterFlush()
    }

    public func shutdown(on connection: Connection) {
        close(code: .goingAway, reason: "server shutting down")
    }

    public func closed(_ connection: Connection) {
        finishSession(code: nil)
    }

    private func finishSession(code: CloseCode?) {
        guard !sessionClosed else { return }
        sessionClosed = true
        metrics?.webSocketsOpen.add(-1)
        session.closed(self, code: code)
    }

    private func updateDeadline() {
        connection.deadline = min(nextPing, pongDeadline, closeDeadline, expiry?.at ?? .max)
    }
}

extension CloseCode {
    /// The client did not read fast enough and its outbound queue passed `limits.max_outbound_bytes`.
    /// Reconnect and resume; see Protocol/README.md.
    public static let slowConsumer = CloseCode(rawValue: 4008)
}
