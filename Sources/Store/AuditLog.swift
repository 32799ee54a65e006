import Auth
import Hub

/// One row of the audit log as stored.
public struct AuditRow: Sendable, Equatable {
    public var seq: Int64
    public var at: Timestamp
    public var actor: UserID?
    public var action: String
    public var target: String?
    /// A JSON object.
    public var detail: String
    public var previousHash: String
    public var hash: String
}

/// The result of walking the audit log's chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every row's hash matches its fields and the row before; `head` is the last row's hash (write it down
    /// somewhere else: a later verify that still ends in it proves nothing before it changed).
    case intact(entries: Int, head: String)
    /// The first row that does not fit, and why.
    case broken(seq: Int64, reason: String)
}

/// The audit log's hash chain. Each row's hash is SHA-256 over its fields and the previous row's hash, so changing,
/// deleting, inserting or reordering any row breaks the chain from there on. The table's triggers refuse updates
/// and deletes; the chain shows the edits of someone who dropped them. (Someone able to rewrite the whole file can
/// rebuild the chain too: the head hash `yizhan audit verify` prints, kept off the server, catches that.)
enum AuditLog {
    static let genesis = String(repeating: "0", count: 64)

    /// Appends `entry` after the current last row (inside the writer's transaction).
    static func append(_ entry: AuditEntry, _ db: SQLiteDatabase) throws(SQLiteError) {
        let last = try db.statement("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        defer { last.reset() }
        var row = AuditRow(
            seq: 1,
            at: entry.at,
            actor: entry.actor,
            action: entry.action.rawValue,
            target: entry.target,
            detail: String(decoding: entry.detail, as: UTF8.self),
            previousHash: genesis,
            hash: ""
        )
        if try last.step() {
            row.seq = last.int64(at: 0) + 1
            row.previousHash = last.text(at: 1)
        }
        last.reset()
        row.hash = hash(row)
        let insert = try db.statement(
            """
            INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """
        )
        defer { insert.reset() }
        insert.bind(row.seq, at: 1)
        insert.bind(row.at, at: 2)
        insert.bind(row.actor, at: 3)
        insert.bind(row.action, at: 4)
        insert.bind(row.target, at: 5)
        insert.bind(row.detail, at: 6)
        insert.bind(row.previousHash, at: 7)
        insert.bind(row.hash, at: 8)
        try insert.step()
    }

    /// SHA-256 over the row's fields (each length-prefixed, so no two different rows encode alike) and the previous
    /// hash.
    static func hash(_ row: AuditRow) -> String {
        let hasher = SHA256Hasher()
        let fields: [String?] = [
            String(row.seq), String(row.at), row.actor, row.action, row.target, row.detail, row.previousHash,
        ]
        for field in fields {
            guard let field else {
                hasher.update(Array("-;".utf8))
                continue
            }
            hasher.update(Array("\(field.utf8.count):".utf8))
            hasher.update(Array(field.utf8))
        }
        return SHA256Hasher.hex(digest: hasher.finish())
    }

    /// Rows with seq > `after`, oldest first, at most `limit`.
    static func rows(_ db: SQLiteDatabase, after: Int64, limit: Int) throws(SQLiteError) -> [AuditRow] {
        let select = try db.statement(
            """
            SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log
            WHERE seq > ?1 ORDER BY seq LIMIT ?2
            """
        )
        defer { select.reset() }
        select.bind(after, at: 1)
        select.bind(limit, at: 2)
        var rows: [AuditRow] = []
        while try select.step() {
            rows.append(
                AuditRow(
                    seq: select.int64(at: 0),
                    at: select.int64(at: 1),
                    actor: select.optionalText(at: 2),
                    action: select.text(at: 3),
                    target: select.optionalText(at: 4),
                    detail: select.text(at: 5),
                    previousHash: select.text(at: 6),
                    hash: select.text(at: 7)
                )
            )
        }
        return rows
    }

    /// Walks the whole chain, a page at a time.
    static func verify(_ db: SQLiteDatabase) throws(SQLiteError) -> AuditVerification {
        var previous = (seq: Int64(0), hash: genesis)
        var count = 0
        while true {
            let page = try rows(db, after: previous.seq, limit: 1000)
            for row in page {
                if row.seq != previous.seq + 1 {
                    return .broken(seq: row.seq, reason: "rows \(previous.seq + 1)…\(row.seq - 1) are missing")
                }
                if row.previousHash != previous.hash {
                    return .broken(seq: row.seq, reason: "it does not follow the row before it")
                }
                if hash(row) != row.hash {
                    return .broken(seq: row.seq, reason: "its contents do not match its hash")
                }
                previous = (row.seq, row.hash)
                count += 1
            }
            if page.count < 1000 { return .intact(entries: count, head: previous.hash) }
        }
    }
}

extension SQLiteStore {
    /// Checks the audit log of the database in `directory` (read-only; the server may be running).
    public static func verifyAuditLog(directory: String) throws(StoreError) -> AuditVerification {
        try readOnly(directory: directory) { db throws(SQLiteError) in try AuditLog.verify(db) }
    }

    /// Audit log rows after `seq`, oldest first (read-only; the server may be running).
    public static func auditLog(directory: String, after seq: Int64, limit: Int) throws(StoreError) -> [AuditRow] {
        try readOnly(directory: directory) { db throws(SQLiteError) in try AuditLog.rows(db, after: seq, limit: limit) }
    }
}
