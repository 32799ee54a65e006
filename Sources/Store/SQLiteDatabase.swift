import CSQLite

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe: each connection belongs to one serial queue (it is opened with `SQLITE_OPEN_NOMUTEX`). SQL is
/// always a `StaticString`, so values can only reach SQLite through bound parameters.
final class SQLiteDatabase {
    let path: String
    private var connection: OpaquePointer?
    private var statements: [UnsafeRawPointer: SQLiteStatement] = [:]
    private var commitHook: CommitHook?

    /// Opens (and with `create`, creates) the database file at `path`.
    init(path: String, readOnly: Bool = false, create: Bool = true) throws(SQLiteError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
        }
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(code: code, connection: connection)
            sqlite3_close_v2(connection)
            throw SQLiteError(code: error.code, message: "cannot open \(path): \(error.message)")
        }
        self.connection = connection
    }

    deinit {
        close()
    }

    /// Finalizes all statements and closes the connection. Later calls fail with `SQLITE_MISUSE`.
    func close() {
        statements = [:]
        if let connection { sqlite3_close_v2(connection) }
        connection = nil
    }

    var isOpen: Bool { connection != nil }

    /// Calls `hook` after every commit with the write-ahead log's size in pages, in place of SQLite's automatic
    /// checkpoint (`sqlite3_wal_hook`). Runs on the committing thread.
    func onCommit(_ hook: @escaping (_ walPages: Int) -> Void) {
        guard let connection else { return }
        let box = CommitHook(hook)
        commitHook = box
        sqlite3_wal_hook(
            connection,
            { context, _, _, pages in
                Unmanaged<CommitHook>.fromOpaque(context!).takeUnretainedValue().hook(Int(pages))
                return SQLITE_OK
            },
            Unmanaged.passUnretained(box).toOpaque()
        )
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for readers or writers.
    func checkpointPassive() {
        guard let connection else { return }
        sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// The cached statement for `sql`, prepared on first use, reset and without bindings.
    func statement(_ sql: StaticString) throws(SQLiteError) -> SQLiteStatement {
        precondition(sql.hasPointerRepresentation, "SQL must be a string literal")
        let key = UnsafeRawPointer(sql.utf8Start)
        if let cached = statements[key] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(connection: try handle(), sql: sql)
        statements[key] = statement
        return statement
    }

    /// Runs `sql` (one or more statements without parameters and without results, such as DDL and pragmas).
    func execute(_ sql: StaticString) throws(SQLiteError) {
        precondition(sql.hasPointerRepresentation, "SQL must be a string literal")
        let connection = try handle()
        let pointer = UnsafeRawPointer(sql.utf8Start).assumingMemoryBound(to: CChar.self)
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(connection, pointer, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(connection))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(connection), message: text)
        }
    }

    /// Runs a statement that returns one row and reads it (a pragma or an aggregate).
    func single<Value>(
        _ sql: StaticString,
        _ read: (SQLiteStatement) -> Value
    ) throws(SQLiteError) -> Value? {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return read(statement)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int {
        connection.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// False while a transaction is open (`sqlite3_get_autocommit`).
    var isAutocommit: Bool {
        connection.map { sqlite3_get_autocommit($0) != 0 } ?? true
    }

    /// Rolls back the open transaction, if SQLite has not already done so itself (it may after `SQLITE_FULL`,
    /// `SQLITE_IOERR` and similar).
    func rollbackIfNeeded() {
        guard let connection, sqlite3_get_autocommit(connection) == 0 else { return }
        for statement in statements.values { sqlite3_reset(statement.handle) }
        sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
    }

    private func handle() throws(SQLiteError) -> OpaquePointer {
        guard let connection else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "the database connection is closed")
        }
        return connection
    }
}

/// The closure behind a connection's WAL hook (kept alive by the connection).
private final class CommitHook {
    let hook: (Int) -> Void
    init(_ hook: @escaping (Int) -> Void) { self.hook = hook }
}
