import Glibc

/// A non-blocking TCP connection. Non-blocking so that connect, read and write can all wait in poll()
/// with the deadline's remaining time; the descriptor closes when the object goes away.
final class ClientSocket: ClientStream {
    let fd: Int32
    /// "host:port", for error messages.
    let endpoint: String

    private init(fd: Int32, endpoint: String) {
        self.fd = fd
        self.endpoint = endpoint
    }

    deinit { close(fd) }

    /// Resolves `host` and tries each address in the resolver's order until one accepts.
    /// getaddrinfo itself blocks without a timeout; the resolver's own timeouts bound it.
    static func connect(
        host: String,
        port: Int,
        endpoint: String,
        deadline: Deadline
    ) throws(HTTPClientError)
        -> ClientSocket
    {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw HTTPClientError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            let fd = socket(info.ai_family, type, info.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            let socket = ClientSocket(fd: fd, endpoint: endpoint)
            if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return socket }
            guard errno == EINPROGRESS else {
                lastError = errno
                continue
            }
            try socket.wait(for: Int16(POLLOUT), deadline: deadline)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return socket }
            lastError = error
        }
        throw HTTPClientError("connect to \(endpoint) failed: \(String(cString: strerror(lastError)))")
    }

    /// Waits until the descriptor is ready for `events` (or has an error, which the next call reports).
    func wait(for events: Int16, deadline: Deadline) throws(HTTPClientError) {
        while true {
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&entry, 1, try deadline.remainingMilliseconds())
            if result > 0 { return }
            if result < 0 && errno != EINTR { throw failure("poll on") }
            // Zero: the wait ran out; remainingMilliseconds() now throws the timeout.
        }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that already closed must give EPIPE, not kill the server with SIGPIPE.
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLOUT), deadline: deadline)
            } else if errno != EINTR {
                throw failure("write to")
            }
        }
    }

    func read(into buffer: inout [UInt8], deadline: Deadline) throws(HTTPClientError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), deadline: deadline)
            } else if errno != EINTR {
                throw failure("read from")
            }
        }
    }

    /// "read from host:443 failed: Connection reset by peer", from the current errno.
    func failure(_ what: String) -> HTTPClientError {
        HTTPClientError("\(what) \(endpoint) failed: \(String(cString: strerror(errno)))")
    }
}
