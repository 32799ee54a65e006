import Hub
import Store
import Testing

@Suite struct CloseTests {
    @Test func closeFinishesQueuedCommitsThenRefusesWork() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            try await store.committed([.upsertGroup(Fixture.group(1))])
            let queued = await withCheckedContinuation { continuation in
                let collector = ResultCollector(expected: 10, continuation)
                for _ in 0..<10 {
                    store.commit(Fixture.texts(1, count: 2)) { collector.add($0) }
                }
                store.close()
            }
            #expect(queued.allSatisfy { (try? $0.get().count) == 2 })

            guard case .failure(let error) = await store.commit(Fixture.texts(1, count: 1)) else {
                Issue.record("a closed store committed")
                return
            }
            #expect(error.kind == .failed)
            await #expect(throws: StoreError.self) { try await store.read(MessageQuery(group: GroupID(1), limit: 1)) }
            #expect(throws: StoreError.self) { try store.loadSnapshot(recentPerGroup: 1) }
            #expect(throws: StoreError.self) { try store.migrationStatus() }
            store.close()  // twice is fine

            let reopened = try SQLiteStore(directory: directory)
            defer { reopened.close() }
            #expect(try reopened.loadSnapshot(recentPerGroup: 0).groups[0].lastSeq == 20)
        }
    }
}
