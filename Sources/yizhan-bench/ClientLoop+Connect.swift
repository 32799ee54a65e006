import Glibc
import WebSocket

/// Opening connections: non-blocking connect from a spread source address, the upgrade request with the user's
/// token, and the 101 (or the refusal) that ends the handshake. At most `maxInFlight` run at once.
extension ClientWorker {
    // MARK: Connections

    /// A new connection slot for fixture user `user` (not connected yet).
    @discardableResult
    func add(user: Int) -> ClientConnection {
        var random = SystemRandomNumberGenerator()
        let key = MaskingKey(value: UInt32.random(in: 1...UInt32.max, using: &random))
        let connection = ClientConnection(slot: connections.count, user: user, mask: key)
        connections.append(connection)
        return connection
    }

    /// Queues a connect; at most ``maxInFlight`` handshakes run at once. `after` delays it (retry back-off).
    func connect(_ connection: ClientConnection, afterSeconds delay: Double = 0) {
        connection.state = .idle
        if delay > 0 {
            retries.append((Clock.now() + UInt64(delay * 1e9), connection.slot))
        } else {
            connectQueue.append(connection.slot)
        }
    }

    /// Closes the socket at once, without a close frame: what a network drop looks like to the server.
    func drop(_ connection: ClientConnection) {
        guard connection.fd >= 0 else { return }
        if connection.state == .connecting || connection.state == .handshaking { inFlight -= 1 }
        Glibc.close(connection.fd)
        connection.resetTransport()
        connection.state = .closed
    }

    /// Moves due retries to the queue and opens sockets while fewer than `maxInFlight` handshakes run.
    func startConnects() {
        if !retries.isEmpty {
            let now = Clock.now()
            var index = 0
            while index < retries.count {
                if retries[index].due <= now {
                    connectQueue.append(retries[index].slot)
                    retries.swapAt(index, retries.count - 1)
                    retries.removeLast()
                } else {
                    index += 1
                }
            }
        }
        while inFlight < maxInFlight, connectHead < connectQueue.count {
            let connection = connections[connectQueue[connectHead]]
            connectHead += 1
            openSocket(connection)
        }
        if connectHead == connectQueue.count {
            connectQueue.removeAll(keepingCapacity: true)
            connectHead = 0
        }
    }

    /// A non-blocking socket, bound to the user's source address, connecting; the handshake starts once writable.
    func openSocket(_ connection: ClientConnection) {
        connection.connectStarted = Clock.now()
        connection.connectAttempts += 1
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return fail(connection, status: 0, error: errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if target.spreadSources {
            setsockopt(fd, Int32(IPPROTO_IP), IP_BIND_ADDRESS_NO_PORT, &one, socklen_t(MemoryLayout<Int32>.size))
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = (UInt32(127) << 24 | UInt32(2 + connection.user % 253)).bigEndian
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound != 0 {
                let error = errno
                Glibc.close(fd)
                return fail(connection, status: 0, error: error)
            }
        }
        var address = serverAddress
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 && errno != EINPROGRESS {
            let error = errno
            Glibc.close(fd)
            return fail(connection, status: 0, error: error)
        }
        connection.fd = fd
        connection.generation &+= 1
        connection.state = .connecting
        inFlight += 1
        Epoll.control(epoll, Epoll.add, fd, events: Epoll.output | Epoll.input, data: data(connection))
    }

    /// The epoll data of the connection's current socket: generation and slot.
    func data(_ connection: ClientConnection) -> UInt64 {
        UInt64(connection.generation) << 32 | UInt64(connection.slot)
    }

    /// The connection never opened: counted by reason and reported to the handler.
    func fail(_ connection: ClientConnection, status: Int, error: Int32) {
        if connection.fd >= 0 {
            if connection.state == .connecting || connection.state == .handshaking { inFlight -= 1 }
            Glibc.close(connection.fd)
        }
        connection.resetTransport()
        connection.state = .closed
        let reason = status > 0 ? "http \(status)" : String(cString: strerror(error))
        stats.failures[reason, default: 0] += 1
        handler?.failed(connection, status: status, error: error, on: self)
    }

    /// The server ended an open connection (or a handshake, which then counts as failed).
    func peerClosed(_ connection: ClientConnection, code: Int) {
        guard connection.state == .open else {
            return fail(connection, status: 0, error: ECONNRESET)
        }
        Glibc.close(connection.fd)
        connection.resetTransport()
        connection.state = .closed
        handler?.closed(connection, code: code, on: self)
    }

    /// Fails handshakes older than `handshakeTimeout`.
    func expireHandshakes(_ now: UInt64) {
        guard inFlight > 0 else { return }
        let limit = UInt64(handshakeTimeout * 1e9)
        for connection in connections
        where (connection.state == .connecting || connection.state == .handshaking)
            && now - connection.connectStarted > limit
        {
            fail(connection, status: 0, error: ETIMEDOUT)
        }
    }

    /// The upgrade request, authenticated with the user's token (no permessage-deflate offered).
    func handshakeRequest(for user: Int) -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let key = Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
        let text =
            "GET \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\n"
            + "Sec-WebSocket-Protocol: yizhan.v1\r\nAuthorization: Bearer \(target.tokens[user])\r\n\r\n"
        return Array(text.utf8)
    }

    /// Collects the response head; a 101 opens the connection and any bytes after it are frames.
    func handshakeBytes(_ connection: ClientConnection, _ chunk: UnsafeRawBufferPointer) {
        connection.pending.append(contentsOf: chunk)
        let bytes = connection.pending
        guard let end = Self.headEnd(bytes) else {
            if bytes.count > 16 * 1024 { fail(connection, status: 0, error: EPROTO) }
            return
        }
        let status = bytes.count >= 12 ? Int(String(decoding: bytes[9..<12], as: UTF8.self)) ?? 0 : 0
        guard status == 101 else { return fail(connection, status: max(status, 1), error: 0) }
        connection.pending = []
        connection.out = []
        connection.state = .open
        inFlight -= 1
        stats.handshakes.record(Clock.now() - connection.connectStarted)
        handler?.opened(connection, on: self)
        if end < bytes.count, connection.state == .open {
            bytes.withUnsafeBytes {
                FrameReader.consume(UnsafeRawBufferPointer(rebasing: $0[end...]), on: connection, worker: self)
            }
        }
    }

    /// The index after the "\r\n\r\n" that ends an HTTP head, if it is in.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count
        where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

}
