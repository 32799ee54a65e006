import Hub
import Testing

@testable import Store

@Suite struct MigrationTests {
    @Test func freshOpenCreatesDirectoryAndSchema() async throws {
        try await withTemporaryDirectory { root in
            let directory = root + "/data/yizhan"
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            #expect(store.path == directory + "/yizhan.db")
            #expect(FileSystem.exists(store.path))

            let tables = try store.readerQueue.sync { () throws(SQLiteError) -> [String] in
                let select = try store.reader!.statement(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
                defer { select.reset() }
                var names: [String] = []
                while try select.step() { names.append(select.text(at: 0)) }
                return names
            }
            #expect(
                tables == [
                    "audit_log", "community_docs", "community_slots", "community_stock", "counters", "course_members",
                    "courses", "groups",
                    "jobs", "members",
                    "messages",
                    "news_articles",
                    "news_docs", "news_object_refs", "news_reads", "news_search", "news_search_config",
                    "news_search_content", "news_search_data", "news_search_docsize", "news_search_idx",
                    "object_shares",
                    "objects", "org_units", "record_entries", "records", "schema_migrations", "users",
                ]
            )
            #expect(try store.loadSnapshot(recentPerGroup: 10) == HubSnapshot())
        }
    }

    @Test func migrationStatusListsEveryVersion() async throws {
        try await withTemporaryDirectory { directory in
            #expect(try SQLiteStore.migrationStatus(directory: directory) == [])
            let before = FileSystem.now()
            let store = try SQLiteStore(directory: directory)
            let status = try store.migrationStatus()
            #expect(status.map(\.version) == Array(1...SQLiteStore.schemaVersion))
            #expect(status.allSatisfy { $0.appliedAt >= before && $0.appliedAt <= FileSystem.now() })
            store.close()

            // Reopening applies nothing again; the static form reads without opening the store.
            let again = try SQLiteStore(directory: directory)
            #expect(try again.migrationStatus() == status)
            again.close()
            #expect(try SQLiteStore.migrationStatus(directory: directory) == status)
        }
    }

    @Test func reopenKeepsData() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            try await store.committed([
                .upsertGroup(Fixture.group(1)), .upsertMember(GroupID(1), Fixture.member("S001")),
            ])
            try await store.committed(Fixture.texts(1, count: 3))
            store.close()

            let reopened = try SQLiteStore(directory: directory, durability: .power)
            defer { reopened.close() }
            let snapshot = try reopened.loadSnapshot(recentPerGroup: 10)
            #expect(snapshot.groups.map(\.record) == [Fixture.group(1)])
            #expect(snapshot.groups[0].members == [Fixture.member("S001")])
            #expect(snapshot.groups[0].lastSeq == 3)
            #expect(seqs(snapshot.groups[0].recent) == [1, 2, 3])
        }
    }

    @Test func futureSchemaIsRefusedAndLeftUnchanged() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            try await store.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 2))
            let path = store.path
            store.close()
            #expect(!FileSystem.exists(path + "-wal"))

            // What a newer build would have recorded.
            let db = try SQLiteDatabase(path: path)
            do {
                let insert = try db.statement("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")
                insert.bind(SQLiteStore.schemaVersion + 1, at: 1)
                insert.bind(Int64(1_800_000_000_000), at: 2)
                try insert.step()
            }
            db.close()
            #expect(!FileSystem.exists(path + "-wal"))
            let bytes = fileContents(path)

            do throws(StoreError) {
                _ = try SQLiteStore(directory: directory)
                Issue.record("a database from a newer build was opened")
            } catch {
                #expect(error.kind == .schemaTooNew)
                #expect(error.description.contains("version \(SQLiteStore.schemaVersion + 1)"))
                #expect(error.description.contains("up to \(SQLiteStore.schemaVersion)"))
            }
            #expect(fileContents(path) == bytes)
            #expect(!FileSystem.exists(path + "-wal"))
            #expect(
                try SQLiteStore.migrationStatus(directory: directory).map(\.version)
                    == Array(1...(SQLiteStore.schemaVersion + 1))
            )
            #expect(fileContents(path) == bytes)
        }
    }

    @Test func unreadableFileIsAnError() async throws {
        try await withTemporaryDirectory { directory in
            writeFile(directory + "/yizhan.db", Array(repeating: 0x41, count: 8192))
            #expect(throws: StoreError.self) { try SQLiteStore(directory: directory) }
        }
    }

    @Test func directoryThatIsAFileIsUnavailable() async throws {
        try await withTemporaryDirectory { directory in
            writeFile(directory + "/file", [1])
            do throws(StoreError) {
                _ = try SQLiteStore(directory: directory + "/file")
                Issue.record("opened a store inside a file")
            } catch {
                #expect(error.kind == .unavailable)
            }
        }
    }

    @Test func migrationsAreNumberedWithoutGaps() {
        #expect(Schema.migrations.map(\.version) == Array(1...Schema.migrations.count))
        #expect(SQLiteStore.schemaVersion == Schema.migrations.count)
    }
}
