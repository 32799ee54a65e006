import JSON

/// Reads the few fields the bench needs from the hub's frames without building a JSON tree.
///
/// The server writes its envelopes with a fixed key order and no whitespace (`Sources/Hub/Wire.swift`):
/// `{"type":"message","message":{"group":…,"seq":…,…,"body":{"text":"bench:…"}}}` and
/// `{"type":"reply","id":"…","ok":true,"data":{…}}`. The keys looked for all come before any user text, so a
/// message body cannot fool the scan. Rare, larger replies (sync pages, conversation lists) go through
/// `JSONParser` instead.
enum ServerMessage {
    enum Kind {
        case message
        case reply
        case receipts
        case read
        /// `{"type":"error",…}`: a frame the server could not take as a request.
        case error
        case other
    }

    static func kind(_ bytes: UnsafeRawBufferPointer) -> Kind {
        // {"type":" is 9 bytes; the type's first letters tell the kinds apart.
        guard bytes.count > 12, bytes[1] == UInt8(ascii: "\""), bytes[2] == UInt8(ascii: "t") else { return .other }
        switch (bytes[9], bytes[10], bytes[11]) {
        case (UInt8(ascii: "m"), UInt8(ascii: "e"), UInt8(ascii: "s")): return .message
        case (UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "p")): return .reply
        case (UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "c")): return .receipts
        case (UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "a")): return .read
        case (UInt8(ascii: "e"), UInt8(ascii: "r"), UInt8(ascii: "r")): return .error
        default: return .other
        }
    }

    /// The index just after the first occurrence of `key` at or after `start`.
    static func find(_ key: StaticString, in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        let needle = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        let first = needle[0]
        let last = bytes.count - needle.count
        var index = start
        while index <= last {
            if bytes[index] == first {
                var matched = 1
                while matched < needle.count && bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index + needle.count }
            }
            index += 1
        }
        return nil
    }

    /// The decimal integer starting at `start` and the index after it.
    static func integer(in bytes: UnsafeRawBufferPointer, at start: Int) -> (value: Int64, end: Int)? {
        var index = start
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        let first = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard index > first else { return nil }
        return (negative ? -value : value, index)
    }

    static func integer(
        after key: StaticString,
        in bytes: UnsafeRawBufferPointer,
        from start: Int = 0
    ) -> (value: Int64, end: Int)? {
        guard let position = find(key, in: bytes, from: start) else { return nil }
        return integer(in: bytes, at: position)
    }

    /// A message push: its group and seq, and the send time if it is a bench message.
    struct Push {
        var group: Int64
        var seq: Int64
        var sentAt: UInt64?
    }

    static func push(_ bytes: UnsafeRawBufferPointer) -> Push? {
        // {"type":"message","message":{"group": is 38 bytes.
        guard let group = integer(after: #""group":"#, in: bytes, from: 28),
            let seq = integer(after: #""seq":"#, in: bytes, from: group.end)
        else { return nil }
        var sentAt: UInt64?
        if let text = find(#""text":"bench:"#, in: bytes, from: seq.end),
            let time = integer(in: bytes, at: text)
        {
            sentAt = UInt64(time.value)
        }
        return Push(group: group.value, seq: seq.value, sentAt: sentAt)
    }

    /// A reply's id (first letter and the number after it), whether it succeeded, and where `data` begins.
    struct Reply {
        var idLetter: UInt8
        var idNumber: UInt64
        var ok: Bool
        var rest: Int
    }

    static func reply(_ bytes: UnsafeRawBufferPointer) -> Reply? {
        // {"type":"reply","id":" is 22 bytes.
        guard bytes.count > 23 else { return nil }
        let letter = bytes[22]
        var number: UInt64 = 0
        var index = 23
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            number = number &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard let ok = find(#""ok":"#, in: bytes, from: index), ok < bytes.count else { return nil }
        return Reply(idLetter: letter, idNumber: number, ok: bytes[ok] == UInt8(ascii: "t"), rest: ok)
    }

    /// The `code` of an error reply (for counting errors by kind).
    static func errorCode(_ bytes: UnsafeRawBufferPointer) -> String {
        guard let start = find(#""code":""#, in: bytes) else { return "unknown" }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The whole frame as a JSON tree (for sync pages and conversation lists).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        var limits = JSONLimits.default
        limits.maxInputBytes = 64 << 20
        return try? JSONParser.parse(bytes, limits: limits)
    }

    /// One group's page of a sync reply: its messages as (seq, send time if a bench message) and `more`.
    struct SyncPage {
        var group: Int64
        var messages: [(seq: Int64, sentAt: UInt64?)]
        var more: Bool
        var error: String?
    }

    static func syncPages(_ bytes: UnsafeRawBufferPointer) -> [SyncPage]? {
        guard let value = parse(bytes), let groups = value["data"]?["groups"]?.arrayValue else { return nil }
        return groups.map { page in
            let messages = (page["messages"]?.arrayValue ?? []).map { message in
                let text = message["body"]?["text"]?.stringValue
                let sentAt = text.flatMap { text in
                    text.hasPrefix("bench:") ? UInt64(text.dropFirst(6).prefix { $0.isNumber }) : nil
                }
                return (seq: message["seq"]?.int64Value ?? 0, sentAt: sentAt)
            }
            return SyncPage(
                group: page["group"]?.int64Value ?? 0,
                messages: messages,
                more: page["more"]?.boolValue ?? false,
                error: page["error"]?.stringValue
            )
        }
    }

    /// Group heads from a `conversations` reply.
    static func heads(_ bytes: UnsafeRawBufferPointer) -> [Int64: Int64] {
        guard let value = parse(bytes), let list = value["data"]?["conversations"]?.arrayValue else { return [:] }
        var heads: [Int64: Int64] = [:]
        for item in list {
            if let group = item["group"]?.int64Value, let head = item["head"]?.int64Value { heads[group] = head }
        }
        return heads
    }
}
