import Hub
import Store
import Synchronization
import Testing

/// The retention purge on SQLite: chunked over many transactions, idempotent, and careful with shared files.
@Suite struct PurgeTests {
    static let day: Int64 = 86_400_000
    static let now: Timestamp = 1_700_000_000_000 + 60 * day
    static let old: Timestamp = now - 45 * day

    /// Messages 30 days, records 10 days, uploads never sent 3 days.
    static let plan: PurgePlan = {
        var policy = RetentionPolicy()
        policy.messageDays = 30
        policy.records = .days(10)
        policy.unsentUploadDays = 3
        return policy.plan(now: now, calendar: LocalCalendar(utcOffsetSeconds: 8 * 3600))
    }()

    static func object(_ id: String, sha256: Character, at createdAt: Timestamp) -> ObjectRecord {
        ObjectRecord(
            id: id,
            sha256: String(repeating: sha256, count: 64),
            size: 10,
            mime: "image/png",
            name: "\(id).png",
            owner: "S001",
            createdAt: createdAt
        )
    }

    static func message(_ kind: MessageKind, _ body: String, at createdAt: Timestamp) -> WriteOp {
        .appendMessage(
            NewMessage(
                group: GroupID(1),
                sender: "S001",
                clientMsgID: nil,
                kind: kind,
                body: Array(body.utf8),
                createdAt: createdAt
            )
        )
    }

    @Test func expiresInChunksKeepsSeqsAndReleasesOnlyUnreferencedObjects() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let oldTexts = SQLiteStore.purgeChunk * 2 + 34
            var batch: [WriteOp] = [
                .upsertGroup(Fixture.group(1)),
                .upsertObject(Self.object("old", sha256: "a", at: Self.old)),
                .upsertObject(Self.object("kept", sha256: "b", at: Self.old)),
                .upsertObject(Self.object("unsent", sha256: "c", at: Self.now - 4 * Self.day)),
                .upsertObject(Self.object("fresh", sha256: "d", at: Self.now - Self.day)),
                // Same content as "old" under another id: the file must stay.
                .upsertObject(Self.object("twin", sha256: "a", at: Self.now - Self.day)),
                .shareObject("old", GroupID(1)), .shareObject("kept", GroupID(1)),
                Self.message(.image, #"{"object":"old"}"#, at: Self.old),
                Self.message(.image, #"{"object":"kept"}"#, at: Self.old),
            ]
            batch += (0..<oldTexts).map { Self.message(.text, #"{"text":"旧\#($0)"}"#, at: Self.old + Int64($0)) }
            batch += [
                Self.message(.image, #"{"object":"kept"}"#, at: Self.now - Self.day),
                Self.message(.text, #"{"text":"新"}"#, at: Self.now - Self.day),
            ]
            try await store.committed(batch)

            let report = try await store.purged(Self.plan)
            #expect(report.messagesExpired == oldTexts + 2)
            #expect(Set(report.objectsDeleted) == ["old", "unsent"])
            #expect(report.sharesRemoved == [ObjectShare(object: "old", group: GroupID(1))])
            #expect(report.unreferencedFiles == [String(repeating: "c", count: 64)])
            #expect(!store.hasObject(sha256: String(repeating: "c", count: 64)))
            #expect(store.hasObject(sha256: String(repeating: "a", count: 64)))

            let messages = try await store.read(MessageQuery(group: GroupID(1), limit: 10_000))
            #expect(seqs(messages) == Array(1...Int64(oldTexts + 4)))
            #expect(messages.filter(\.expired).count == oldTexts + 2)
            let expired = messages[0]
            #expect(expired.message.sender == nil && expired.message.clientMsgID == nil)
            #expect(expired.message.body == Array("{}".utf8))
            #expect(messages.suffix(2).allSatisfy { !$0.expired && $0.message.sender == "S001" })

            #expect(try await store.purged(Self.plan) == PurgeReport())
        }
    }

    @Test func endedRecordsGoWithEntriesAndAnnouncement() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let ended = ServiceRecord(
                kind: .card,
                id: 7,
                group: GroupID(1),
                body: Array(#"{"definition":{"type":"vote","deadline":\#(Self.now - 11 * Self.day)}}"#.utf8),
                createdAt: Self.now - 20 * Self.day
            )
            var open = ended
            open.id = 8
            open.body = Array(#"{"definition":{"type":"vote","deadline":\#(Self.now + Self.day)}}"#.utf8)
            var closed = open
            closed.id = 9
            closed.closedAt = Self.now - 12 * Self.day
            try await store.committed([
                .upsertGroup(Fixture.group(1)), .upsertRecord(ended), .upsertRecord(open), .upsertRecord(closed),
                .upsertEntry(RecordEntry(kind: .card, record: 7, user: "S001", body: Array("{}".utf8), updatedAt: 1)),
                .upsertEntry(RecordEntry(kind: .card, record: 7, user: "S002", body: Array("{}".utf8), updatedAt: 1)),
                .upsertEntry(RecordEntry(kind: .card, record: 8, user: "S001", body: Array("{}".utf8), updatedAt: 1)),
                Self.message(.card, #"{"card":7,"type":"vote"}"#, at: Self.now - 20 * Self.day),
                Self.message(.card, #"{"card":8,"type":"vote"}"#, at: Self.now - 20 * Self.day),
            ])
            let report = try await store.purged(Self.plan)
            #expect(report.recordsDeleted == 2)
            #expect(report.entriesDeleted == 2)
            #expect(report.messagesExpired == 1)
            let messages = try await store.read(MessageQuery(group: GroupID(1), limit: 10))
            #expect(messages.map(\.expired) == [true, false])
            let records = try store.loadSnapshot(recentPerGroup: 0, recordsClosedAfter: 0).records
            #expect(records.map(\.record.id) == [8])
        }
    }
}

extension SQLiteStore {
    /// `purge` awaited, throwing on failure.
    func purged(_ plan: PurgePlan) async throws -> PurgeReport {
        try await withCheckedContinuation { continuation in
            purge(plan) { continuation.resume(returning: $0) }
        }.get()
    }
}
