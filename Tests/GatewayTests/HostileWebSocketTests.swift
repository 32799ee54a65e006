import Gateway
import HTTP
import TestSupport
import Testing
import Transport
import WebSocket

/// Hostile inputs against an endpoint with production limits (the echo endpoint raises them for Autobahn).
@Suite struct HostileWebSocketTests {
    func server(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        var routes = Routes()
        routes.add(.GET, "/strict", HTTPRoute(.upgrade(StrictEchoEndpoint())))
        return try TestServer(configure, routes: routes)
    }

    @Test func frameLongerThanTheLimitIsRefusedAtItsHeader() throws {
        let server = try server()
        let socket = try TestWebSocket(port: server.port, path: "/strict")
        // Header of a masked 16-bit-length frame of 0x4001 bytes (> 16 KiB limit), no payload sent.
        try socket.socket.send([0x81, 0xFE, 0x40, 0x01, 1, 2, 3, 4])
        #expect(socket.receiveClose() == 1009)
    }

    @Test func huge64BitLengthDoesNotTrap() throws {
        let server = try server()
        let socket = try TestWebSocket(port: server.port, path: "/strict")
        try socket.socket.send([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
        #expect(socket.receiveClose() == 1002)
        // The process is fine and serves others.
        let other = try TestWebSocket(port: server.port, path: "/strict")
        try other.send(text: "alive")
        #expect(other.receiveText() == "alive")
    }

    @Test func manyTinyFragmentsAreCutOffAtTheFragmentLimit() throws {
        let server = try server()
        let socket = try TestWebSocket(port: server.port, path: "/strict")
        try socket.send(.text, [0x61], fin: false)
        var sent = 1
        var bytes: [UInt8] = []
        for _ in 0..<2000 {
            bytes += FrameEncoder.encode(opcode: .continuation, payload: [0x61], fin: false, maskingKey: (1, 2, 3, 4))
        }
        // The server may close mid-stream; stop sending then.
        while sent < 100_000, (try? socket.socket.send(bytes)) != nil { sent += 2000 }
        #expect(socket.receiveClose() == 1009)
    }

    @Test func invalidUTF8FailsWith1007() throws {
        let server = try server()
        let socket = try TestWebSocket(port: server.port, path: "/strict")
        try socket.send(.text, [0xED, 0xA0, 0x80])
        #expect(socket.receiveClose() == 1007)
    }

    @Test func pingFloodWithoutReadingEndsInDisconnect() throws {
        let server = try server { $0.transport.maxOutboundBytes = 64 * 1024 }
        let socket = try TestWebSocket(port: server.port, path: "/strict", receiveBuffer: 4096)
        let ping = FrameEncoder.encode(
            opcode: .ping,
            payload: [UInt8](repeating: 7, count: 125),
            maskingKey: (1, 2, 3, 4)
        )
        let burst = Array([[UInt8]](repeating: ping, count: 500).joined())
        var sent = 0
        while sent < 100_000, (try? socket.socket.send(burst)) != nil { sent += 500 }
        #expect(waitUntil { server.server.connectionCount == 0 })
    }
}

/// Echo with the production WebSocket limits (16 KiB frames, 64 KiB messages, 1024 fragments).
struct StrictEchoEndpoint: WebSocketEndpoint {
    var configuration: WebSocketConfiguration {
        var configuration = WebSocketConfiguration()
        configuration.maxFrameSize = 16 * 1024
        return configuration
    }
    var subprotocols: [String] { [] }
    var maxOutboundBytes: Int? { nil }

    func makeSession(for request: HTTPRequest) throws(HTTPError) -> any WebSocketSession { Session() }

    final class Session: WebSocketSession {
        func opened(_ channel: WebSocketChannel) {}
        func received(_ message: WebSocketMessage, on channel: WebSocketChannel) {
            if case .text(let payload) = message { channel.send(text: payload) }
        }
        func closed(_ channel: WebSocketChannel, code: CloseCode?) {}
    }
}
