import Dispatch
import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Transport

/// Writes `chunks` chunks of `chunkSize` bytes when the peer sends anything, one chunk per `outputDrained`.
private final class DrainWriter: ConnectionHandler, @unchecked Sendable {
    let chunks: Int
    let chunk: SharedBytes
    let drains = Atomic<Int>(0)
    let maxQueued = Atomic<Int>(0)
    private var sent = 0

    init(chunks: Int, chunkSize: Int) {
        self.chunks = chunks
        self.chunk = SharedBytes((0..<chunkSize).map { UInt8(truncatingIfNeeded: $0) })
    }

    func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection) {
        guard sent == 0 else { return }
        writeNext(connection)
    }

    func outputDrained(on connection: Connection) {
        drains.add(1, ordering: .relaxed)
        writeNext(connection)
    }

    private func writeNext(_ connection: Connection) {
        guard sent < chunks else { return }
        sent += 1
        connection.write(chunk)
        _ = maxQueued.max(connection.queuedOutputBytes, ordering: .relaxed)
    }

    func deadlineReached(on connection: Connection, now: UInt64) { connection.close() }
}

/// Pauses reading at every delivery and resumes on a later loop turn; records deliveries that came while paused.
private final class PausingCounter: ConnectionHandler, @unchecked Sendable {
    let received = Atomic<Int>(0)
    let violations = Atomic<Int>(0)
    private var paused = false

    func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection) {
        if paused { violations.add(1, ordering: .relaxed) }
        received.add(bytes.count, ordering: .relaxed)
        paused = true
        connection.pauseReading()
        connection.loop.execute {
            self.paused = false
            connection.resumeReading()
        }
    }

    func deadlineReached(on connection: Connection, now: UInt64) { connection.close() }
}

@Suite struct OutputDrainedTests {
    let group = EventLoopGroup(count: 1, tickInterval: 0.05)

    @Test func drainedIsCalledEachTimeTheQueueEmptiesSoWritesCanBePaced() throws {
        let writer = DrainWriter(chunks: 200, chunkSize: 64 * 1024)
        let listener = try Listener(host: "127.0.0.1", port: 0, group: group, limits: TransportLimits()) { _ in writer }
        defer { listener.stop() }
        // A small receive buffer makes the server wait for writability along the way.
        let client = try TestSocket(port: listener.address.port, receiveBuffer: 32 * 1024)
        try client.send("go")
        let expected = 200 * 64 * 1024
        let received = client.receive(count: expected)
        #expect(received.count == expected)
        #expect(received.prefix(65536).elementsEqual((0..<65536).map { UInt8(truncatingIfNeeded: $0) }))
        // One drain per chunk (the last drain writes nothing), and never more than one chunk queued.
        #expect(waitUntil { writer.drains.load(ordering: .relaxed) == 200 })
        #expect(writer.maxQueued.load(ordering: .relaxed) == 64 * 1024)
    }

    @Test func aPausedConnectionGetsNoBytesUntilItResumes() throws {
        let counter = PausingCounter()
        let listener = try Listener(host: "127.0.0.1", port: 0, group: group, limits: TransportLimits()) { _ in counter
        }
        defer { listener.stop() }
        let client = try TestSocket(port: listener.address.port)
        let payload = [UInt8](repeating: 7, count: 8 << 20)
        try client.send(payload)
        #expect(waitUntil { counter.received.load(ordering: .relaxed) == payload.count })
        #expect(counter.violations.load(ordering: .relaxed) == 0)
    }
}
