import CSQLite
import Hub
import JSON

/// What `yizhan user erase` changed.
public struct EraseReport: Sendable, Equatable {
    /// The id that now stands for the person in what others still see.
    public var pseudonym: UserID
    public var messagesReattributed = 0
    public var membershipsRemoved = 0
    public var entriesReattributed = 0
    public var inboxMessagesDeleted = 0
    public var uploadsReattributed = 0
}

/// Everything the store holds about one person, for export (个人信息保护法 art. 45) and erasure (art. 47) when a
/// student graduates or leaves. Both run on a connection of their own inside one transaction.
///
/// Erasure keeps group histories whole for everyone else: the person's messages, answers and uploads stay, under a
/// random pseudonym (`former-…`) whose directory entry is named 已离校成员 (former member); nothing links the
/// pseudonym back to the id. The person's own inbox is deleted, they leave every group (an office group they own
/// keeps the pseudonym as its owner), and their id is replaced in system notices, cards, tasks and rosters.
enum UserData {
    static let formerMemberName = "已离校成员"

    // MARK: Export

    static func export(_ db: SQLiteDatabase, user: UserID, now: Timestamp) throws(SQLiteError) -> JSONValue {
        var out: JSONObject = ["exportedAt": .int(now), "id": .string(user)]
        let person = try db.statement(
            "SELECT name, roles, class_id, org_unit_id, active FROM users WHERE id = ?1"
        )
        defer { person.reset() }
        person.bind(user, at: 1)
        if try person.step() {
            out["directory"] = [
                "name": .string(person.text(at: 0)),
                "roles": .array(person.text(at: 1).split(separator: ",").map { .string(String($0)) }),
                "class": person.optionalText(at: 2).map { .string($0) } ?? .null,
                "orgUnit": person.optionalText(at: 3).map { .string($0) } ?? .null,
                "active": .bool(person.bool(at: 4)),
            ]
        }
        person.reset()

        let courses = try db.statement("SELECT course_id, role FROM course_members WHERE user_id = ?1 ORDER BY 1")
        defer { courses.reset() }
        courses.bind(user, at: 1)
        var courseList: [JSONValue] = []
        while try courses.step() {
            courseList.append(["course": .string(courses.text(at: 0)), "role": .string(courses.text(at: 1))])
        }
        out["courses"] = .array(courseList)

        let groups = try db.statement(
            """
            SELECT g.id, g.kind, g.name, m.role, m.source, m.joined_seq, m.read_seq, m.muted_until
            FROM members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ?1 ORDER BY g.id
            """
        )
        defer { groups.reset() }
        groups.bind(user, at: 1)
        var groupList: [JSONValue] = []
        while try groups.step() {
            groupList.append([
                "group": .int(groups.int64(at: 0)), "kind": .string(groups.text(at: 1)),
                "name": .string(groups.text(at: 2)), "role": .string(groups.text(at: 3)),
                "source": .string(groups.text(at: 4)), "joinedSeq": .int(groups.int64(at: 5)),
                "readSeq": .int(groups.int64(at: 6)),
                "mutedUntil": groups.optionalInt64(at: 7).map { .int($0) } ?? .null,
            ])
        }
        out["groups"] = .array(groupList)

        // Sent messages (a scan: exports are rare, and an index by sender would cost every send), then the inbox.
        let sent = try db.statement(
            """
            SELECT group_id, seq, kind, body, created_at, recalled FROM messages
            WHERE sender = ?1 ORDER BY created_at, group_id, seq
            """
        )
        defer { sent.reset() }
        sent.bind(user, at: 1)
        out["messagesSent"] = .array(try messages(sent))
        let inbox = try db.statement(
            """
            SELECT m.group_id, m.seq, m.kind, m.body, m.created_at, m.recalled FROM messages m
            JOIN groups g ON g.id = m.group_id WHERE g.external_key = 'inbox:' || ?1 ORDER BY m.seq
            """
        )
        defer { inbox.reset() }
        inbox.bind(user, at: 1)
        out["inbox"] = .array(try messages(inbox))

        let entries = try db.statement(
            """
            SELECT e.kind, e.record_id, r.group_id, e.body, e.updated_at FROM record_entries e
            LEFT JOIN records r ON r.kind = e.kind AND r.id = e.record_id
            WHERE e.user_id = ?1 ORDER BY e.updated_at
            """
        )
        defer { entries.reset() }
        entries.bind(user, at: 1)
        var entryList: [JSONValue] = []
        while try entries.step() {
            entryList.append([
                "kind": .string(entries.text(at: 0)), "record": .int(entries.int64(at: 1)),
                "group": entries.optionalInt64(at: 2).map { .int($0) } ?? .null,
                "answer": json(entries.blob(at: 3)), "updatedAt": .int(entries.int64(at: 4)),
            ])
        }
        out["answers"] = .array(entryList)

        let uploads = try db.statement(
            "SELECT id, name, mime, size, sha256, created_at FROM objects WHERE owner = ?1 ORDER BY created_at"
        )
        defer { uploads.reset() }
        uploads.bind(user, at: 1)
        var uploadList: [JSONValue] = []
        while try uploads.step() {
            uploadList.append([
                "object": .string(uploads.text(at: 0)), "name": .string(uploads.text(at: 1)),
                "mime": .string(uploads.text(at: 2)), "size": .int(uploads.int64(at: 3)),
                "sha256": .string(uploads.text(at: 4)), "createdAt": .int(uploads.int64(at: 5)),
            ])
        }
        out["uploads"] = .array(uploadList)

        let reads = try db.statement(
            "SELECT article_id, first_at, last_at, views FROM news_reads WHERE user_id = ?1 ORDER BY article_id"
        )
        defer { reads.reset() }
        reads.bind(user, at: 1)
        var readList: [JSONValue] = []
        while try reads.step() {
            readList.append([
                "article": .int(reads.int64(at: 0)), "firstAt": .int(reads.int64(at: 1)),
                "lastAt": .int(reads.int64(at: 2)), "views": .int(reads.int64(at: 3)),
            ])
        }
        out["newsReads"] = .array(readList)
        let preferences = try db.statement("SELECT body FROM news_docs WHERE kind = 'preferences' AND id = ?1")
        defer { preferences.reset() }
        preferences.bind(user, at: 1)
        out["newsSubscriptions"] = try preferences.step() ? json(preferences.blob(at: 0)) : .null

        let audit = try db.statement(
            """
            SELECT seq, at, actor, action, target FROM audit_log
            WHERE actor = ?1 OR target = 'user:' || ?1 ORDER BY seq
            """
        )
        defer { audit.reset() }
        audit.bind(user, at: 1)
        var auditList: [JSONValue] = []
        while try audit.step() {
            auditList.append([
                "seq": .int(audit.int64(at: 0)), "at": .int(audit.int64(at: 1)),
                "actor": audit.optionalText(at: 2).map { .string($0) } ?? .null,
                "action": .string(audit.text(at: 3)),
                "target": audit.optionalText(at: 4).map { .string($0) } ?? .null,
            ])
        }
        out["auditLog"] = .array(auditList)
        return .object(out)
    }

    private static func messages(_ select: SQLiteStatement) throws(SQLiteError) -> [JSONValue] {
        var list: [JSONValue] = []
        while try select.step() {
            var message: JSONObject = [
                "group": .int(select.int64(at: 0)), "seq": .int(select.int64(at: 1)),
                "kind": .string(select.text(at: 2)), "createdAt": .int(select.int64(at: 4)),
            ]
            switch select.int(at: 5) {
            case 0: message["body"] = json(select.blob(at: 3))
            case 1: message["recalled"] = true
            default: message["expired"] = true
            }
            list.append(.object(message))
        }
        return list
    }

    private static func json(_ bytes: [UInt8]) -> JSONValue {
        (try? JSONParser.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: Erase

    static func erase(
        _ db: SQLiteDatabase,
        user: UserID,
        pseudonym: UserID
    ) throws(SQLiteError) -> EraseReport {
        var report = EraseReport(pseudonym: pseudonym)

        // The directory entry becomes the pseudonym's, with nothing personal left.
        let person = try db.statement("DELETE FROM users WHERE id = ?1")
        defer { person.reset() }
        person.bind(user, at: 1)
        try person.step()
        let former = try db.statement(
            "INSERT INTO users (id, name, roles, class_id, org_unit_id, active) VALUES (?1, ?2, '', NULL, NULL, 0)"
        )
        defer { former.reset() }
        former.bind(pseudonym, at: 1)
        former.bind(formerMemberName, at: 2)
        try former.step()
        try run(db, "DELETE FROM course_members WHERE user_id = ?1", user)

        // The inbox is theirs alone.
        let inboxes = try db.statement("SELECT id FROM groups WHERE external_key = 'inbox:' || ?1")
        defer { inboxes.reset() }
        inboxes.bind(user, at: 1)
        var inboxIDs: [Int64] = []
        while try inboxes.step() { inboxIDs.append(inboxes.int64(at: 0)) }
        inboxes.reset()
        for group in inboxIDs {
            let delete = try db.statement("DELETE FROM messages WHERE group_id = ?1")
            defer { delete.reset() }
            delete.bind(group, at: 1)
            try delete.step()
            report.inboxMessagesDeleted += db.changes
            for sql: StaticString in [
                "DELETE FROM members WHERE group_id = ?1", "DELETE FROM object_shares WHERE group_id = ?1",
                "DELETE FROM record_entries WHERE (kind, record_id) IN (SELECT kind, id FROM records WHERE group_id = ?1)",
                "DELETE FROM records WHERE group_id = ?1", "DELETE FROM groups WHERE id = ?1",
            ] {
                let statement = try db.statement(sql)
                defer { statement.reset() }
                statement.bind(group, at: 1)
                try statement.step()
            }
        }

        // Memberships: gone, except the ownership of office groups, which the pseudonym keeps.
        let owned = try db.statement("UPDATE groups SET owner = ?2 WHERE owner = ?1")
        defer { owned.reset() }
        owned.bind(user, at: 1)
        owned.bind(pseudonym, at: 2)
        try owned.step()
        let keep = try db.statement(
            """
            UPDATE members SET user_id = ?2, muted_until = NULL
            WHERE user_id = ?1 AND role = 'owner'
            """
        )
        defer { keep.reset() }
        keep.bind(user, at: 1)
        keep.bind(pseudonym, at: 2)
        try keep.step()
        try run(db, "DELETE FROM members WHERE user_id = ?1", user)
        report.membershipsRemoved = db.changes

        report.messagesReattributed = try rename(
            db,
            "UPDATE messages SET sender = ?2 WHERE sender = ?1",
            user,
            pseudonym
        )
        report.entriesReattributed = try rename(
            db,
            "UPDATE record_entries SET user_id = ?2 WHERE user_id = ?1",
            user,
            pseudonym
        )
        report.uploadsReattributed = try rename(db, "UPDATE objects SET owner = ?2 WHERE owner = ?1", user, pseudonym)
        // News: reads stay counted under the pseudonym; column choices are the person's own and go.
        _ = try rename(db, "UPDATE news_reads SET user_id = ?2 WHERE user_id = ?1", user, pseudonym)
        try run(db, "DELETE FROM news_docs WHERE kind = 'preferences' AND id = ?1", user)

        // The id inside JSON: mentions, system notices (`"user": id`), cards and tasks, scheduled jobs, counselors.
        try replaceInJSON(
            db,
            select: "SELECT group_id, seq, mentions FROM messages WHERE instr(mentions, ?1) > 0",
            update: "UPDATE messages SET mentions = ?3 WHERE group_id = ?1 AND seq = ?2",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: """
                SELECT group_id, seq, body FROM messages
                WHERE kind IN ('system', 'card', 'task', 'reminder') AND instr(CAST(body AS TEXT), ?1) > 0
                """,
            update: "UPDATE messages SET body = CAST(?3 AS BLOB) WHERE group_id = ?1 AND seq = ?2",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: "SELECT kind, id, body FROM records WHERE instr(CAST(body AS TEXT), ?1) > 0",
            update: "UPDATE records SET body = CAST(?3 AS BLOB) WHERE kind = ?1 AND id = ?2",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: "SELECT 0, id, body FROM jobs WHERE instr(CAST(body AS TEXT), ?1) > 0",
            update: "UPDATE jobs SET body = CAST(?3 AS BLOB) WHERE id = ?2 AND ?1 = ?1",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: "SELECT kind, id, body FROM news_docs WHERE instr(CAST(body AS TEXT), ?1) > 0",
            update: "UPDATE news_docs SET body = CAST(?3 AS BLOB) WHERE kind = ?1 AND id = ?2",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: "SELECT 0, id, meta FROM news_articles WHERE instr(CAST(meta AS TEXT), ?1) > 0",
            update: "UPDATE news_articles SET meta = CAST(?3 AS BLOB) WHERE id = ?2 AND ?1 = ?1",
            user,
            pseudonym
        )
        try replaceInJSON(
            db,
            select: "SELECT id, 0, counselors FROM org_units WHERE instr(counselors, ?1) > 0",
            update: "UPDATE org_units SET counselors = ?3 WHERE id = ?1 AND ?2 = ?2",
            user,
            pseudonym,
            dropping: true
        )
        return report
    }

    private static func run(_ db: SQLiteDatabase, _ sql: StaticString, _ user: UserID) throws(SQLiteError) {
        let statement = try db.statement(sql)
        defer { statement.reset() }
        statement.bind(user, at: 1)
        try statement.step()
    }

    private static func rename(
        _ db: SQLiteDatabase,
        _ sql: StaticString,
        _ user: UserID,
        _ pseudonym: UserID
    ) throws(SQLiteError) -> Int {
        let statement = try db.statement(sql)
        defer { statement.reset() }
        statement.bind(user, at: 1)
        statement.bind(pseudonym, at: 2)
        try statement.step()
        return db.changes
    }

    /// For each row `select` finds (key columns 0 and 1, JSON in column 2, `?1` bound to the quoted id), replaces
    /// every string equal to `user` by `pseudonym` — or, with `dropping`, removes it from its array — and writes the
    /// result back with `update` (`?1`, `?2` the keys, `?3` the JSON). Rows whose text merely contains the id are
    /// left as they are.
    private static func replaceInJSON(
        _ db: SQLiteDatabase,
        select: StaticString,
        update: StaticString,
        _ user: UserID,
        _ pseudonym: UserID,
        dropping: Bool = false
    ) throws(SQLiteError) {
        let query = try db.statement(select)
        defer { query.reset() }
        query.bind(JSONValue.string(user).jsonString, at: 1)
        // Keys are read and bound as text: SQLite's integer affinity turns them back into numbers for integer columns.
        var changed: [(String, String, String)] = []
        while try query.step() {
            guard let value = try? JSONParser.parse(query.blob(at: 2)) else { continue }
            let replaced = replacing(value, user, with: dropping ? nil : pseudonym)
            if replaced != value { changed.append((query.text(at: 0), query.text(at: 1), replaced.jsonString)) }
        }
        query.reset()
        for (key1, key2, text) in changed {
            let write = try db.statement(update)
            defer { write.reset() }
            write.bind(key1, at: 1)
            write.bind(key2, at: 2)
            write.bind(text, at: 3)
            try write.step()
        }
    }

    private static func replacing(_ value: JSONValue, _ user: UserID, with pseudonym: UserID?) -> JSONValue {
        switch value {
        case .string(let text) where text == user:
            return pseudonym.map { .string($0) } ?? value
        case .array(let elements):
            return .array(
                elements.compactMap { element in
                    if pseudonym == nil, element == .string(user) { return nil }
                    return replacing(element, user, with: pseudonym)
                }
            )
        case .object(let object):
            return .object(JSONObject(object.pairs.map { ($0.key, replacing($0.value, user, with: pseudonym)) }))
        default:
            return value
        }
    }
}

extension SQLiteStore {
    /// Everything stored about `user`, as JSON, for `yizhan user export`. The export is audited first (its own short
    /// write), then read from one snapshot without blocking a running server's writes.
    public static func exportUser(_ user: UserID, directory: String, now: Timestamp) throws(StoreError) -> JSONValue {
        try withConnection(directory: directory) { db throws(SQLiteError) in
            try requireUser(db, user)
            try db.execute("BEGIN IMMEDIATE")
            try AuditLog.append(
                AuditEntry(at: now, actor: nil, action: .userExport, target: "user:" + user),
                db
            )
            try db.execute("COMMIT")
            try db.execute("BEGIN")
            defer { db.rollbackIfNeeded() }
            return try UserData.export(db, user: user, now: now)
        }
    }

    /// Erases `user` (see `UserData`) in one transaction, and audits it under the pseudonym. Run it with the server
    /// stopped: a running hub would keep the person in memory.
    public static func eraseUser(_ user: UserID, directory: String, now: Timestamp) throws(StoreError) -> EraseReport {
        try withConnection(directory: directory) { db throws(SQLiteError) in
            try requireUser(db, user)
            let pseudonym = "former-" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
            // Deleted and replaced content is overwritten in the file, not just unlinked from the b-tree.
            try db.execute("PRAGMA secure_delete = ON")
            try db.execute("BEGIN IMMEDIATE")
            defer { db.rollbackIfNeeded() }
            let report = try UserData.erase(db, user: user, pseudonym: pseudonym)
            let detail: JSONValue = [
                "messagesReattributed": .int(Int64(report.messagesReattributed)),
                "membershipsRemoved": .int(Int64(report.membershipsRemoved)),
                "inboxMessagesDeleted": .int(Int64(report.inboxMessagesDeleted)),
            ]
            try AuditLog.append(
                AuditEntry(
                    at: now,
                    actor: nil,
                    action: .userErase,
                    target: "user:" + pseudonym,
                    detail: detail.encoded()
                ),
                db
            )
            try db.execute("COMMIT")
            // The old pages live on in the write-ahead log until a checkpoint: copy them back and empty it.
            _ = try db.single("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(at: 0) }
            return report
        }
    }

    private static func requireUser(_ db: SQLiteDatabase, _ user: UserID) throws(SQLiteError) {
        let query = try db.statement("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)")
        defer { query.reset() }
        query.bind(user, at: 1)
        _ = try query.step()
        guard query.bool(at: 0) else {
            throw SQLiteError(code: SQLITE_NOTFOUND, message: "There is no user '\(user)' in the directory.")
        }
    }

    /// A read-write connection to the current schema of the database in `directory`.
    private static func withConnection<Value>(
        directory: String,
        _ body: (SQLiteDatabase) throws(SQLiteError) -> Value
    ) throws(StoreError) -> Value {
        let path = databasePath(in: directory)
        guard FileSystem.exists(path) else { throw StoreError(.failed, "There is no database at \(path).") }
        let db: SQLiteDatabase
        do throws(SQLiteError) {
            db = try SQLiteDatabase(path: path, create: false)
            try db.execute("PRAGMA busy_timeout = 5000")
            try db.execute("PRAGMA foreign_keys = ON")
        } catch {
            throw error.storeError
        }
        defer { db.close() }
        try Migrator.checkNotTooNew(db)
        do throws(SQLiteError) {
            guard try Migrator.currentVersion(db) == schemaVersion else {
                throw SQLiteError(
                    code: SQLITE_ERROR,
                    message: "The database's schema is older than this build: start the server once to migrate it."
                )
            }
            return try body(db)
        } catch {
            throw error.storeError
        }
    }
}
