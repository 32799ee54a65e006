import Hub
import Store
import Testing

/// What a crash leaves behind. The owner's server-level test kills a real process with SIGKILL; these reproduce the
/// on-disk state in-process.
@Suite struct CrashSafetyTests {
    @Test func anAbandonedStoreLosesNothingCommitted() async throws {
        try await withTemporaryDirectory { directory in
            let crashed = try SQLiteStore(directory: directory)
            try await crashed.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 5))
            // Never closed and never deinitialized: its connections stay open, nothing is checkpointed.
            let leaked = Unmanaged.passRetained(crashed)
            defer { leaked.release() }

            let next = try SQLiteStore(directory: directory)
            defer { next.close() }
            let group = try next.loadSnapshot(recentPerGroup: 10).groups[0]
            #expect(group.lastSeq == 5)
            #expect(seqs(group.recent) == [1, 2, 3, 4, 5])
            #expect(try await next.committed(Fixture.texts(1, count: 1)) == [.appended(seq: 6)])
        }
    }

    @Test func theFilesOfAKilledProcessOpenWithEverythingCommitted() async throws {
        try await withTemporaryDirectory { directory in
            let live = try SQLiteStore(directory: directory + "/live")
            defer { live.close() }
            try await live.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 3))
            try await live.committed([.appendMessage(Fixture.text(1, from: "S1", id: "k"))])

            // A SIGKILL leaves the database file and the WAL as the kernel has them; the shared-memory index is
            // rebuilt from the WAL on the next open. Copy exactly that, while the store is still running.
            let wal = fileContents(live.path + "-wal")
            #expect(!wal.isEmpty)
            makeDirectory(directory + "/copy")
            writeFile(directory + "/copy/yizhan.db", fileContents(live.path))
            writeFile(directory + "/copy/yizhan.db-wal", wal)

            let recovered = try SQLiteStore(directory: directory + "/copy")
            defer { recovered.close() }
            let group = try recovered.loadSnapshot(recentPerGroup: 10).groups[0]
            #expect(seqs(group.recent) == [1, 2, 3, 4])
            let outcomes = try await recovered.committed([
                .appendMessage(Fixture.text(1, from: "S1", id: "k")), .appendMessage(Fixture.text(1)),
            ])
            #expect(
                outcomes == [.duplicate(group: GroupID(1), seq: 4, createdAt: 1_700_000_100_000), .appended(seq: 5)]
            )
        }
    }

    @Test func droppingTheStoreWithWorkQueuedFinishesTheWork() async throws {
        try await withTemporaryDirectory { directory in
            var store: SQLiteStore? = try SQLiteStore(directory: directory)
            try await store!.committed([.upsertGroup(Fixture.group(1))])
            let results = await withCheckedContinuation { continuation in
                let collector = ResultCollector(expected: 20, continuation)
                for _ in 0..<20 {
                    store!.commit(Fixture.texts(1, count: 5)) { collector.add($0) }
                }
                store = nil  // the queued commits keep it alive until they are done
            }
            #expect(results.count == 20)
            #expect(results.allSatisfy { (try? $0.get().count) == 5 })

            let reopened = try SQLiteStore(directory: directory)
            defer { reopened.close() }
            #expect(try reopened.loadSnapshot(recentPerGroup: 0).groups[0].lastSeq == 100)
        }
    }
}
