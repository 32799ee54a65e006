import Foundation
import Glibc
import TestSupport

/// A blocking HTTP/1.1 client over one kept-alive connection: sends requests (bodies in pieces if wanted) and
/// reads responses framed by `Content-Length`.
final class HTTPTestClient {
    let socket: TestSocket
    private var buffer: [UInt8] = []

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    init(port: UInt16, receiveBuffer: Int32? = nil, timeout: Int = 10) throws {
        socket = try TestSocket(port: port, receiveBuffer: receiveBuffer, timeout: timeout)
    }

    /// Sends a request head (`Host` is added) and, if given, a body with its `Content-Length`.
    func send(_ method: String, _ target: String, headers: [String] = [], body: [UInt8]? = nil) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        for header in headers { head += header + "\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.send(Array(head.utf8) + (body ?? []))
    }

    /// Sends a request and reads its response.
    func request(
        _ method: String,
        _ target: String,
        headers: [String] = [],
        body: [UInt8]? = nil
    ) throws -> Response? {
        try send(method, target, headers: headers, body: body)
        return readResponse(isHead: method == "HEAD")
    }

    /// Reads one response head, or nil on EOF/timeout.
    func readHead() -> (status: Int, headers: [(name: String, value: String)])? {
        while true {
            if let end = headEnd() {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                var lines = text.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
                let headers = lines.compactMap { line -> (name: String, value: String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (
                        String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    )
                }
                return (status, headers)
            }
            guard fill() else { return nil }
        }
    }

    /// Reads one response; the body by `Content-Length` (none for HEAD, 1xx, 204, 304).
    func readResponse(isHead: Bool = false) -> Response? {
        guard let (status, headers) = readHead() else { return nil }
        var response = Response(status: status, headers: headers, body: [])
        if status == 100 { return readResponse(isHead: isHead) }
        guard !isHead, status != 204, status != 304, let length = response.header("Content-Length").flatMap(Int.init)
        else { return response }
        response.body = readBody(length)
        return response
    }

    /// Reads `count` body bytes (fewer on EOF).
    func readBody(_ count: Int) -> [UInt8] {
        while buffer.count < count {
            guard fill() else { break }
        }
        let body = Array(buffer.prefix(count))
        buffer.removeFirst(body.count)
        return body
    }

    /// Reads up to `count` bytes of a body straight from the socket, handing each piece to `consume`; returns how
    /// many arrived.
    func streamBody(_ count: Int, chunk: Int = 65536, _ consume: ([UInt8]) -> Void) -> Int {
        var received = 0
        if !buffer.isEmpty {
            let first = Array(buffer.prefix(count))
            buffer.removeFirst(first.count)
            consume(first)
            received = first.count
        }
        var piece = [UInt8](repeating: 0, count: chunk)
        while received < count {
            let n = piece.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, min($0.count, count - received), 0) }
            if n <= 0 { break }
            consume(Array(piece[0..<n]))
            received += n
        }
        return received
    }

    /// Whether the server closed the connection (EOF or reset) before the timeout.
    func waitForClose() -> Bool {
        buffer = []
        return socket.waitForClose()
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func fill() -> Bool {
        var piece = [UInt8](repeating: 0, count: 65536)
        let n = piece.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += piece[0..<n]
        return true
    }
}

/// The process's resident set size in bytes.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
