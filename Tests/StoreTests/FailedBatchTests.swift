import Hub
import Store
import Testing

@Suite struct FailedBatchTests {
    @Test func aMessageForAnUnknownGroupRollsBackTheWholeBatch() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1)), .upsertMember(GroupID(1), Fixture.member("S1"))])
            try await store.committed(Fixture.texts(1, count: 2))
            let before = try store.loadSnapshot(recentPerGroup: 10)

            let result = await store.commit(
                Fixture.texts(1, count: 2) + [
                    .upsertGroup(Fixture.group(2)), .appendMessage(Fixture.text(2, id: "fresh")),
                    .setReadSeq(GroupID(1), "S1", 2), .upsertUser(UserRecord(id: "S9", name: "新", roles: [.student])),
                    .recallMessage(GroupID(1), seq: 1),
                    .appendMessage(Fixture.text(42)),  // no such group
                    .appendMessage(Fixture.text(1)),
                ]
            )
            guard case .failure(let error) = result else {
                Issue.record("the batch succeeded: \(result)")
                return
            }
            #expect(error.kind == .failed)
            #expect(error.description.contains("group 42"))
            #expect(try store.loadSnapshot(recentPerGroup: 10) == before)

            // Nothing was consumed: the next batch continues without a gap, group 2 still does not exist, and the
            // client id of the failed batch is free.
            let outcomes = try await store.committed(Fixture.texts(1, count: 1) + [.upsertGroup(Fixture.group(2))])
            #expect(outcomes == [.appended(seq: 3)])
            #expect(try await store.committed([.appendMessage(Fixture.text(2, id: "fresh"))]) == [.appended(seq: 1)])
            #expect(seqs(try await store.read(MessageQuery(group: GroupID(1), after: 0, limit: 10))) == [1, 2, 3])
        }
    }

    @Test func aConstraintViolationFailsTheBatch() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1, key: "class:C1"))])
            // Another group with the same external key, and a member of a group that does not exist.
            for batch: [WriteOp] in [
                Fixture.texts(1, count: 1) + [.upsertGroup(Fixture.group(2, key: "class:C1"))],
                Fixture.texts(1, count: 1) + [.upsertMember(GroupID(77), Fixture.member("S1"))],
            ] {
                let result = await store.commit(batch)
                guard case .failure(let error) = result else {
                    Issue.record("the batch succeeded: \(result)")
                    continue
                }
                #expect(error.kind == .failed)
            }
            #expect(try await store.committed(Fixture.texts(1, count: 1)) == [.appended(seq: 1)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups.map(\.record.id) == [GroupID(1)])
        }
    }
}
