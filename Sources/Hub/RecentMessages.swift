/// The newest messages of one group, kept encoded so that resumes and conversation lists cost no store read and no
/// re-encoding. A ring: appending past capacity drops the oldest.
struct RecentMessages {
    struct Entry {
        var seq: Int64
        var sender: UserID?
        var kind: MessageKind
        var createdAt: Timestamp
        /// Expired by the retention policy (the encoded object has no body).
        var expired = false
        /// The message object as sent on the wire (`Wire.messageObject`).
        var encoded: [UInt8]
    }

    private var entries: [Entry] = []
    private var start = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Oldest seq held, if any.
    var firstSeq: Int64? { entries.isEmpty ? nil : entries[start].seq }
    var last: Entry? { entries.isEmpty ? nil : entries[(start + entries.count - 1) % entries.count] }

    /// Appends a message whose seq is the next one (the caller keeps them dense and ascending).
    mutating func append(_ entry: Entry) {
        if entries.count < capacity {
            entries.append(entry)
        } else {
            entries[start] = entry
            start = (start + 1) % capacity
        }
    }

    /// The entry with `seq`, if held.
    func entry(seq: Int64) -> Entry? {
        guard let first = firstSeq, seq >= first, seq < first + Int64(entries.count) else { return nil }
        return entries[(start + Int(seq - first)) % entries.count]
    }

    /// Calls `update` on every entry, oldest first, letting it replace the entry.
    mutating func updateEach(_ update: (inout Entry) -> Void) {
        for index in entries.indices { update(&entries[index]) }
    }

    mutating func replace(seq: Int64, encoded: [UInt8]) {
        guard let first = firstSeq, seq >= first, seq < first + Int64(entries.count) else { return }
        entries[(start + Int(seq - first)) % entries.count].encoded = encoded
    }

    /// Whether every message after `seq` up to the newest is held.
    func covers(after seq: Int64) -> Bool {
        guard let first = firstSeq else { return false }
        return first <= seq + 1
    }

    /// Entries with seq > `after`, ascending, at most `limit`.
    func entries(after: Int64, limit: Int) -> [Entry] {
        guard let first = firstSeq, limit > 0 else { return [] }
        let from = max(0, Int(after + 1 - first))
        guard from < entries.count else { return [] }
        let to = min(entries.count, from + limit)
        return (from..<to).map { entries[(start + $0) % entries.count] }
    }

    /// The newest `limit` entries with seq < `before`, ascending.
    func entries(before: Int64, limit: Int) -> [Entry] {
        guard let first = firstSeq, limit > 0 else { return [] }
        let end = min(entries.count, max(0, Int(before - first)))
        let from = max(0, end - limit)
        return (from..<end).map { entries[(start + $0) % entries.count] }
    }
}
