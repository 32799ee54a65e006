import CSQLite

/// A prepared statement with typed bind and column helpers.
///
/// Statements come from `SQLiteDatabase.statement(_:)`, which caches them per SQL text and hands them out reset.
/// Bind errors are remembered and reported by the next `step()`, so call sites bind without `try`. Parameter and
/// column indexes are SQLite's: parameters from 1, columns from 0.
final class SQLiteStatement {
    let handle: OpaquePointer
    private let connection: OpaquePointer
    private var arena = BindArena()
    private var bindError: Int32 = SQLITE_OK

    init(connection: OpaquePointer, sql: StaticString) throws(SQLiteError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(
            connection,
            UnsafeRawPointer(sql.utf8Start).assumingMemoryBound(to: CChar.self),
            Int32(sql.utf8CodeUnitCount),
            UInt32(SQLITE_PREPARE_PERSISTENT),
            &handle,
            nil
        )
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError(code: code, connection: connection)
        }
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
        arena.deallocate()
    }

    /// Ends the current execution, releases its locks and clears all parameters.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
        bindError = SQLITE_OK
    }

    // MARK: Binding

    func bind(_ value: Int64, at index: Int32) {
        record(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: Int, at index: Int32) {
        bind(Int64(value), at: index)
    }

    func bind(_ value: Bool, at index: Int32) {
        bind(Int64(value ? 1 : 0), at: index)
    }

    func bind(_ value: Int64?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    func bindNull(at index: Int32) {
        record(sqlite3_bind_null(handle, index))
    }

    func bind(_ value: String, at index: Int32) {
        var value = value
        value.withUTF8 { bytes in bindText(UnsafeRawBufferPointer(bytes), at: index) }
    }

    func bind(_ value: String?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    /// Binds UTF-8 bytes as TEXT.
    func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        guard !bytes.isEmpty else {
            // A non-null pointer with length 0 is the empty string; a null pointer would bind NULL.
            let empty: StaticString = ""
            let pointer = UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
            record(sqlite3_bind_text(handle, index, pointer, 0, SQLITE_STATIC))
            return
        }
        let copy = arena.copy(bytes).assumingMemoryBound(to: CChar.self)
        record(sqlite3_bind_text64(handle, index, copy, UInt64(bytes.count), SQLITE_STATIC, UInt8(SQLITE_UTF8)))
    }

    /// Binds bytes as a BLOB (an empty array is an empty blob, not NULL).
    func bind(_ bytes: [UInt8], at index: Int32) {
        guard !bytes.isEmpty else {
            record(sqlite3_bind_zeroblob(handle, index, 0))
            return
        }
        bytes.withUnsafeBytes { buffer in
            let copy = arena.copy(buffer)
            record(sqlite3_bind_blob64(handle, index, copy, UInt64(buffer.count), SQLITE_STATIC))
        }
    }

    private func record(_ code: Int32) {
        if code != SQLITE_OK, bindError == SQLITE_OK { bindError = code }
    }

    // MARK: Stepping

    /// Runs the statement to its next row: true when a row is available, false when done.
    @discardableResult
    func step() throws(SQLiteError) -> Bool {
        guard bindError == SQLITE_OK else {
            throw SQLiteError(code: bindError, connection: connection)
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code: code, connection: connection)
        }
    }

    // MARK: Columns

    func int64(at column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func int(at column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    func bool(at column: Int32) -> Bool {
        sqlite3_column_int64(handle, column) != 0
    }

    func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func optionalInt64(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : int64(at: column)
    }

    func text(at column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func optionalText(at column: Int32) -> String? {
        isNull(at: column) ? nil : text(at: column)
    }

    /// The column's bytes without conversion (valid until the next step or reset).
    func bytes(at column: Int32) -> UnsafeRawBufferPointer {
        guard let pointer = sqlite3_column_blob(handle, column) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func blob(at column: Int32) -> [UInt8] {
        Array(bytes(at: column))
    }
}

/// SQLite's `SQLITE_STATIC` destructor (a null function pointer, a cast macro in C): the bound memory stays valid
/// and unchanged while SQLite may read it, so SQLite uses it in place.
let SQLITE_STATIC: sqlite3_destructor_type? = nil
