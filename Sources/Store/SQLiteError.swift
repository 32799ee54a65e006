import CSQLite
import Hub

/// A failed SQLite call: its (extended) result code and SQLite's message.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The error of the last failed call on `connection`.
    init(code: Int32, connection: OpaquePointer?) {
        self.code = code
        if let connection {
            self.message = String(cString: sqlite3_errmsg(connection))
        } else {
            self.message = String(cString: sqlite3_errstr(code))
        }
    }

    /// A row that does not decode into the record types (a value this build does not know).
    static func corrupt(_ message: String) -> SQLiteError {
        SQLiteError(code: SQLITE_CORRUPT, message: message)
    }

    /// The primary result code (the low byte of an extended code).
    var primaryCode: Int32 { code & 0xff }

    var description: String { "\(message) (SQLite error \(code))" }

    /// Conditions an operator can fix or that pass by themselves (disk full, the database locked by another
    /// process past the busy timeout, I/O errors, a read-only or unopenable file) are `unavailable`; everything
    /// else is `failed`.
    var storeError: StoreError {
        switch primaryCode {
        case SQLITE_FULL, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN:
            StoreError(.unavailable, description)
        default:
            StoreError(.failed, description)
        }
    }
}
