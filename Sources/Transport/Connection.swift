import Dispatch
import Glibc

/// One accepted socket: its reads, its outbound queue, its deadline and (optionally) its TLS session.
///
/// All methods must be called on `loop.queue`. The connection knows nothing about the protocol it carries; its
/// `handler` does.
public final class Connection: @unchecked Sendable {
    public enum State: Sendable {
        case open
        /// Waiting for the outbound queue to drain, then a lingering close.
        case closingAfterFlush
        /// Our side is shut down; reading and discarding until the peer closes or the linger deadline passes, so
        /// unread input does not turn our last bytes into a TCP reset.
        case lingering
        case closed
    }

    public let id: UInt64
    public let loop: EventLoop
    public let remoteAddress: SocketAddress
    public var handler: ConnectionHandler?
    /// Monotonic nanoseconds at which `handler.deadlineReached` fires (`.max` = never).
    public var deadline: UInt64 = .max
    /// Queued-but-unwritten bytes above which `handler.outboundOverflow` is called.
    public var maxOutboundBytes: Int
    public private(set) var state: State = .open

    let fd: Int32
    var registryIndex = -1
    private var outbound = OutboundQueue()
    private var flushScheduled = false
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var waitingForWritable = false
    private var readingPaused = false
    private var tls: TLSSession?
    private let lingerTimeout: Double
    private var overflowReported = false
    private let onClose: (@Sendable (Connection) -> Void)?
    private var closeHandlers: [() -> Void] = []

    init(
        id: UInt64,
        fd: Int32,
        remoteAddress: SocketAddress,
        loop: EventLoop,
        tls: TLSSession?,
        limits: TransportLimits,
        onClose: (@Sendable (Connection) -> Void)?
    ) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.tls = tls
        self.maxOutboundBytes = limits.maxOutboundBytes
        self.lingerTimeout = limits.lingerTimeout
        self.onClose = onClose
    }

    /// Starts reading. Called once, on the loop, after the handler is set.
    func start() {
        loop.register(self)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [unowned self] in self.readable() }
        readSource = source
        source.resume()
    }

    public var isOpen: Bool { state == .open }

    /// Bytes queued for this socket and not yet written.
    public var queuedOutputBytes: Int { outbound.byteCount + (tls?.pendingPlaintextBytes ?? 0) }

    /// Whether the connection runs over TLS.
    public var isSecure: Bool { tls != nil }

    // MARK: Writing

    /// Queues shared bytes; they leave in the flush after the current loop work.
    public func write(_ bytes: SharedBytes) {
        guard state == .open || state == .closingAfterFlush else { return }
        if let tls {
            tls.queuePlaintext(bytes)
        } else {
            outbound.append(bytes)
        }
        if !overflowReported, queuedOutputBytes > maxOutboundBytes {
            overflowReported = true
            handler?.outboundOverflow(on: self)
            return
        }
        scheduleFlush()
    }

    /// Queues a copy of `bytes`.
    public func write(_ bytes: [UInt8]) {
        write(SharedBytes(bytes))
    }

    /// Drops queued output that has not started to leave (after an overflow), keeping the framing intact.
    public func discardQueuedOutput() {
        outbound.dropUnstarted()
        tls?.discardPendingPlaintext()
    }

    private func scheduleFlush() {
        guard !flushScheduled, !waitingForWritable else { return }
        flushScheduled = true
        loop.scheduleFlush(self)
    }

    func flush() {
        flushScheduled = false
        guard state != .closed, state != .lingering else { return }
        if let tls {
            guard tls.encryptPending(into: &outbound) else { return fail() }
        }
        let hadBytes = !outbound.isEmpty
        switch outbound.write(to: fd) {
        case .drained:
            if waitingForWritable {
                waitingForWritable = false
                writeSource?.suspend()
            }
            if state == .closingAfterFlush {
                beginLinger()
            } else if hadBytes, state == .open, let handler {
                // Last: the handler may write (scheduling the next flush) or close.
                handler.outputDrained(on: self)
            }
        case .wouldBlock:
            if !waitingForWritable {
                waitingForWritable = true
                if let writeSource {
                    writeSource.resume()
                } else {
                    let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
                    source.setEventHandler { [unowned self] in self.flush() }
                    writeSource = source
                    source.resume()
                }
            }
        case .failed:
            fail()
        }
    }

    // MARK: Reading

    /// Stops reading until `resumeReading()` (backpressure on a client that sends faster than it is served).
    public func pauseReading() {
        guard !readingPaused, let readSource else { return }
        readingPaused = true
        readSource.suspend()
    }

    public func resumeReading() {
        guard readingPaused, let readSource else { return }
        readingPaused = false
        readSource.resume()
        // Reading may have stopped with bytes still in the socket (a full read just before the pause); an
        // edge-triggered source would not fire for them again.
        loop.queue.async { [self] in if !self.readingPaused { self.readable() } }
    }

    private func readable() {
        let buffer = loop.readBuffer
        // A budget keeps one busy socket from starving the others on this loop.
        for _ in 0..<4 {
            // A handler that paused reading during the last delivery gets no more bytes until it resumes.
            guard state != .closed, !readingPaused else { return }
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                // A short read drained the socket; new data raises a new event (edge- or level-triggered alike).
                if n < buffer.count { return }
            } else if n == 0 {
                if state == .lingering { return close() }
                if let handler { handler.inputClosed(on: self) } else { close() }
                return
            } else {
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return }
                return fail()
            }
        }
        loop.queue.async { [self] in self.readable() }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .lingering, .closed:
            return
        case .open, .closingAfterFlush:
            break
        }
        guard let tls else {
            if state == .open { handler?.received(bytes, on: self) }
            return
        }
        let result = tls.decrypt(bytes, scratch: loop.tlsBuffer) { plaintext in
            if self.state == .open { self.handler?.received(plaintext, on: self) }
        }
        if let output = self.tls?.takeOutput() {
            outbound.append(output)
            scheduleFlush()
        }
        switch result {
        case .ok: break
        case .peerClosed: if state == .open, let handler { handler.inputClosed(on: self) } else { close() }
        case .failed: fail()
        }
    }

    // MARK: Deadlines

    func deadlineReached(now: UInt64) {
        switch state {
        case .open:
            if let handler { handler.deadlineReached(on: self, now: now) } else { close() }
        case .closingAfterFlush, .lingering:
            close()
        case .closed:
            break
        }
    }

    // MARK: Closing

    /// Writes what is queued, then closes (with a bounded lingering wait for the peer).
    public func closeAfterFlush() {
        guard state == .open else { return }
        state = .closingAfterFlush
        deadline = MonotonicClock.now().adding(seconds: lingerTimeout)
        if queuedOutputBytes == 0 && !flushScheduled && !waitingForWritable {
            beginLinger()
        } else {
            scheduleFlush()
        }
    }

    private func beginLinger() {
        if let tls {
            // close_notify tells a TLS peer the truncation is intended; if it cannot leave now, do not wait.
            tls.shutdown(into: &outbound)
            guard case .drained = outbound.write(to: fd) else { return close() }
        }
        state = .lingering
        deadline = MonotonicClock.now().adding(seconds: lingerTimeout)
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    private func fail() {
        close()
    }

    /// Closes the socket now, dropping queued output.
    public func close() {
        guard state != .closed else { return }
        state = .closed
        deadline = .max
        loop.unregister(self)
        // The fd is closed only after every source watching it is cancelled: closing earlier could let a new accept
        // reuse the number while libdispatch still has it registered.
        let closer = DescriptorCloser(fd: fd, sources: (readSource == nil ? 0 : 1) + (writeSource == nil ? 0 : 1))
        if let writeSource {
            writeSource.setCancelHandler { closer.sourceCancelled() }
            // A suspended source must be resumed before it is cancelled and released (libdispatch traps otherwise).
            if !waitingForWritable { writeSource.resume() }
            writeSource.cancel()
            self.writeSource = nil
        }
        if let readSource {
            readSource.setCancelHandler { closer.sourceCancelled() }
            if readingPaused { readSource.resume() }
            readSource.cancel()
            self.readSource = nil
        }
        waitingForWritable = false
        outbound = OutboundQueue()
        tls = nil
        let handler = self.handler
        self.handler = nil
        handler?.closed(self)
        onClose?(self)
        let handlers = closeHandlers
        closeHandlers = []
        for run in handlers { run() }
    }

    /// Runs `handler` once when the connection closes (on the loop). For per-connection bookkeeping above the
    /// transport, such as counting connections per forwarded client address.
    public func whenClosed(_ handler: @escaping () -> Void) {
        guard state != .closed else { return handler() }
        closeHandlers.append(handler)
    }
}
