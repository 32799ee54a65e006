import CSQLite
import Hub

/// A schema version applied to a database.
public struct AppliedMigration: Sendable, Equatable {
    public var version: Int
    /// When it was applied, milliseconds since 1970 (UTC).
    public var appliedAt: Timestamp

    public init(version: Int, appliedAt: Timestamp) {
        self.version = version
        self.appliedAt = appliedAt
    }
}

/// Applies the schema's migrations and reports which are applied.
///
/// The record is the `schema_migrations` table (version, applied_at), created with the first migration. Each
/// migration runs in its own `BEGIN IMMEDIATE` transaction together with its row in that table, so a crash
/// leaves a database at one version or the next, never between.
enum Migrator {
    /// The newest version this build knows.
    static var latestVersion: Int { Schema.migrations.last?.version ?? 0 }

    /// The newest applied version, 0 for an empty database. Only reads.
    static func currentVersion(_ db: SQLiteDatabase) throws(SQLiteError) -> Int {
        let hasTable = try db.single(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ) { $0.int(at: 0) }
        guard hasTable == 1 else { return 0 }
        return try db.single("SELECT ifnull(max(version), 0) FROM schema_migrations") { $0.int(at: 0) } ?? 0
    }

    /// The applied versions, oldest first. Only reads.
    static func applied(_ db: SQLiteDatabase) throws(SQLiteError) -> [AppliedMigration] {
        guard try currentVersion(db) > 0 else { return [] }
        let statement = try db.statement("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        defer { statement.reset() }
        var list: [AppliedMigration] = []
        while try statement.step() {
            list.append(AppliedMigration(version: statement.int(at: 0), appliedAt: statement.int64(at: 1)))
        }
        return list
    }

    /// Refuses a database whose schema is newer than this build, without changing anything.
    static func checkNotTooNew(_ db: SQLiteDatabase) throws(StoreError) {
        let current: Int
        do {
            current = try currentVersion(db)
        } catch {
            throw error.storeError
        }
        guard current <= latestVersion else {
            throw StoreError(
                .schemaTooNew,
                "The database \(db.path) has schema version \(current), but this build of yizhan knows versions "
                    + "up to \(latestVersion). Run a newer yizhan, or restore a backup made with this version. "
                    + "Nothing was changed."
            )
        }
    }

    /// Applies every migration newer than the database's version, each in its own transaction.
    static func migrate(_ db: SQLiteDatabase, now: Timestamp) throws(SQLiteError) {
        for migration in Schema.migrations {
            try db.execute("BEGIN IMMEDIATE")
            do {
                // Read again inside the write lock: another process may have migrated meanwhile.
                if try currentVersion(db) >= migration.version {
                    try db.execute("COMMIT")
                    continue
                }
                try db.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    INTEGER PRIMARY KEY,
                        applied_at INTEGER NOT NULL
                    )
                    """
                )
                try db.execute(migration.sql)
                let record = try db.statement("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")
                defer { record.reset() }
                record.bind(migration.version, at: 1)
                record.bind(now, at: 2)
                try record.step()
                try db.execute("COMMIT")
            } catch {
                db.rollbackIfNeeded()
                throw SQLiteError(
                    code: error.code,
                    message: "migration \(migration.version) (\(migration.name)) failed: \(error.message)"
                )
            }
        }
    }
}
