import CShims
import Dispatch
import Foundation
import Glibc
import Synchronization

/// A request as the test server received it.
public struct ReceivedRequest: Sendable {
    public var head: String
    public var body: [UInt8]
}

public struct LoopbackServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback TCP server on an ephemeral port. It serves one connection per handler, in order, on a
/// background thread, then stops accepting. `stop()` wakes a pending accept and waits for the thread.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (TestConnection) -> Void

    public let port: UInt16
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let log = Mutex<[ReceivedRequest]>([])

    /// Requests read by handlers so far (complete once `HTTPClient.send` has returned).
    public var requests: [ReceivedRequest] { log.withLock { $0 } }

    public init(_ handlers: [Handler]) throws {
        (listener, port) = try Self.bindLoopback(listen: true)
        Thread { [self] in
            for handler in handlers {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { break }
                handler(TestConnection(fd: fd) { request in self.log.withLock { $0.append(request) } })
            }
            finished.signal()
        }.start()
    }

    public func stop() {
        // shutdown() makes a blocked accept() return on Linux, unlike close().
        shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
        close(listener)
    }

    /// A socket bound to 127.0.0.1 on a port the kernel picks; without `listen`, connecting to it is refused.
    public static func bindLoopback(listen shouldListen: Bool) throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound, !shouldListen || listen(fd, 16) == 0 else {
            throw LoopbackServerError("cannot bind a loopback socket: \(String(cString: strerror(errno)))")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}

/// One accepted connection, used only on the server thread. Reads time out after 5 s so a broken
/// client fails the test instead of hanging it. Optionally speaks TLS once `startTLS` succeeded.
public final class TestConnection {
    public let fd: Int32
    private var ssl: OpaquePointer?
    private let record: (ReceivedRequest) -> Void
    private var buffered: [UInt8] = []

    init(fd: Int32, record: @escaping (ReceivedRequest) -> Void) {
        self.fd = fd
        self.record = record
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        close(fd)
    }

    /// Runs the server side of the handshake; false when the client gave up (for example, on verification).
    public func startTLS(_ context: TestTLSContext) -> Bool {
        let ssl = SSL_new(context.context)!
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        return SSL_accept(ssl) == 1
    }

    /// Reads a request head and its Content-Length body, and records it.
    @discardableResult
    public func readRequest() -> ReceivedRequest? {
        var headEnd: Int? = nil
        while true {
            if headEnd == nil, let range = buffered.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range.upperBound
            }
            if let headEnd {
                let head = String(decoding: buffered[..<headEnd], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                if buffered.count - headEnd >= length {
                    let request = ReceivedRequest(head: head, body: Array(buffered[headEnd..<(headEnd + length)]))
                    record(request)
                    return request
                }
            }
            guard let bytes = receive() else { return nil }
            buffered += bytes
        }
    }

    /// Blocks until the client closes (or 5 s pass): for a server that never answers.
    public func waitForClose() {
        while receive() != nil {}
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { raw in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress, Int32(raw.count))) }
                return send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return }
            offset += count
        }
    }

    private func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { raw in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(fd, raw.baseAddress, raw.count, 0)
        }
        return count > 0 ? Array(buffer[..<count]) : nil
    }
}

/// A server SSL_CTX with the test certificate.
public final class TestTLSContext: @unchecked Sendable {
    // Configured once before any connection uses it, then only read.
    public let context: OpaquePointer

    public init(certificateFile: String, keyFile: String) throws {
        context = SSL_CTX_new(TLS_server_method())!
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1,
            SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1
        else { throw LoopbackServerError("cannot load the test certificate") }
    }

    deinit { SSL_CTX_free(context) }
}
