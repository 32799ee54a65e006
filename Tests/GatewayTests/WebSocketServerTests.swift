import Dispatch
import Foundation
import Gateway
import HTTP
import TestSupport
import Testing
import Transport
import WebSocket

@Suite struct WebSocketServerTests {
    @Test func echoesTextAndBinary() throws {
        let server = try TestServer()
        let socket = try TestWebSocket(port: server.port)
        try socket.send(text: "你好, 一站")
        #expect(socket.receiveText() == "你好, 一站")
        try socket.send(.binary, [0, 1, 2, 255])
        let frame = try #require(socket.receiveFrame())
        #expect(frame.opcode == .binary)
        #expect(frame.payload == [0, 1, 2, 255])
    }

    @Test func leftoverBytesAfterTheHandshakeAreProcessed() throws {
        let server = try TestServer()
        let client = try TestSocket(port: server.port)
        // Handshake and first frame in one write: the frame sits in the HTTP parser's buffer at upgrade time.
        var bytes = Array(
            ("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8
        )
        bytes += FrameEncoder.encode(opcode: .text, payload: Array("early".utf8), maskingKey: (9, 8, 7, 6))
        try client.send(bytes)
        let reply = client.receive(count: 129 + 7)
        #expect(String(decoding: reply, as: UTF8.self).contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        #expect(Array(reply.suffix(7)) == [0x81, 5] + Array("early".utf8))
    }

    @Test(arguments: [
        ("Sec-WebSocket-Version: 8", "426", "Sec-WebSocket-Version: 13"),
        ("Origin: https://evil.example", "403", "origin_not_allowed"),
        ("Origin: https://app.example.edu.evil.example", "403", "origin_not_allowed"),
        ("Origin: http://app.example.edu", "403", "origin_not_allowed"),
    ])
    func refusedHandshakes(header: String, status: String, detail: String) throws {
        let server = try TestServer { $0.allowedOrigins = ["https://app.example.edu"] }
        let client = try TestSocket(port: server.port)
        let version = header.hasPrefix("Sec-WebSocket-Version") ? header : "Sec-WebSocket-Version: 13\r\n\(header)"
        try client.send(
            "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\(version)\r\n\r\n"
        )
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 \(status) "))
        #expect(text.contains(detail))
    }

    @Test func allowedOriginConnects() throws {
        let server = try TestServer { $0.allowedOrigins = ["https://app.example.edu"] }
        let socket = try TestWebSocket(port: server.port, headers: ["Origin: https://app.example.edu"])
        try socket.send(text: "ok")
        #expect(socket.receiveText() == "ok")
    }

    @Test func plainGetOnAWebSocketPathIsRefused() throws {
        let server = try TestServer()
        let client = try TestSocket(port: server.port)
        try client.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(String(decoding: client.receiveAll(), as: UTF8.self).hasPrefix("HTTP/1.1 400 "))
    }

    @Test func protocolErrorClosesWith1002() throws {
        let server = try TestServer()
        let socket = try TestWebSocket(port: server.port)
        // Unmasked client frame: RFC 6455 §5.1.
        try socket.socket.send([0x81, 0x02, 0x68, 0x69])
        #expect(socket.receiveClose() == 1002)
    }

    @Test func quietConnectionIsPingedAndDroppedWithoutAnswer() throws {
        let server = try TestServer {
            $0.pingInterval = 0.2
            $0.pongTimeout = 0.3
        }
        let socket = try TestWebSocket(port: server.port)
        let frame = try #require(socket.receiveFrame())
        #expect(frame.opcode == .ping)
        // No pong: the server gives up after the pong timeout and drops the connection.
        #expect(socket.socket.waitForClose())
    }

    @Test func answeringPingsKeepsTheConnection() throws {
        let server = try TestServer {
            $0.pingInterval = 0.1
            $0.pongTimeout = 0.2
        }
        let socket = try TestWebSocket(port: server.port)
        for _ in 0..<4 {
            let frame = try #require(socket.receiveFrame())
            #expect(frame.opcode == .ping)
            try socket.send(.pong, frame.payload)
        }
        try socket.send(text: "still here")
        #expect(socket.receiveText() == "still here")
    }

    @Test func gracefulShutdownSendsGoingAway() throws {
        let server = try TestServer()
        let socket = try TestWebSocket(port: server.port)
        try socket.send(text: "x")
        #expect(socket.receiveText() == "x")
        let done = DispatchSemaphore(value: 0)
        server.server.shutdown { done.signal() }
        #expect(socket.receiveClose() == 1001)
        try socket.send(.close, [0x03, 0xE9])
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(server.server.connectionCount == 0)
    }

    @Test func slowConsumerIsDisconnectedWithItsCloseCode() throws {
        var routes = Routes()
        routes.add(.GET, "/flood", HTTPRoute(.upgrade(FloodEndpoint())))
        let server = try TestServer({ $0.transport.maxOutboundBytes = 256 * 1024 }, routes: routes)
        // A small receive buffer and no reading: the server's queue for this client passes the cap.
        let socket = try TestWebSocket(port: server.port, path: "/flood", receiveBuffer: 4096)
        try socket.send(text: "go")
        #expect(waitUntil { server.server.connectionCount == 0 })
        // What reaches the client ends with the close frame that says why.
        var code: UInt16?
        while let frame = socket.receiveFrame() {
            if frame.opcode == .close { code = UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) }
        }
        #expect(code == 4008)
    }
}

/// On "go", sends 64 MiB in 64 KiB messages without waiting: more than any cap lets through.
struct FloodEndpoint: WebSocketEndpoint {
    var configuration: WebSocketConfiguration { WebSocketConfiguration() }
    var subprotocols: [String] { [] }
    var maxOutboundBytes: Int? { nil }

    func makeSession(for request: HTTPRequest) throws(HTTPError) -> any WebSocketSession { FloodSession() }

    final class FloodSession: WebSocketSession {
        func opened(_ channel: WebSocketChannel) {}
        func received(_ message: WebSocketMessage, on channel: WebSocketChannel) {
            let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
            for _ in 0..<1024 where channel.connection.isOpen { channel.send(binary: chunk) }
        }
        func closed(_ channel: WebSocketChannel, code: CloseCode?) {}
    }
}
