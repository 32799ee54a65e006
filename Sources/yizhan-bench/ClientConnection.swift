import WebSocket

/// One client WebSocket connection. Owned by one ``ClientWorker`` and touched only on its thread.
///
/// Besides the socket's state it carries the few fields every scenario needs to check delivery: the group the
/// client follows, the newest seq it holds and what went wrong with the seqs it got.
final class ClientConnection {
    enum State {
        case idle
        case connecting
        case handshaking
        case open
        case closed
    }

    /// Index in the worker's table (and in the low half of the epoll data).
    let slot: Int
    /// Fixture user this connection authenticates as.
    let user: Int
    var fd: Int32 = -1
    /// Bumped for every new socket so that events for an old one are ignored.
    var generation: UInt32 = 0
    var state = State.idle

    /// Bytes queued for the socket; `outStart` is where the unwritten part begins.
    var out: [UInt8] = []
    var outStart = 0
    /// Part of a frame (or of the handshake response) waiting for the rest.
    var pending: [UInt8] = []
    /// A fragmented message being assembled (the server does not fragment today, but may).
    var fragments: [UInt8] = []
    var fragmentOpcode: UInt8 = 0
    var waitingForWritable = false
    var queuedForFlush = false
    let mask: MaskingKey
    /// When the current connect started (Clock.now()).
    var connectStarted: UInt64 = 0
    var connectAttempts = 0

    // Scenario state.
    /// The group this client follows (0: none yet).
    var group: Int64 = 0
    /// The newest seq of `group` this client holds, from pushes and sync pages.
    var lastSeq: Int64 = 0
    /// Messages that arrived with seq <= lastSeq (duplicates or out of order).
    var duplicated = 0
    /// Seqs skipped over (a message arrived after a gap).
    var missed = 0
    /// Bench messages received (pushes and sync pages).
    var received = 0
    /// Synced and receiving pushes.
    var live = false
    /// Sends in flight (awaiting the ack) and still to send.
    var outstanding = 0
    var remaining = 0
    /// Monotonic time the next paced action is due.
    var nextDue: UInt64 = 0
    /// Scenario-defined marker (a role, a phase).
    var tag = 0
    /// The group's counselor (soak: publishes the card members answer).
    var isCounselor = false

    init(slot: Int, user: Int, mask: MaskingKey) {
        self.slot = slot
        self.user = user
        self.mask = mask
    }

    /// Records that the client now holds `seq` of its group: the next one is expected, anything at or below the
    /// newest is a duplicate, anything beyond the next one means messages were skipped.
    @inline(__always)
    func accept(seq: Int64) {
        if seq == lastSeq &+ 1 {
            lastSeq = seq
        } else if seq <= lastSeq {
            duplicated += 1
        } else {
            missed += Int(seq - lastSeq - 1)
            lastSeq = seq
        }
    }

    /// Appends one masked client frame carrying `payload`.
    func appendFrame(opcode: UInt8, _ payload: UnsafeRawBufferPointer) {
        let count = payload.count
        out.append(0x80 | opcode)
        if count < 126 {
            out.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            out.append(0x80 | 126)
            out.append(UInt8(truncatingIfNeeded: count >> 8))
            out.append(UInt8(truncatingIfNeeded: count))
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: count >> shift)) }
        }
        out.append(mask[0])
        out.append(mask[1])
        out.append(mask[2])
        out.append(mask[3])
        let start = out.count
        out.append(contentsOf: payload)
        out.withUnsafeMutableBytes { buffer in
            Masking.apply(mask, to: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Forgets everything about the current socket (the scenario fields stay).
    func resetTransport() {
        fd = -1
        state = .idle
        out = []
        outStart = 0
        pending = []
        fragments = []
        waitingForWritable = false
        live = false
    }
}
