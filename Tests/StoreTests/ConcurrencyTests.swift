import Hub
import Store
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    @Test func readsDuringCommitsSeeDenseConsistentSequences() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let groups: [Int64] = [1, 2, 3]
            try await store.committed(groups.map { .upsertGroup(Fixture.group($0)) })

            // Queue a long stream of commits at once; they run one after the other on the writer queue while
            // this task keeps reading.
            let batches = 300
            let finished = Atomic<Bool>(false)
            async let written = withCheckedContinuation { continuation in
                let collector = ResultCollector(expected: batches, continuation)
                for round in 0..<batches {
                    let batch: [WriteOp] = (0..<6).map { index in
                        .appendMessage(Fixture.text(groups[index % 3], id: "r\(round)-\(index)"))
                    }
                    store.commit(batch) { result in
                        if round == batches - 1 { finished.store(true, ordering: .releasing) }
                        collector.add(result)
                    }
                }
            }

            var reads = 0
            var lastSeen: [Int64: Int64] = [:]
            repeat {
                let results = try await store.read(
                    groups.map { MessageQuery(group: GroupID($0), after: 0, limit: 10_000) }
                )
                for (group, messages) in zip(groups, results) {
                    let count = Int64(messages.count)
                    #expect(seqs(messages) == Array(stride(from: 1, through: count, by: 1)))
                    #expect(count >= lastSeen[group, default: 0])
                    lastSeen[group] = count
                }
                // Each batch adds two messages to every group, so a consistent view has equal counts.
                #expect(Set(results.map(\.count)).count == 1)

                let snapshot = try store.loadSnapshot(recentPerGroup: 5)
                for group in snapshot.groups {
                    #expect(group.recent.last?.seq ?? 0 == group.lastSeq)
                    #expect(
                        seqs(group.recent)
                            == Array(stride(from: max(1, group.lastSeq - 4), through: group.lastSeq, by: 1))
                    )
                }
                reads += 1
            } while !finished.load(ordering: .acquiring)

            let results = await written
            #expect(results.allSatisfy { (try? $0.get().count) == 6 })
            let final = try await store.read(groups.map { MessageQuery(group: GroupID($0), limit: 1) })
            #expect(final.map { $0.first?.seq } == [600, 600, 600])
            #expect(reads > 0)
        }
    }
}
