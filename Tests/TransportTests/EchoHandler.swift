import Synchronization
import Transport

/// Echoes every byte back; records lifecycle callbacks for assertions.
final class EchoHandler: ConnectionHandler, @unchecked Sendable {
    let events: Events

    final class Events: Sendable {
        let overflows = Atomic<Int>(0)
        let closes = Atomic<Int>(0)
        let deadlines = Atomic<Int>(0)
    }

    init(events: Events) { self.events = events }

    func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection) {
        connection.write(Array(bytes))
    }

    func deadlineReached(on connection: Connection, now: UInt64) {
        events.deadlines.add(1, ordering: .relaxed)
        connection.close()
    }

    func outboundOverflow(on connection: Connection) {
        events.overflows.add(1, ordering: .relaxed)
        connection.close()
    }

    func closed(_ connection: Connection) {
        events.closes.add(1, ordering: .relaxed)
    }
}
