/// The sans-I/O state machine of one server-side WebSocket connection (RFC 6455 §5–§7, RFC 7692 §6–§7).
///
/// Feed received bytes to ``receive(_:)-(UnsafeRawBufferPointer)``, then drain ``nextEvent()`` until it returns
/// `nil`, handling each ``WebSocketEvent`` in order: deliver messages, write ``WebSocketEvent/write(_:)`` bytes,
/// and after ``WebSocketEvent/closed(code:reason:)`` flush the writes and close the socket. Nothing here does I/O
/// or keeps time: the owner runs the keep-alive and close-handshake timers.
///
/// Validation is as early as the bytes allow: header checks before payload is buffered, UTF-8 of a text message
/// checked as each chunk of each frame arrives (so invalid text fails on the chunk that contains the first invalid
/// byte, even mid-frame), message size checked at each frame header (or, for compressed messages, as
/// decompressed output is produced).
///
/// Memory: between messages the connection holds no buffers and, unless the client was allowed context takeover
/// for compressed messages, no zlib state. It holds a reference to an ``Inflater`` and is therefore not `Sendable`.
public struct WebSocketConnection {
    /// Where the close handshake stands.
    public enum State: Hashable, Sendable {
        /// Messages flow both ways.
        case open
        /// The server sent a close frame and is waiting for the peer's; incoming data frames are discarded.
        case closeSent
        /// Finished; all further input is ignored.
        case closed
    }

    /// The limits in force.
    public let configuration: WebSocketConfiguration
    /// The agreed permessage-deflate parameters, or `nil` without compression.
    public let deflate: NegotiatedDeflate?
    /// Where the close handshake stands.
    public private(set) var state = State.open

    private var decoder: FrameDecoder
    private var events: [WebSocketEvent] = []
    private var eventIndex = 0

    private enum FrameKind {
        case control(Opcode)
        case data(fin: Bool)
        case discarded
    }

    private var frameKind = FrameKind.discarded
    private var control: [UInt8] = []

    // The message being reassembled; messageOpcode is nil between messages.
    private var messageOpcode: Opcode?
    private var messageIsCompressed = false
    private var message: [UInt8] = []
    private var fragmentCount = 0
    private var utf8 = UTF8Validator()
    private var inflater: Inflater?

    /// Creates the state machine for a connection whose handshake has completed.
    /// - Parameter deflate: what the handshake agreed (``HandshakeAccept/deflate``), or `nil`.
    public init(configuration: WebSocketConfiguration = WebSocketConfiguration(), deflate: NegotiatedDeflate? = nil) {
        self.configuration = configuration
        self.deflate = deflate
        self.decoder = FrameDecoder(maxFrameSize: configuration.maxFrameSize)
    }

    /// Whether no partial frame, partial message or undrained event is held. (Compression state is reported
    /// separately by ``holdsCompressionState``.)
    public var isIdle: Bool {
        decoder.isIdle && messageOpcode == nil && control.isEmpty && eventIndex == events.count
    }

    /// Whether an ``Inflater`` is allocated: only between messages of a client allowed context takeover, or during
    /// a compressed message.
    public var holdsCompressionState: Bool {
        inflater != nil
    }

    // MARK: Closing

    /// Starts a server-initiated close: returns the close frame to write, or `nil` if a close was already sent or
    /// the connection is closed. Afterwards incoming data frames are discarded, and the peer's close frame
    /// completes the handshake with ``WebSocketEvent/closed(code:reason:)``. The owner should close the socket if
    /// that does not happen within a few seconds.
    ///
    /// A `code` that may not appear on the wire (such as 1005 or 1006) sends a close frame without a code. The
    /// reason is cut at a character boundary to fit in 123 bytes.
    public mutating func close(code: CloseCode, reason: String = "") -> [UInt8]? {
        guard state == .open else { return nil }
        state = .closeSent
        // Any partial message will never be completed; free it now.
        dropMessage()
        if case .data = frameKind { frameKind = .discarded }
        guard code.isValidOnWire else { return FrameEncoder.encode(opcode: .close, payload: []) }
        return FrameEncoder.closeFrame(code: code, reason: reason)
    }

    // MARK: Receiving

    /// Processes received bytes. Drain ``nextEvent()`` afterwards.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        guard state != .closed else { return }
        decoder.feed(bytes)
        process()
    }

    /// Processes received bytes. Drain ``nextEvent()`` afterwards.
    public mutating func receive(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        decoder.feed(bytes)
        process()
    }

    /// The next event, or `nil` when all have been handed out.
    public mutating func nextEvent() -> WebSocketEvent? {
        guard eventIndex < events.count else { return nil }
        let event = events[eventIndex]
        eventIndex += 1
        if eventIndex == events.count {
            events = []
            eventIndex = 0
        }
        return event
    }

    private mutating func process() {
        do {
            while state != .closed, let part = try decoder.nextPart() {
                switch part {
                case .header(let header): try begin(header)
                case .payload(let chunk): try consume(chunk)
                case .end: try endFrame()
                }
            }
        } catch {
            fail(error)
        }
    }

    private mutating func begin(_ header: FrameHeader) throws(WebSocketError) {
        // RFC 6455 §5.2 and RFC 7692 §6: no extension here defines RSV2 or RSV3.
        if header.rsv2 || header.rsv3 { throw .reservedBitsSet }
        if header.opcode.isControl {
            // RFC 7692 §6.1: RSV1 is never set on control frames.
            if header.rsv1 { throw .reservedBitsSet }
            frameKind = .control(header.opcode)
            control.reserveCapacity(header.payloadLength)
            return
        }
        if state == .closeSent {
            // RFC 6455 §1.4: after sending a close frame, incoming data is discarded.
            frameKind = .discarded
            return
        }
        if header.opcode == .continuation {
            guard messageOpcode != nil else { throw .unexpectedContinuation }
            // RFC 7692 §6.1: RSV1 marks a compressed message on its first frame only.
            if header.rsv1 { throw .reservedBitsSet }
        } else {
            guard messageOpcode == nil else { throw .expectedContinuation }
            if header.rsv1 {
                guard let deflate else { throw .reservedBitsSet }
                if inflater == nil { inflater = try Inflater(windowBits: deflate.clientMaxWindowBits) }
            }
            messageOpcode = header.opcode
            messageIsCompressed = header.rsv1
            fragmentCount = 0
            utf8.reset()
        }
        fragmentCount += 1
        if fragmentCount > configuration.maxFragmentsPerMessage { throw .tooManyFragments }
        // Uncompressed sizes are known from the header; compressed ones are checked as output is produced.
        if !messageIsCompressed && header.payloadLength > configuration.maxMessageSize - message.count {
            throw .messageTooBig
        }
        frameKind = .data(fin: header.fin)
    }

    private mutating func consume(_ chunk: ArraySlice<UInt8>) throws(WebSocketError) {
        switch frameKind {
        case .control:
            control.append(contentsOf: chunk)
        case .discarded:
            break
        case .data:
            let isText = messageOpcode == .text
            if messageIsCompressed, let inflater {
                let start = message.count
                try inflater.inflate(chunk, into: &message, limit: configuration.maxMessageSize)
                if isText && !utf8.validate(message[start...]) { throw .invalidUTF8 }
            } else {
                // Validated before it is kept, so invalid text fails on the chunk that carries it.
                if isText && !utf8.validate(chunk) { throw .invalidUTF8 }
                message.append(contentsOf: chunk)
            }
        }
    }

    private mutating func endFrame() throws(WebSocketError) {
        switch frameKind {
        case .control(let opcode):
            let payload = control
            control = []
            switch opcode {
            case .ping:
                guard state == .open else { break }
                emit(.write(FrameEncoder.encode(opcode: .pong, payload: payload)))
                emit(.ping(payload))
            case .pong:
                guard state == .open else { break }
                emit(.pong(payload))
            default:
                try receiveClose(payload)
            }
        case .discarded:
            break
        case .data(let fin):
            if fin { try endMessage() }
        }
        frameKind = .discarded
    }

    private mutating func endMessage() throws(WebSocketError) {
        let isText = messageOpcode == .text
        if messageIsCompressed, let inflater {
            let start = message.count
            try inflater.finishMessage(into: &message, limit: configuration.maxMessageSize)
            if isText && !utf8.validate(message[start...]) { throw .invalidUTF8 }
            // Without context takeover nothing carries over, so free the zlib state (RFC 7692 §7.1.1.2).
            if deflate?.clientNoContextTakeover ?? true { self.inflater = nil }
        }
        // RFC 6455 §8.1: a message that ends inside a UTF-8 sequence is invalid.
        if isText && !utf8.isAtBoundary { throw .invalidUTF8 }
        let payload = message
        message = []
        messageOpcode = nil
        messageIsCompressed = false
        fragmentCount = 0
        emit(isText ? .text(payload) : .binary(payload))
    }

    private mutating func receiveClose(_ payload: [UInt8]) throws(WebSocketError) {
        var code: UInt16?
        if payload.count >= 2 { code = UInt16(payload[0]) << 8 | UInt16(payload[1]) }
        let reasonBytes = payload.count > 2 ? payload[2...] : []
        if state == .closeSent {
            // The reply to our close completes the handshake (RFC 6455 §5.5.1); nothing more to check or send.
            finish(code: code.map { CloseCode(rawValue: $0) }, reason: String(decoding: reasonBytes, as: UTF8.self))
            return
        }
        // RFC 6455 §5.5.1: a close payload is empty or starts with a 2-byte code; §7.4: only some codes may be sent.
        if payload.count == 1 { throw .invalidClosePayload }
        if let code, !CloseCode.isValidOnWire(code) { throw .invalidCloseCode(code) }
        guard UTF8Validator.isValid(reasonBytes) else { throw .invalidCloseReason }
        // Echo the peer's code, without a reason (§5.5.1); an empty close is answered with an empty close.
        emit(.write(FrameEncoder.encode(opcode: .close, payload: payload.prefix(2))))
        finish(code: code.map { CloseCode(rawValue: $0) }, reason: String(decoding: reasonBytes, as: UTF8.self))
    }

    /// Fails the connection (RFC 6455 §7.1.7): a close frame with the error's code, unless one was already sent.
    private mutating func fail(_ error: WebSocketError) {
        guard state != .closed else { return }
        if state == .open {
            emit(.write(FrameEncoder.closeFrame(code: error.closeCode, reason: error.description)))
        }
        finish(code: error.closeCode, reason: error.description)
    }

    private mutating func finish(code: CloseCode?, reason: String) {
        state = .closed
        emit(.closed(code: code, reason: reason))
        // Input after the close is ignored; let go of everything now.
        decoder = FrameDecoder(maxFrameSize: configuration.maxFrameSize)
        dropMessage()
        control = []
        frameKind = .discarded
    }

    private mutating func dropMessage() {
        message = []
        messageOpcode = nil
        messageIsCompressed = false
        fragmentCount = 0
        inflater = nil
    }

    private mutating func emit(_ event: WebSocketEvent) {
        events.append(event)
    }
}
