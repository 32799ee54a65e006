import Dispatch
import Hub

extension SQLiteStore {
    /// Rows handled per transaction: small enough that a commit waiting behind a purge step waits milliseconds.
    public static let purgeChunk = 500

    /// See `HubStore.purge`. Each step is its own item on the writer queue, so hub batches run between steps.
    public func purge(_ plan: PurgePlan, completion: @escaping @Sendable (Result<PurgeReport, StoreError>) -> Void) {
        let run = PurgeRun(plan: plan)
        writerQueue.async { [self] in step(run, completion: completion) }
    }

    /// Writer queue only: one step of `run`, then the next is queued (or the completion called).
    private func step(_ run: PurgeRun, completion: @escaping @Sendable (Result<PurgeReport, StoreError>) -> Void) {
        guard let db = writer else { return completion(.failure(Self.closedError)) }
        let more: Bool
        do throws(SQLiteError) {
            try db.execute("BEGIN IMMEDIATE")
            more = try run.step(db)
            try db.execute("COMMIT")
        } catch {
            db.rollbackIfNeeded()
            return completion(.failure(error.storeError))
        }
        if more {
            writerQueue.async { [self] in step(run, completion: completion) }
        } else {
            completion(.success(run.report))
        }
    }
}

/// The state of one purge between steps (writer queue only).
private final class PurgeRun: @unchecked Sendable {
    enum Phase {
        case messages
        case records
        case objects
        case done
    }

    let plan: PurgePlan
    var report = PurgeReport()
    var phase = Phase.messages
    /// Keyset position in the messages-by-time walk.
    var position: (createdAt: Int64, group: Int64, seq: Int64) = (.min, .min, .min)
    var groupKinds: [Int64: GroupKind]?
    /// (object, group) pairs whose referring rows went: checked in the objects phase.
    var candidates: [ObjectShare] = []
    var candidatesLoaded = false
    let latestCutoff: Int64

    init(plan: PurgePlan) {
        self.plan = plan
        latestCutoff = plan.messageCutoffs.map(\.before).max() ?? .min
    }

    /// One transaction's worth of work; false when the run is complete.
    func step(_ db: SQLiteDatabase) throws(SQLiteError) -> Bool {
        switch phase {
        case .messages:
            if try !expireMessages(db) { phase = .records }
        case .records:
            if try !deleteRecords(db) { phase = .objects }
        case .objects:
            if try !releaseObjects(db) { phase = .done }
        case .done:
            break
        }
        return phase != .done
    }

    // MARK: Messages

    /// Expires up to one chunk of messages; false when there are no more to look at.
    private func expireMessages(_ db: SQLiteDatabase) throws(SQLiteError) -> Bool {
        if groupKinds == nil { groupKinds = try Self.loadGroupKinds(db) }
        let kinds = groupKinds ?? [:]
        // Live messages older than the latest cutoff, in (created_at, group, seq) order through the partial index.
        let select = try db.statement(
            """
            SELECT group_id, seq, kind, created_at, body FROM messages INDEXED BY messages_by_time
            WHERE recalled != 2 AND created_at < ?1 AND (created_at, group_id, seq) > (?2, ?3, ?4)
            ORDER BY created_at, group_id, seq LIMIT ?5
            """
        )
        defer { select.reset() }
        select.bind(latestCutoff, at: 1)
        select.bind(position.createdAt, at: 2)
        select.bind(position.group, at: 3)
        select.bind(position.seq, at: 4)
        select.bind(SQLiteStore.purgeChunk, at: 5)
        var expired: [(group: Int64, seq: Int64)] = []
        var rows = 0
        while try select.step() {
            rows += 1
            let group = select.int64(at: 0)
            let seq = select.int64(at: 1)
            let createdAt = select.int64(at: 3)
            position = (createdAt, group, seq)
            guard let groupKind = kinds[group], let kind = MessageKind(rawValue: select.text(at: 2)),
                plan.expires(groupKind, kind, createdAt: createdAt)
            else { continue }
            expired.append((group, seq))
            if [.image, .video, .file].contains(kind) {
                for object in ObjectReferences.ids(in: select.blob(at: 4)) {
                    candidates.append(ObjectShare(object: object, group: GroupID(group)))
                }
            }
        }
        select.reset()
        for (group, seq) in expired { try Self.expire(db, group: group, seq: seq) }
        report.messagesExpired += expired.count
        return rows == SQLiteStore.purgeChunk
    }

    private static func expire(_ db: SQLiteDatabase, group: Int64, seq: Int64) throws(SQLiteError) {
        let update = try db.statement(
            """
            UPDATE messages SET body = CAST('{}' AS BLOB), sender = NULL, client_msg_id = NULL, reply_to = NULL,
                mentions = NULL, mention_all = 0, recalled = 2
            WHERE group_id = ?1 AND seq = ?2
            """
        )
        defer { update.reset() }
        update.bind(group, at: 1)
        update.bind(seq, at: 2)
        try update.step()
    }

    private static func loadGroupKinds(_ db: SQLiteDatabase) throws(SQLiteError) -> [Int64: GroupKind] {
        let select = try db.statement("SELECT id, kind FROM groups")
        defer { select.reset() }
        var kinds: [Int64: GroupKind] = [:]
        while try select.step() { kinds[select.int64(at: 0)] = GroupKind(rawValue: select.text(at: 1)) }
        return kinds
    }

    // MARK: Records

    /// Deletes up to one chunk of records closed before the cutoff, with their entries, and expires the card and
    /// task messages that announced them; false when none are left.
    private func deleteRecords(_ db: SQLiteDatabase) throws(SQLiteError) -> Bool {
        guard let before = plan.recordsClosedBefore else { return false }
        // Closed, or past the deadline after which nothing more is accepted (cards and tasks are often never
        // closed by hand). Records are few next to messages; a scan a day is cheap.
        let select = try db.statement(
            """
            SELECT kind, id, group_id, body FROM records
            WHERE COALESCE(closed_at, CASE kind
                WHEN 'task' THEN json_extract(CAST(body AS TEXT), '$.deadline')
                WHEN 'card' THEN COALESCE(
                    json_extract(CAST(body AS TEXT), '$.definition.lateUntil'),
                    json_extract(CAST(body AS TEXT), '$.definition.endsAt'),
                    json_extract(CAST(body AS TEXT), '$.definition.deadline'))
                END) < ?1
            LIMIT ?2
            """
        )
        defer { select.reset() }
        select.bind(before, at: 1)
        select.bind(SQLiteStore.purgeChunk / 10, at: 2)
        var records: [(kind: String, id: Int64, group: Int64)] = []
        while try select.step() {
            let record = (kind: select.text(at: 0), id: select.int64(at: 1), group: select.int64(at: 2))
            records.append(record)
            for object in ObjectReferences.ids(in: select.blob(at: 3)) {
                candidates.append(ObjectShare(object: object, group: GroupID(record.group)))
            }
        }
        select.reset()
        for record in records {
            let entries = try db.statement("SELECT body FROM record_entries WHERE kind = ?1 AND record_id = ?2")
            defer { entries.reset() }
            entries.bind(record.kind, at: 1)
            entries.bind(record.id, at: 2)
            while try entries.step() {
                for object in ObjectReferences.ids(in: entries.blob(at: 0)) {
                    candidates.append(ObjectShare(object: object, group: GroupID(record.group)))
                }
            }
            entries.reset()
            let deleteEntries = try db.statement("DELETE FROM record_entries WHERE kind = ?1 AND record_id = ?2")
            defer { deleteEntries.reset() }
            deleteEntries.bind(record.kind, at: 1)
            deleteEntries.bind(record.id, at: 2)
            try deleteEntries.step()
            report.entriesDeleted += db.changes
            let deleteRecord = try db.statement("DELETE FROM records WHERE kind = ?1 AND id = ?2")
            defer { deleteRecord.reset() }
            deleteRecord.bind(record.kind, at: 1)
            deleteRecord.bind(record.id, at: 2)
            try deleteRecord.step()
            report.recordsDeleted += 1
            if record.kind == RecordKind.card.rawValue || record.kind == RecordKind.task.rawValue {
                try expireAnnouncement(db, kind: record.kind, id: record.id, group: record.group)
            }
        }
        return records.count == SQLiteStore.purgeChunk / 10
    }

    /// The card or task message in the group's timeline (its body names the record: `{"card": id, …}`).
    private func expireAnnouncement(_ db: SQLiteDatabase, kind: String, id: Int64, group: Int64) throws(SQLiteError) {
        let select = try db.statement(
            """
            SELECT seq FROM messages
            WHERE group_id = ?1 AND kind = ?2 AND recalled != 2 AND json_extract(CAST(body AS TEXT), '$.' || ?2) = ?3
            """
        )
        defer { select.reset() }
        select.bind(group, at: 1)
        select.bind(kind, at: 2)
        select.bind(id, at: 3)
        var seqs: [Int64] = []
        while try select.step() { seqs.append(select.int64(at: 0)) }
        select.reset()
        for seq in seqs { try Self.expire(db, group: group, seq: seq) }
        report.messagesExpired += seqs.count
    }

    // MARK: Objects

    /// Withdraws the shares of candidates nothing live refers to in their group, and deletes objects left without
    /// shares (and uploads never shared and past their grace time); false when done.
    private func releaseObjects(_ db: SQLiteDatabase) throws(SQLiteError) -> Bool {
        if !candidatesLoaded {
            candidatesLoaded = true
            let unsent = try db.statement(
                """
                SELECT id FROM objects WHERE created_at < ?1
                AND NOT EXISTS (SELECT 1 FROM object_shares WHERE object_id = objects.id)
                AND NOT EXISTS (SELECT 1 FROM news_object_refs WHERE object_id = objects.id)
                """
            )
            defer { unsent.reset() }
            unsent.bind(plan.unsentUploadsBefore, at: 1)
            while try unsent.step() { candidates.append(ObjectShare(object: unsent.text(at: 0), group: GroupID(0))) }
            // One check per pair, in a stable order.
            var seen: Set<String> = []
            candidates = candidates.filter { seen.insert("\($0.object)\u{0}\($0.group.rawValue)").inserted }
        }
        let chunk = Array(candidates.suffix(SQLiteStore.purgeChunk / 10))
        candidates.removeLast(chunk.count)
        for candidate in chunk {
            if candidate.group.rawValue != 0, try !Self.isReferenced(db, candidate.object, in: candidate.group) {
                let unshare = try db.statement("DELETE FROM object_shares WHERE object_id = ?1 AND group_id = ?2")
                defer { unshare.reset() }
                unshare.bind(candidate.object, at: 1)
                unshare.bind(candidate.group.rawValue, at: 2)
                try unshare.step()
                if db.changes > 0 { report.sharesRemoved.append(candidate) }
            }
            try deleteIfUnshared(db, candidate.object)
        }
        return !candidates.isEmpty
    }

    /// Whether a live message, a record or an entry of `group` still names `object`.
    private static func isReferenced(
        _ db: SQLiteDatabase,
        _ object: String,
        in group: GroupID
    ) throws(SQLiteError)
        -> Bool
    {
        let query = try db.statement(
            """
            SELECT EXISTS (
                SELECT 1 FROM messages WHERE group_id = ?1 AND recalled = 0 AND kind IN ('image', 'video', 'file')
                    AND instr(CAST(body AS TEXT), ?2) > 0
            ) OR EXISTS (
                SELECT 1 FROM records WHERE group_id = ?1 AND instr(CAST(body AS TEXT), ?2) > 0
            ) OR EXISTS (
                SELECT 1 FROM record_entries e JOIN records r ON r.kind = e.kind AND r.id = e.record_id
                WHERE r.group_id = ?1 AND instr(CAST(e.body AS TEXT), ?2) > 0
            )
            """
        )
        defer { query.reset() }
        query.bind(group.rawValue, at: 1)
        query.bind("\"" + object + "\"", at: 2)
        _ = try query.step()
        return query.bool(at: 0)
    }

    /// Deletes an object that is shared nowhere; reports its content hash when no other object has it.
    private func deleteIfUnshared(_ db: SQLiteDatabase, _ object: String) throws(SQLiteError) {
        let select = try db.statement(
            """
            SELECT sha256 FROM objects WHERE id = ?1
            AND NOT EXISTS (SELECT 1 FROM object_shares WHERE object_id = ?1)
            AND NOT EXISTS (SELECT 1 FROM news_object_refs WHERE object_id = ?1)
            """
        )
        defer { select.reset() }
        select.bind(object, at: 1)
        guard try select.step() else { return }
        let sha256 = select.text(at: 0)
        select.reset()
        let delete = try db.statement("DELETE FROM objects WHERE id = ?1")
        defer { delete.reset() }
        delete.bind(object, at: 1)
        try delete.step()
        report.objectsDeleted.append(object)
        let others = try db.statement("SELECT EXISTS (SELECT 1 FROM objects WHERE sha256 = ?1)")
        defer { others.reset() }
        others.bind(sha256, at: 1)
        _ = try others.step()
        if !others.bool(at: 0) { report.unreferencedFiles.append(sha256) }
    }
}

extension SQLiteStore {
    /// Whether any object row has content `sha256` (asked before a purged file is deleted). Errs on the side of
    /// keeping the file: a failed read answers true.
    public func hasObject(sha256: String) -> Bool {
        dispatchPrecondition(condition: .notOnQueue(readerQueue))
        return readerQueue.sync {
            guard let db = reader else { return true }
            do throws(SQLiteError) {
                let query = try db.statement("SELECT EXISTS (SELECT 1 FROM objects WHERE sha256 = ?1)")
                defer { query.reset() }
                query.bind(sha256, at: 1)
                _ = try query.step()
                return query.bool(at: 0)
            } catch {
                return true
            }
        }
    }
}
