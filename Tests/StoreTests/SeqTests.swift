import Hub
import Store
import Testing

@Suite struct SeqTests {
    @Test func seqsAreDensePerGroupAcrossBatchesAndReopen() async throws {
        try await withTemporaryDirectory { directory in
            var store = try SQLiteStore(directory: directory)
            try await store.committed([.upsertGroup(Fixture.group(1)), .upsertGroup(Fixture.group(2))])
            var expected: [Int64: Int64] = [1: 0, 2: 0]
            for round in 0..<30 {
                if round == 15 {
                    store.close()
                    store = try SQLiteStore(directory: directory)
                }
                // Interleaved appends to two groups, with other ops between them.
                var batch: [WriteOp] = []
                var predicted: [AppendOutcome] = []
                for index in 0..<(round % 7 + 1) {
                    let group = Int64(index % 2 + 1)
                    batch.append(.appendMessage(Fixture.text(group, id: "r\(round)-\(index)", "x")))
                    batch.append(.setReadSeq(GroupID(group), "S001", 1))
                    expected[group]! += 1
                    predicted.append(.appended(seq: expected[group]!))
                }
                #expect(try await store.committed(batch) == predicted)
            }
            for group: Int64 in [1, 2] {
                let messages = try await store.read(MessageQuery(group: GroupID(group), after: 0, limit: 1000))
                #expect(seqs(messages) == Array(1...expected[group]!))
            }
            let snapshot = try store.loadSnapshot(recentPerGroup: 0)
            #expect(snapshot.groups.map(\.lastSeq) == [expected[1]!, expected[2]!])
            store.close()
        }
    }

    @Test func aGroupCreatedInTheBatchTakesMessagesAtOnce() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let outcomes = try await store.committed(
                [.upsertGroup(Fixture.group(5)), .upsertMember(GroupID(5), Fixture.member("S001"))]
                    + Fixture.texts(5, count: 3)
            )
            #expect(outcomes == [.appended(seq: 1), .appended(seq: 2), .appended(seq: 3)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups[0].lastSeq == 3)
        }
    }

    @Test func outcomesAreOnlyForAppends() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            #expect(try await store.committed([.upsertGroup(Fixture.group(1))]) == [])
            #expect(try await store.committed([]) == [])
        }
    }
}
