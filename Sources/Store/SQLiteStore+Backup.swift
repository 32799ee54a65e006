import CSQLite
import Hub

extension SQLiteStore {
    /// Writes a consistent copy of the database in `directory` to `file` while a server may keep writing to it.
    ///
    /// `VACUUM INTO` on its own read-only connection reads one snapshot (WAL readers never block the writer), so the
    /// copy holds exactly the transactions committed when it started — every message acknowledged before the
    /// backup began — and is itself compacted and checkpointed.
    public static func backup(directory: String, to file: String) throws(StoreError) {
        let path = databasePath(in: directory)
        guard FileSystem.exists(path) else { throw StoreError(.failed, "There is no database at \(path).") }
        guard !FileSystem.exists(file) else {
            throw StoreError(.failed, "\(file) already exists; back up into a new place.")
        }
        do {
            let db = try SQLiteDatabase(path: path, readOnly: true)
            defer { db.close() }
            try db.execute("PRAGMA busy_timeout = 5000")
            let vacuum = try db.statement("VACUUM INTO ?1")
            defer { vacuum.reset() }
            vacuum.bind(file, at: 1)
            _ = try vacuum.step()
        } catch {
            throw error.storeError
        }
    }

    /// Checks a database file (a backup before restoring it): `PRAGMA integrity_check` passes and its schema is one
    /// this build knows. Returns its schema version.
    public static func verify(file: String) throws(StoreError) -> Int {
        do {
            let db = try SQLiteDatabase(path: file, readOnly: true, create: false)
            defer { db.close() }
            let result = try db.single("PRAGMA integrity_check") { $0.text(at: 0) }
            guard result == "ok" else { throw StoreError(.failed, "\(file) is damaged: \(result ?? "no answer")") }
            try Migrator.checkNotTooNew(db)
            return try Migrator.currentVersion(db)
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw error.storeError
        } catch {
            throw StoreError(.failed, "\(error)")
        }
    }
}
