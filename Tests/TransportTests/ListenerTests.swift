import Dispatch
import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Transport

@Suite struct ListenerTests {
    let group = EventLoopGroup(count: 2, tickInterval: 0.05)

    func echoListener(
        limits: TransportLimits = TransportLimits(),
        events: EchoHandler.Events = .init()
    ) throws -> Listener {
        try Listener(host: "127.0.0.1", port: 0, group: group, limits: limits) { _ in EchoHandler(events: events) }
    }

    @Test func echoesBytesOverLoopback() throws {
        let listener = try echoListener()
        defer { listener.stop() }
        #expect(listener.address.port != 0)
        let client = try TestSocket(port: listener.address.port)
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try client.send(payload)
        #expect(client.receive(count: payload.count) == payload)
    }

    @Test func echoesMoreThanTheSocketBuffersHold() throws {
        // The client writes everything before reading, so the server's writes must wait for writability while its
        // reads go on: both dispatch sources of one descriptor are active at once.
        let listener = try echoListener()
        defer { listener.stop() }
        let client = try TestSocket(port: listener.address.port)
        let payload = (0..<800_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try client.send(payload)
        let received = client.receive(count: payload.count)
        #expect(received.count == payload.count)
        let same = received == payload
        #expect(same)
    }

    @Test func manyConnectionsSpreadOverLoops() throws {
        let listener = try echoListener()
        defer { listener.stop() }
        let clients = try (0..<20).map { _ in try TestSocket(port: listener.address.port) }
        for (i, client) in clients.enumerated() { try client.send("hello \(i)") }
        for (i, client) in clients.enumerated() {
            #expect(client.receive(count: "hello \(i)".utf8.count) == Array("hello \(i)".utf8))
        }
        var perLoop = [Int](repeating: 0, count: group.loops.count)
        for loop in group.loops { perLoop[loop.index] = loop.queue.sync { loop.openConnections.count } }
        #expect(perLoop.allSatisfy { $0 == 10 })
    }

    @Test func refusesConnectionsBeyondThePerIPLimitWith503() throws {
        var limits = TransportLimits()
        limits.maxConnectionsPerIP = 2
        let listener = try echoListener(limits: limits)
        defer { listener.stop() }
        let a = try TestSocket(port: listener.address.port)
        let b = try TestSocket(port: listener.address.port)
        try a.send("x")
        try b.send("y")
        #expect(a.receive(count: 1) == Array("x".utf8))
        #expect(b.receive(count: 1) == Array("y".utf8))
        let refused = try TestSocket(port: listener.address.port)
        try? refused.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = String(decoding: refused.receiveAll(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 503 "))
        #expect(reply.contains("too_many_connections_from_ip"))
        // Another address is not affected by this address's limit.
        let other = try TestSocket(port: listener.address.port, source: "127.0.0.2")
        try other.send("z")
        #expect(other.receive(count: 1) == Array("z".utf8))
    }

    @Test func closingFreesTheSlotForTheNextConnection() throws {
        var limits = TransportLimits()
        limits.maxConnections = 1
        let events = EchoHandler.Events()
        let listener = try echoListener(limits: limits, events: events)
        defer { listener.stop() }
        do {
            let first = try TestSocket(port: listener.address.port)
            try first.send("1")
            #expect(first.receive(count: 1) == Array("1".utf8))
        }
        // The server sees EOF and closes; wait for the counter rather than sleeping a fixed time.
        #expect(waitUntil { listener.connectionCount == 0 })
        let second = try TestSocket(port: listener.address.port)
        try second.send("2")
        #expect(second.receive(count: 1) == Array("2".utf8))
    }

    @Test func slowReaderOverflowsTheOutboundCapAndIsDisconnected() throws {
        var limits = TransportLimits()
        limits.maxOutboundBytes = 256 * 1024
        let events = EchoHandler.Events()
        let listener = try echoListener(limits: limits, events: events)
        defer { listener.stop() }
        let client = try TestSocket(port: listener.address.port, receiveBuffer: 4096)
        // Keep sending without reading: echoes pile up in the server's queue until the cap trips.
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        var sent = 0
        while events.overflows.load(ordering: .relaxed) == 0, sent < 64 << 20 {
            guard (try? client.send(chunk)) != nil else { break }
            sent += chunk.count
        }
        #expect(waitUntil { events.overflows.load(ordering: .relaxed) == 1 })
        #expect(waitUntil { events.closes.load(ordering: .relaxed) == 1 })
        // Far less than what was sent is ever buffered: the cap, plus kernel buffers.
        #expect(sent < 32 << 20)
    }

    @Test func deadlineFiresTheHandler() throws {
        let events = EchoHandler.Events()
        let listener = try Listener(host: "127.0.0.1", port: 0, group: group) { connection in
            connection.deadline = MonotonicClock.now().adding(seconds: 0.1)
            return EchoHandler(events: events)
        }
        defer { listener.stop() }
        let client = try TestSocket(port: listener.address.port)
        #expect(client.waitForClose())
        #expect(events.deadlines.load(ordering: .relaxed) == 1)
    }
}
