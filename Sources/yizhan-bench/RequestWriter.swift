/// Builds the hub's request envelopes (`{"id","type",…}`, Protocol/README.md) into one reusable buffer, so a
/// client sends without allocating once the buffer has grown. Everything written is ASCII the bench chose itself
/// (ids, decimal numbers), so nothing needs escaping.
struct RequestWriter {
    var bytes: [UInt8] = []

    /// How client message ids are made.
    enum MessageIDKind: String, Sendable {
        /// UUIDv7-like: 48 bits of Unix milliseconds first, so ids of one sender sort by time (cheap on the
        /// store's unique index).
        case time
        /// UUIDv4-like: random, the worst case for a B-tree index.
        case random
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(UInt64(-value))
        } else {
            append(UInt64(value))
        }
    }

    mutating func append(_ value: UInt64) {
        var rest = value
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
    }

    private mutating func hex(_ value: UInt64, digits: Int) {
        let alphabet: StaticString = "0123456789abcdef"
        for index in stride(from: digits - 1, through: 0, by: -1) {
            bytes.append(alphabet.utf8Start[Int((value >> (UInt64(index) * 4)) & 0xF)])
        }
    }

    /// `xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx`: 48-bit milliseconds, then `counter` and `node` (a per-sender
    /// number), with the version and variant bits of RFC 9562.
    mutating func appendTimeOrderedID(milliseconds: UInt64, counter: UInt64, node: UInt64) {
        hex(milliseconds >> 16, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        hex(milliseconds & 0xFFFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(0x7000 | (counter >> 32) & 0xFFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(0x8000 | (counter >> 16) & 0x3FFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex((counter & 0xFFFF) << 32 | node & 0xFFFF_FFFF, digits: 12)
    }

    /// A random (version 4) UUID.
    mutating func appendRandomID<G: RandomNumberGenerator>(using generator: inout G) {
        let high = UInt64.random(in: 0...UInt64.max, using: &generator)
        let low = UInt64.random(in: 0...UInt64.max, using: &generator)
        hex(high >> 32, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        hex((high >> 16) & 0xFFFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(0x4000 | high & 0xFFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(0x8000 | (low >> 48) & 0x3FFF, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        hex(low & 0xFFFF_FFFF_FFFF, digits: 12)
    }

    // MARK: Requests

    /// `send` of a text message whose text starts with `bench:<sentAt>` (monotonic nanoseconds, compared on
    /// receipt) and is padded to `textBytes`. The request id is `s<sentAt>`, so the ack carries its own send time.
    mutating func send(
        group: Int64,
        sentAt: UInt64,
        idKind: MessageIDKind,
        counter: UInt64,
        node: UInt64,
        textBytes: Int,
        generator: inout SystemRandomNumberGenerator
    ) {
        reset()
        append(#"{"id":"s"#)
        append(sentAt)
        append(#"","type":"send","group":"#)
        append(group)
        append(#","clientMsgId":""#)
        switch idKind {
        case .time: appendTimeOrderedID(milliseconds: Clock.unixMilliseconds(), counter: counter, node: node)
        case .random: appendRandomID(using: &generator)
        }
        append(#"","kind":"text","body":{"text":"bench:"#)
        let start = bytes.count
        append(sentAt)
        let padding = textBytes - 6 - (bytes.count - start)
        if padding > 1 {
            bytes.append(UInt8(ascii: " "))
            for _ in 1..<padding { bytes.append(UInt8(ascii: "x")) }
        }
        append(#""}}"#)
    }

    /// `sync`; with a cursor, resumes `group` after `seq`.
    mutating func sync(group: Int64? = nil, after seq: Int64 = 0) {
        reset()
        append(#"{"id":"y","type":"sync""#)
        if let group {
            append(#","cursors":[{"group":"#)
            append(group)
            append(#","seq":"#)
            append(seq)
            append("}]")
        }
        append("}")
    }

    /// `conversations`: every group of the caller with its head.
    mutating func conversations() {
        reset()
        append(#"{"id":"c","type":"conversations"}"#)
    }

    /// `read` up to `seq`; the id carries the send time.
    mutating func read(group: Int64, seq: Int64, sentAt: UInt64) {
        reset()
        append(#"{"id":"r"#)
        append(sentAt)
        append(#"","type":"read","group":"#)
        append(group)
        append(#","seq":"#)
        append(seq)
        append("}")
    }
}
