import Foundation
import HTTP
import Hub
import Synchronization
import TestSupport
import Testing
import Transport

@testable import Gateway

@Suite struct IPNetworkTests {
    @Test func parsesAddressesAndRanges() {
        #expect(IPNetwork("10.0.0.0/8")?.contains("10.200.1.2") == true)
        #expect(IPNetwork("10.0.0.0/8")?.contains("11.0.0.1") == false)
        #expect(IPNetwork("127.0.0.1")?.contains("127.0.0.1") == true)
        #expect(IPNetwork("127.0.0.1")?.contains("127.0.0.2") == false)
        #expect(IPNetwork("2001:db8::/32")?.contains("2001:db8:1::5") == true)
        #expect(IPNetwork("2001:db8::/32")?.contains("2001:db9::5") == false)
        #expect(IPNetwork("0.0.0.0/0")?.contains("8.8.8.8") == true)
        // IPv4 ranges match IPv4-mapped IPv6 peers, and never plain IPv6 ones.
        #expect(IPNetwork("192.168.0.0/16")?.contains("::ffff:192.168.3.4") == true)
        #expect(IPNetwork("0.0.0.0/0")?.contains("::1") == false)
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "abc", "10.0.0.0/", "10.0.0.0/+8", "::/129", "1.2.3.4/-1"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        #expect(IPNetwork.canonical(" 1.2.3.4") == nil)
        #expect(IPNetwork.canonical("::ffff:1.2.3.4") == "1.2.3.4")
        #expect(IPNetwork.canonical("2001:DB8:0:0::1") == "2001:db8::1")
    }
}

@Suite struct ClientAddressTests {
    let proxies = [IPNetwork("127.0.0.1")!, IPNetwork("10.0.0.0/8")!]

    func resolve(_ peer: String, _ forwarded: [String], trusted: [IPNetwork]? = nil) -> String {
        var headers = HTTPHeaders()
        for value in forwarded { headers.add(name: "X-Forwarded-For", value: value) }
        return ClientAddress.resolve(peer: peer, headers: headers, trusted: trusted ?? proxies)
    }

    @Test func believesOnlyTrustedProxies() {
        // Direct clients cannot choose their address.
        #expect(resolve("203.0.113.7", ["1.1.1.1"]) == "203.0.113.7")
        #expect(resolve("127.0.0.1", ["1.1.1.1"], trusted: []) == "127.0.0.1")
        // Through one proxy.
        #expect(resolve("127.0.0.1", ["203.0.113.7"]) == "203.0.113.7")
        // A client's own X-Forwarded-For is kept by the proxy on the left; only the entry it appended counts.
        #expect(resolve("127.0.0.1", ["6.6.6.6, 203.0.113.7"]) == "203.0.113.7")
        // Through two trusted hops, in one field or two.
        #expect(resolve("127.0.0.1", ["203.0.113.7, 10.1.2.3"]) == "203.0.113.7")
        #expect(resolve("127.0.0.1", ["203.0.113.7", "10.1.2.3"]) == "203.0.113.7")
        // No header, or only trusted hops: the left-most trusted one.
        #expect(resolve("127.0.0.1", []) == "127.0.0.1")
        #expect(resolve("127.0.0.1", ["10.9.9.9"]) == "10.9.9.9")
        // Garbage stops the walk at the last address a trusted proxy vouched for.
        #expect(resolve("127.0.0.1", ["203.0.113.7, not-an-ip"]) == "127.0.0.1")
        #expect(resolve("127.0.0.1", ["not-an-ip, 10.1.2.3"]) == "10.1.2.3")
        #expect(resolve("127.0.0.1", [" 2001:DB8::1 "]) == "2001:db8::1")
    }
}

@Suite struct ClientLimiterTests {
    final class Clock: Sendable {
        let now = Atomic<Int64>(0)
    }

    @Test func bucketsPerAddressAndKind() {
        let clock = Clock()
        let limiter = ClientLimiter(
            handshakes: RateLimit(perSecond: 1, burst: 2),
            requests: .unlimited,
            maxWebSocketsPerIP: 2,
            clock: { clock.now.load(ordering: .relaxed) }
        )
        #expect(limiter.take(.handshake, for: "a") == nil)
        #expect(limiter.take(.handshake, for: "a") == nil)
        #expect(limiter.take(.handshake, for: "a") == 1)
        #expect(limiter.take(.handshake, for: "b") == nil)
        for _ in 0..<100 { #expect(limiter.take(.request, for: "a") == nil) }
        clock.now.store(1000, ordering: .relaxed)
        #expect(limiter.take(.handshake, for: "a") == nil)
        #expect(limiter.openWebSocket(for: "a"))
        #expect(limiter.openWebSocket(for: "a"))
        #expect(!limiter.openWebSocket(for: "a"))
        limiter.closeWebSocket(for: "a")
        #expect(limiter.openWebSocket(for: "a"))
    }

    @Test func memoryIsBoundedUnderAFloodOfAddresses() {
        let clock = Clock()
        let limiter = ClientLimiter(
            handshakes: RateLimit(perSecond: 1, burst: 5),
            requests: .unlimited,
            maxWebSocketsPerIP: 10,
            maxEntries: 1000,
            clock: { clock.now.load(ordering: .relaxed) }
        )
        #expect(limiter.openWebSocket(for: "keep"))
        for i in 0..<50_000 { _ = limiter.take(.handshake, for: "10.\(i >> 16).\((i >> 8) & 255).\(i & 255)") }
        #expect(limiter.trackedClients <= 1000)
        // Open connections are never forgotten, so their count stays right.
        #expect(limiter.openWebSocket(for: "keep"))
        clock.now.store(10_000, ordering: .relaxed)
        for i in 0..<4096 { _ = limiter.take(.handshake, for: "x\(i % 3)") }
        #expect(limiter.trackedClients <= 4)
    }
}

/// Per-IP limits and trusted proxies over real sockets.
@Suite struct ClientLimitsServerTests {
    static func routes() -> Routes {
        var routes = Routes()
        routes.add(.GET, "/ping", .sync { _ in .json(.ok, body: Array(#"{"pong":true}"#.utf8)) })
        routes.add(.GET, "/whoami", .sync { request in .json(.ok, body: Array("\"\(request.clientIP)\"".utf8)) })
        return routes
    }

    func get(_ port: UInt16, _ path: String, headers: [String] = []) throws -> HTTPTestClient.Response? {
        try HTTPTestClient(port: port).request("GET", path, headers: headers)
    }

    @Test func restCallsPastTheBucketGet429WithRetryAfterAndHealthChecksDoNot() throws {
        let server = try TestServer(
            { $0.requestsPerIP = RateLimit(perSecond: 0.01, burst: 3) },
            routes: Self.routes()
        )
        for _ in 0..<3 { #expect(try get(server.port, "/ping")?.status == 200) }
        let refused = try #require(try get(server.port, "/ping"))
        #expect(refused.status == 429)
        #expect(refused.header("Retry-After") == "100")
        #expect(refused.text.contains(#""code":"rate_limited""#))
        #expect(try get(server.port, "/healthz")?.status == 200)
        #expect(try get(server.port, "/readyz")?.status == 200)
        // Without trusted proxies, X-Forwarded-For changes nothing.
        #expect(try get(server.port, "/ping", headers: ["X-Forwarded-For: 203.0.113.9"])?.status == 429)
        #expect(try get(server.port, "/whoami", headers: ["X-Forwarded-For: 203.0.113.9"])?.status == 429)
    }

    @Test func handshakesPastTheBucketGet429() throws {
        let server = try TestServer { $0.handshakesPerIP = RateLimit(perSecond: 0.01, burst: 2) }
        let first = try TestWebSocket(port: server.port)
        let second = try TestWebSocket(port: server.port)
        do {
            _ = try TestWebSocket(port: server.port)
            Issue.record("the third handshake was accepted")
        } catch let TestWebSocket.Failure.handshakeRefused(head) {
            #expect(head.hasPrefix("HTTP/1.1 429 "))
            #expect(head.contains("Retry-After: 100"))
        }
        _ = (first, second)
    }

    /// Any request counts against its connection: past the burst each is answered `rate_limited` with its id;
    /// a client that keeps going through a whole burst of refusals is closed with 4429; others are not affected.
    @Test func aConnectionFloodingRequestsIsRefusedThenClosed() throws {
        let server = try HubTestServer { $0.requestsPerConnection = .perMinute(1, burst: 3) }
        let flooder = try server.connect("S1")
        let neighbour = try server.connect("S2")
        for _ in 0..<3 { #expect(try flooder.request(["type": "ping"])["ok"] == true) }
        let refused = try flooder.request(["type": "sync"])
        #expect(refused["type"] == "reply" && refused["id"] == "q4", "\(refused)")
        #expect(refused["error"]?["code"] == "rate_limited")
        #expect((refused["error"]?["retryAfter"]?.doubleValue ?? 0) > 50)
        // A frame that is not even a request is refused the same way (no id to answer).
        try flooder.socket.send(text: "not json")
        #expect(try flooder.nextFrame()?["error"]?["code"] == "rate_limited")
        // Two more: the fourth refusal in a row is one more than the burst, and the connection ends.
        for _ in 0..<2 { _ = try flooder.fire(["type": "ping"]) }
        var close: UInt16?
        while close == nil, let frame = flooder.socket.receiveFrame() {
            if frame.opcode == .close {
                close = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : 1005
            }
        }
        #expect(close == 4429)
        #expect(try neighbour.request(["type": "ping"])["ok"] == true)
    }

    @Test func behindATrustedProxyEachForwardedClientHasItsOwnLimits() throws {
        let server = try TestServer(
            {
                $0.trustedProxies = [IPNetwork("127.0.0.0/8")!]
                $0.requestsPerIP = RateLimit(perSecond: 0.01, burst: 2)
                $0.transport.maxConnectionsPerIP = 2
            },
            routes: Self.routes()
        )
        let alice = "X-Forwarded-For: 203.0.113.1"
        let bob = "X-Forwarded-For: 203.0.113.2"
        let whoami = try #require(try get(server.port, "/whoami", headers: ["X-Forwarded-For: 6.6.6.6, 203.0.113.1"]))
        #expect(whoami.text == "\"203.0.113.1\"")
        #expect(try get(server.port, "/ping", headers: [alice])?.status == 200)
        #expect(try get(server.port, "/ping", headers: [alice])?.status == 429)
        #expect(try get(server.port, "/ping", headers: [bob])?.status == 200)

        // Two WebSockets per forwarded client, although all come from one proxy address (exempt from the TCP cap).
        var sockets = [
            try TestWebSocket(port: server.port, headers: [alice]),
            try TestWebSocket(port: server.port, headers: [alice]),
            try TestWebSocket(port: server.port, headers: [bob]),
        ]
        do {
            _ = try TestWebSocket(port: server.port, headers: [alice])
            Issue.record("a third WebSocket from one forwarded client was accepted")
        } catch let TestWebSocket.Failure.handshakeRefused(head) {
            #expect(head.hasPrefix("HTTP/1.1 503 "))
        }
        // Closing one frees its place.
        sockets.removeFirst()
        #expect(waitUntil { (try? TestWebSocket(port: server.port, headers: [alice])) != nil })
        _ = sockets
    }
}
