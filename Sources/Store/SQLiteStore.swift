import CSQLite
import Dispatch
import Hub

/// The hub's storage in one SQLite database, `<directory>/yizhan.db`, in WAL mode.
///
/// Two connections: a writer, used only on a private serial queue, applies `commit` batches one at a time, each
/// in one `BEGIN IMMEDIATE` transaction; a reader, on its own serial queue, serves `readMessages` and
/// `loadSnapshot`, beside the writer thanks to WAL. Completions run on those queues.
///
/// Durability: a completion reports success only after SQLite's `COMMIT` returned. With `Durability.process` (the
/// default, `synchronous=NORMAL`) every acknowledged transaction survives a crash or `kill -9` of the process; a
/// power loss or kernel crash may lose the most recently acknowledged transactions, never part of one. With
/// `Durability.power` (`synchronous=FULL`) acknowledged transactions also survive a power loss. See `Durability`.
///
/// Seqs: the store keeps every group's last seq in memory (loaded at open), assigns `last + 1` inside the
/// transaction, writes `groups.last_seq` once per group and batch, and publishes the new values only after
/// `COMMIT`, so a failed batch consumes no seqs and seqs stay dense.
///
/// Opening applies pending schema migrations (forward only, each in its own transaction); a database whose schema
/// is newer than this build is refused with `StoreError.Kind.schemaTooNew` and left unchanged.
public final class SQLiteStore: HubStore, @unchecked Sendable {
    /// The newest schema version this build knows (and migrates databases to).
    public static let schemaVersion = Migrator.latestVersion
    /// The database's file name inside the data directory.
    public static let fileName = "yizhan.db"

    /// The database file in a data directory.
    static func databasePath(in directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + fileName
    }

    /// Runs `body` on a read-only connection to the database in `directory`, which must exist.
    static func readOnly<Value>(
        directory: String,
        _ body: (SQLiteDatabase) throws(SQLiteError) -> Value
    ) throws(StoreError) -> Value {
        let path = databasePath(in: directory)
        guard FileSystem.exists(path) else { throw StoreError(.failed, "There is no database at \(path).") }
        do throws(SQLiteError) {
            let db = try SQLiteDatabase(path: path, readOnly: true)
            defer { db.close() }
            try db.execute("PRAGMA busy_timeout = 5000")
            return try body(db)
        } catch {
            throw error.storeError
        }
    }

    /// The database file.
    public let path: String
    public let durability: Durability

    let writerQueue = DispatchQueue(label: "yizhan.store.writer", qos: .userInitiated)
    let readerQueue = DispatchQueue(label: "yizhan.store.reader", qos: .userInitiated)
    /// Writer queue only; nil once closed.
    var writer: SQLiteDatabase?
    /// Writer queue only: each group's last committed seq. A group is here exactly when it has a `groups` row.
    var lastSeqs: [GroupID: Int64]
    /// Reader queue only; nil once closed.
    var reader: SQLiteDatabase?
    private let checkpointer: Checkpointer

    /// Opens (creating the directory and database if needed) and migrates the store in `directory`.
    public init(directory: String, durability: Durability = .process) throws(StoreError) {
        try FileSystem.createDirectory(directory)
        let path = Self.databasePath(in: directory)
        self.path = path
        self.durability = durability
        do {
            let writer = try SQLiteDatabase(path: path)
            try writer.execute("PRAGMA busy_timeout = 5000")
            try Migrator.checkNotTooNew(writer)
            try Self.configureWriter(writer, durability: durability)
            try Migrator.migrate(writer, now: FileSystem.now())
            self.lastSeqs = try Self.loadLastSeqs(writer)
            let reader = try SQLiteDatabase(path: path)
            try Self.configureReader(reader)
            let checkpointer = try Checkpointer(path: path)
            writer.onCommit { [unowned writer] pages in checkpointer.committed(walPages: pages, writer: writer) }
            self.writer = writer
            self.reader = reader
            self.checkpointer = checkpointer
        } catch let error as SQLiteError {
            throw error.storeError
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.failed, "\(error)")
        }
    }

    deinit {
        // Nothing else can hold the store now, so no queued block can be using the connections.
        reader?.close()
        writer?.close()
    }

    /// Finishes the commits and reads queued so far, then closes both connections (the last close checkpoints the
    /// WAL into the database file). Later commits and reads fail. Must not be called from a completion.
    public func close() {
        dispatchPrecondition(condition: .notOnQueue(writerQueue))
        dispatchPrecondition(condition: .notOnQueue(readerQueue))
        readerQueue.sync {
            reader?.close()
            reader = nil
        }
        checkpointer.close()
        writerQueue.sync {
            writer?.close()
            writer = nil
        }
    }

    /// The schema versions applied to this database, oldest first.
    public func migrationStatus() throws(StoreError) -> [AppliedMigration] {
        dispatchPrecondition(condition: .notOnQueue(readerQueue))
        let result = readerQueue.sync { () -> Result<[AppliedMigration], StoreError> in
            guard let reader else { return .failure(Self.closedError) }
            do throws(SQLiteError) {
                return .success(try Migrator.applied(reader))
            } catch {
                return .failure(error.storeError)
            }
        }
        return try result.get()
    }

    /// The schema versions applied to the database in `directory`, oldest first, without migrating or changing
    /// anything (for `yizhan migrate --status`). Empty when there is no database yet. Versions above
    /// `schemaVersion` mean the database was written by a newer build.
    public static func migrationStatus(directory: String) throws(StoreError) -> [AppliedMigration] {
        guard FileSystem.exists(databasePath(in: directory)) else { return [] }
        return try readOnly(directory: directory) { db throws(SQLiteError) in try Migrator.applied(db) }
    }

    static let closedError = StoreError(.failed, "the store is closed")

    // MARK: Connections

    private static func configureWriter(_ db: SQLiteDatabase, durability: Durability) throws(SQLiteError) {
        let mode = try db.single("PRAGMA journal_mode = WAL") { $0.text(at: 0) }
        guard mode == "wal" else {
            throw SQLiteError(
                code: SQLITE_ERROR,
                message: "cannot switch \(db.path) to WAL mode (journal_mode is \(mode ?? "?"))"
            )
        }
        switch durability {
        case .process: try db.execute("PRAGMA synchronous = NORMAL")
        case .power: try db.execute("PRAGMA synchronous = FULL")
        }
        try db.execute(
            """
            PRAGMA foreign_keys = ON;
            PRAGMA cache_size = -32768;
            PRAGMA temp_store = MEMORY;
            PRAGMA journal_size_limit = 67108864;
            """
        )
        // Checkpoints run off the commit path (Checkpointer), installed as the connection's WAL hook.
    }

    private static func configureReader(_ db: SQLiteDatabase) throws(SQLiteError) {
        try db.execute(
            """
            PRAGMA busy_timeout = 5000;
            PRAGMA query_only = ON;
            PRAGMA cache_size = -32768;
            PRAGMA temp_store = MEMORY;
            """
        )
    }

    private static func loadLastSeqs(_ db: SQLiteDatabase) throws(SQLiteError) -> [GroupID: Int64] {
        let statement = try db.statement("SELECT id, last_seq FROM groups")
        defer { statement.reset() }
        var seqs: [GroupID: Int64] = [:]
        while try statement.step() {
            seqs[GroupID(statement.int64(at: 0))] = statement.int64(at: 1)
        }
        return seqs
    }
}
