import Dispatch
import Foundation
import Gateway
import Glibc
import HTTP
import TestSupport
import Testing
import Transport

/// Records what a streaming route's sink was given. Thread-safe for the test's reads.
final class RecordingSink: RequestBodySink, @unchecked Sendable {
    enum Mode {
        case plain
        /// Pause after every chunk, resume from another queue.
        case pausing
        /// Reject once this many bytes arrived.
        case reject(after: Int)
    }

    private let lock = NSLock()
    private var chunks: [[UInt8]] = []
    private var _aborted = false
    private var _finished = false
    private var control: RequestBodyControl?
    let mode: Mode

    init(mode: Mode = .plain) { self.mode = mode }

    var bytes: [UInt8] { lock.withLock { chunks.flatMap { $0 } } }
    var aborted: Bool { lock.withLock { _aborted } }
    var finished: Bool { lock.withLock { _finished } }

    func started(_ control: RequestBodyControl) { self.control = control }

    func receive(_ chunk: [UInt8]) {
        #expect(!chunk.isEmpty)
        let total = lock.withLock {
            chunks.append(chunk)
            return chunks.reduce(0) { $0 + $1.count }
        }
        switch mode {
        case .plain:
            break
        case .pausing:
            control?.pause()
            let control = self.control
            DispatchQueue.global().async { control?.resume() }
        case .reject(let limit):
            if total >= limit {
                control?.reject(HTTPError(status: .insufficientStorage, code: "insufficient_storage", message: "Full."))
            }
        }
    }

    func finish(responder: HTTPResponder) {
        lock.withLock { _finished = true }
        let received = bytes
        DispatchQueue.global().async {
            responder.respond(.text(.ok, "\(received.count):\(received.reduce(0) { $0 &+ Int($1) })"))
        }
    }

    func abort() { lock.withLock { _aborted = true } }
}

/// Collects the sinks a route opened.
final class SinkLog: @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [RecordingSink] = []
    func add(_ sink: RecordingSink) { lock.withLock { sinks.append(sink) } }
    var all: [RecordingSink] { lock.withLock { sinks } }
}

extension HTTPServerTests {
    static func streamingServer(
        limit: Int = 1 << 20,
        mode: RecordingSink.Mode = .plain,
        log: SinkLog
    ) throws -> TestServer {
        var routes = Routes()
        routes.add(
            .POST,
            "/upload",
            .stream(maxBodyBytes: limit) { request throws(HTTPError) in
                if request.head.headers["X-Refuse"] != nil {
                    throw HTTPError(status: .forbidden, code: "no", message: "No.")
                }
                #expect(request.body.isEmpty)
                let sink = RecordingSink(mode: mode)
                log.add(sink)
                return sink
            }
        )
        return try TestServer(routes: routes)
    }

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) } }

    func chunked(_ body: [UInt8], pieces: Int) -> [UInt8] {
        var out: [UInt8] = []
        let size = (body.count + pieces - 1) / pieces
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + size)
            out += Array(String(end - offset, radix: 16).utf8) + [13, 10] + body[offset..<end] + [13, 10]
            offset = end
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    @Test func streamedBodiesReachTheSinkInOrderThenFinish() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(log: log)
        let body = Self.pattern(900_000)
        let client = try TestSocket(port: server.port)
        try client.send(
            Array("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                + chunked(body, pieces: 7)
        )
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 "))
        #expect(text.contains("\(body.count):\(body.reduce(0) { $0 &+ Int($1) })"))
        #expect(text.contains("\"status\":\"ok\""))
        let sink = try #require(log.all.first)
        #expect(sink.bytes == body)
        #expect(sink.finished && !sink.aborted)
    }

    @Test func aSinkThatPausesGetsEveryByteInOrder() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(limit: 8 << 20, mode: .pausing, log: log)
        let body = Self.pattern(4 << 20)
        let client = try TestSocket(port: server.port)
        try client.send(
            Array("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
                + body
        )
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 "))
        #expect(log.all.first?.bytes == body)
    }

    @Test func aDeclaredBodyOverTheStreamLimitIs413BeforeTheSinkOpens() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(limit: 1000, log: log)
        let text = try response("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 413 "))
        #expect(log.all.isEmpty)
    }

    @Test func aChunkedBodyPassingTheLimitIs413AndAbortsTheSink() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(limit: 1000, log: log)
        let client = try TestSocket(port: server.port)
        try client.send(
            Array("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                + Array("258\r\n".utf8) + Self.pattern(600) + [13, 10] + Array("258\r\n".utf8)
        )
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 413 "))
        let sink = try #require(log.all.first)
        #expect(sink.bytes.count == 600)
        #expect(sink.aborted && !sink.finished)
    }

    @Test func aConnectionLostMidBodyAbortsTheSink() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(log: log)
        let client = try TestSocket(port: server.port)
        try client.send(
            Array("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".utf8) + Self.pattern(5000)
        )
        #expect(waitUntil { log.all.first?.bytes.count == 5000 })
        Glibc.shutdown(client.fd, Int32(SHUT_RDWR))
        #expect(waitUntil { log.all.first?.aborted == true })
        #expect(log.all.first?.finished == false)
    }

    @Test func aSinkMayRejectItsBodyEarly() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(limit: 8 << 20, mode: .reject(after: 1), log: log)
        let client = try TestSocket(port: server.port)
        try client.send(
            Array("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n".utf8) + Self.pattern(1000)
        )
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 507 "))
        #expect(text.contains("Connection: close"))
        #expect(log.all.first?.aborted == true)
    }

    @Test func anOpenThatThrowsAnswersBeforeContinue() throws {
        let log = SinkLog()
        let server = try Self.streamingServer(log: log)
        let text = try response(
            "POST /upload HTTP/1.1\r\nHost: x\r\nX-Refuse: 1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
            port: server.port
        )
        #expect(text.hasPrefix("HTTP/1.1 403 "))
        #expect(!text.contains("100 Continue"))
        #expect(log.all.isEmpty)
    }

    // MARK: File responses

    final class FileBox: @unchecked Sendable {
        private let lock = NSLock()
        private weak var _file: OpenFile?
        var file: OpenFile? {
            get { lock.withLock { _file } }
            set { lock.withLock { _file = newValue } }
        }
    }

    static func fileServer(contents: [UInt8], box: FileBox) throws -> TestServer {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-file-\(UUID().uuidString)")
            .path
        FileManager.default.createFile(atPath: path, contents: Data(contents))
        var routes = Routes()
        routes.add(
            .GET,
            "/file",
            HTTPRoute(
                .respond { request, responder in
                    let file = OpenFile(descriptor: open(path, O_RDONLY | O_CLOEXEC))
                    box.file = file
                    let offset = Int64(request.query["offset"] ?? "0") ?? 0
                    let length = Int64(request.query["length"] ?? "") ?? Int64(contents.count) - offset
                    responder.respond(
                        file: HTTPFileResponse(
                            head: HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"]),
                            file: file,
                            offset: offset,
                            length: length
                        )
                    )
                }
            )
        )
        return try TestServer(routes: routes)
    }

    @Test func fileResponsesStreamARangeAndKeepTheConnection() throws {
        let contents = Self.pattern(3 << 20)
        let box = FileBox()
        let server = try Self.fileServer(contents: contents, box: box)
        let client = try TestSocket(port: server.port)
        try client.send(
            "GET /file HTTP/1.1\r\nHost: x\r\n\r\n" + "HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /file?offset=1000&length=10 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        let all = client.receiveAll()
        let marker = Array("\r\n\r\n".utf8)
        func split(_ bytes: ArraySlice<UInt8>) -> (head: String, rest: ArraySlice<UInt8>) {
            let end = bytes.firstRange(of: marker)!
            return (String(decoding: bytes[..<end.lowerBound], as: UTF8.self), bytes[end.upperBound...])
        }
        let first = split(all[...])
        #expect(first.head.hasPrefix("HTTP/1.1 200 "))
        #expect(first.head.contains("Content-Length: \(contents.count)"))
        #expect(first.rest.prefix(contents.count).elementsEqual(contents))
        let second = split(first.rest.dropFirst(contents.count))
        #expect(second.head.contains("Content-Length: \(contents.count)"))
        let third = split(second.rest)
        #expect(third.head.contains("Content-Length: 10"))
        #expect(third.head.contains("Connection: close"))
        #expect(Array(third.rest) == Array(contents[1000..<1010]))
        #expect(waitUntil { box.file == nil })
    }

    @Test func aClientThatLeavesMidDownloadReleasesTheFile() throws {
        let contents = Self.pattern(16 << 20)
        let box = FileBox()
        let server = try Self.fileServer(contents: contents, box: box)
        let client = try TestSocket(port: server.port, receiveBuffer: 8192)
        try client.send("GET /file HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.receive(count: 100_000).count == 100_000)
        #expect(box.file != nil)
        Glibc.shutdown(client.fd, Int32(SHUT_RDWR))
        #expect(waitUntil { box.file == nil })
        #expect(waitUntil { server.server.connectionCount == 0 })
    }
}
