import CSQLite
import Hub
import Testing

@testable import Store

@Suite struct DiskFullTests {
    @Test func aFullDiskIsUnavailableAndAppliesNothing() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 2))
            let before = try store.loadSnapshot(recentPerGroup: 100)

            // The database may not grow past its current size: what a full disk looks like to SQLite.
            try onWriter(of: store) { db throws(SQLiteError) in try db.execute("PRAGMA max_page_count = 1") }
            let big: [WriteOp] = (0..<100).map { index in
                var message = Fixture.text(1, id: "big-\(index)")
                message.body = Array(repeating: UInt8(ascii: "x"), count: 4000)
                return .appendMessage(message)
            }
            let result = await store.commit([.upsertUser(UserRecord(id: "U", name: "u", roles: []))] + big)
            guard case .failure(let error) = result else {
                Issue.record("a batch larger than the disk committed")
                return
            }
            #expect(error.kind == .unavailable)
            #expect(error.description.contains("full"))
            #expect(try store.loadSnapshot(recentPerGroup: 100) == before)

            // Space again: the same batch commits, and seqs continue without a gap.
            try onWriter(of: store) { db throws(SQLiteError) in try db.execute("PRAGMA max_page_count = 1073741823") }
            let outcomes = try await store.committed(big)
            #expect(outcomes == (3...102).map { .appended(seq: $0) })
        }
    }

    @Test func resultCodesMapToKinds() {
        let ioErrWrite = SQLITE_IOERR | (3 << 8)
        for code in [
            SQLITE_FULL, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, ioErrWrite, SQLITE_READONLY, SQLITE_CANTOPEN,
        ] {
            #expect(SQLiteError(code: code, message: "m").storeError.kind == .unavailable)
        }
        let foreignKey = SQLITE_CONSTRAINT | (3 << 8)
        for code in [SQLITE_ERROR, SQLITE_CORRUPT, SQLITE_CONSTRAINT, foreignKey, SQLITE_NOTADB, SQLITE_MISUSE] {
            #expect(SQLiteError(code: code, message: "m").storeError.kind == .failed)
        }
        #expect(
            SQLiteError(code: 13, message: "database or disk is full").storeError.description.contains("disk is full")
        )
    }
}

/// Runs `body` with the store's writer connection, on the writer queue.
private func onWriter(
    of store: SQLiteStore,
    _ body: (SQLiteDatabase) throws(SQLiteError) -> Void
) throws(SQLiteError) {
    var failure: SQLiteError?
    store.writerQueue.sync {
        do throws(SQLiteError) {
            try body(store.writer!)
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
}
