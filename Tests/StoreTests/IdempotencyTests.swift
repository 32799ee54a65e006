import Hub
import Store
import Testing

@Suite struct IdempotencyTests {
    @Test func aRetryInALaterBatchReturnsTheOriginal() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1)), .upsertGroup(Fixture.group(2))])
            let original = Fixture.text(1, from: "S1", id: "c-1", "first", at: 1000)
            #expect(try await store.committed([.appendMessage(original)]) == [.appended(seq: 1)])

            // A retry (even with another time, or aimed at another group) names the original and consumes no seq.
            let retry = Fixture.text(2, from: "S1", id: "c-1", "first", at: 2000)
            let outcomes = try await store.committed([
                .appendMessage(retry), .appendMessage(Fixture.text(1, from: "S1", id: "c-2", "second")),
            ])
            #expect(outcomes == [.duplicate(group: GroupID(1), seq: 1, createdAt: 1000), .appended(seq: 2)])
            #expect(try await store.read(MessageQuery(group: GroupID(2), limit: 10)) == [])
            #expect(
                try await store.read(MessageQuery(group: GroupID(1), limit: 10)).map(\.message.createdAt)[0] == 1000
            )
        }
    }

    @Test func aRetryInsideTheSameBatchReturnsTheOriginal() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))])
            let message = Fixture.text(1, from: "S1", id: "c-1", "hi", at: 1000)
            let outcomes = try await store.committed([
                .appendMessage(message), .appendMessage(message),
                .appendMessage(Fixture.text(1, from: "S1", id: "c-2", "next")), .appendMessage(message),
            ])
            #expect(
                outcomes == [
                    .appended(seq: 1), .duplicate(group: GroupID(1), seq: 1, createdAt: 1000), .appended(seq: 2),
                    .duplicate(group: GroupID(1), seq: 1, createdAt: 1000),
                ]
            )
            #expect(seqs(try await store.read(MessageQuery(group: GroupID(1), after: 0, limit: 10))) == [1, 2])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups[0].lastSeq == 2)
        }
    }

    @Test func theSameClientIDFromTwoSendersIsTwoMessages() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))])
            let outcomes = try await store.committed([
                .appendMessage(Fixture.text(1, from: "S1", id: "same")),
                .appendMessage(Fixture.text(1, from: "S2", id: "same")),
            ])
            #expect(outcomes == [.appended(seq: 1), .appended(seq: 2)])
        }
    }

    @Test func messagesWithoutClientIDOrSenderAreNeverDuplicates() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))])
            let outcomes = try await store.committed([
                .appendMessage(Fixture.text(1, from: "S1", id: nil)),
                .appendMessage(Fixture.text(1, from: "S1", id: nil)),
                .appendMessage(Fixture.text(1, from: nil, id: nil)),
                .appendMessage(Fixture.text(1, from: nil, id: nil)),
                .appendMessage(Fixture.text(1, from: nil, id: "x")),
                .appendMessage(Fixture.text(1, from: nil, id: "x")),
            ])
            #expect(outcomes == (1...6).map { .appended(seq: $0) })
        }
    }

    @Test func duplicatesSurviveReopen() async throws {
        try await withTemporaryDirectory { directory in
            let first = try SQLiteStore(directory: directory)
            try await first.committed([
                .upsertGroup(Fixture.group(1)), .appendMessage(Fixture.text(1, from: "S1", id: "k", at: 7)),
            ])
            first.close()
            let second = try SQLiteStore(directory: directory)
            defer { second.close() }
            let outcomes = try await second.committed([
                .appendMessage(Fixture.text(1, from: "S1", id: "k")),
                .appendMessage(Fixture.text(1, from: "S1", id: "l")),
            ])
            #expect(outcomes == [.duplicate(group: GroupID(1), seq: 1, createdAt: 7), .appended(seq: 2)])
        }
    }
}
