import CSQLite
import Hub

/// Applies the ops of one batch inside the writer's open transaction, assigning seqs as it goes.
///
/// Seqs come from `committedSeqs` (the store's published values) and `batchSeqs` (this batch's, including groups
/// it created); the store publishes `batchSeqs` only after `COMMIT`.
struct BatchWriter {
    let db: SQLiteDatabase
    let committedSeqs: [GroupID: Int64]
    /// Groups this batch created or appended to, with their new last seq.
    private(set) var batchSeqs: [GroupID: Int64] = [:]
    /// One per `.appendMessage`, in order.
    private(set) var outcomes: [AppendOutcome] = []

    init(db: SQLiteDatabase, committedSeqs: [GroupID: Int64]) {
        self.db = db
        self.committedSeqs = committedSeqs
    }

    mutating func apply(_ op: WriteOp) throws(SQLiteError) {
        switch op {
        case .appendMessage(let message): try append(message)
        case .recallMessage(let group, let seq): try recall(group, seq: seq)
        case .upsertGroup(let record): try upsert(record)
        case .upsertMember(let group, let member): try upsert(member, of: group)
        case .removeMember(let group, let user): try remove(user, from: group)
        case .setReadSeq(let group, let user, let seq): try setReadSeq(seq, of: user, in: group)
        case .upsertUser(let user): try upsert(user)
        case .upsertOrgUnit(let unit): try upsert(unit)
        case .upsertCourse(let course): try upsert(course)
        case .upsertObject(let object): try upsert(object)
        case .shareObject(let object, let group): try share(object, in: group)
        case .unshareObject(let object, let group): try unshare(object, in: group)
        case .upsertRecord(let record): try upsert(record)
        case .upsertEntry(let entry): try upsert(entry)
        case .upsertJob(let job): try upsert(job)
        case .deleteJob(let id): try deleteJob(id)
        case .appendAudit(let entry): try AuditLog.append(entry, db)
        case .putNewsDoc(let doc): try put(doc)
        case .deleteNewsDoc(let kind, let id): try deleteDoc(kind, id)
        case .upsertArticle(let article): try upsert(article)
        case .recordArticleView(let article, let user, let at, let view):
            try recordView(article: article, user: user, at: at, view: view)
        case .putCommunityDoc(let doc): try put(doc)
        case .setStock(let item, let stock): try setStock(item, stock)
        case .holdStock(let item, let delta): try holdStock(item, delta)
        case .holdSlot(let venue, let booking, let start, let end): try holdSlot(venue, booking, start, end)
        case .releaseSlot(let venue, let booking): try releaseSlot(venue, booking)
        }
    }

    /// Writes `groups.last_seq` once for every group that got messages in this batch.
    func writeLastSeqs() throws(SQLiteError) {
        for (group, seq) in batchSeqs where seq != (committedSeqs[group] ?? 0) {
            let update = try db.statement("UPDATE groups SET last_seq = ?2 WHERE id = ?1")
            defer { update.reset() }
            update.bind(group.rawValue, at: 1)
            update.bind(seq, at: 2)
            try update.step()
        }
    }

    // MARK: Messages

    private mutating func append(_ message: NewMessage) throws(SQLiteError) {
        guard let last = batchSeqs[message.group] ?? committedSeqs[message.group] else {
            throw SQLiteError(
                code: SQLITE_CONSTRAINT,
                message: "a message for group \(message.group), which does not exist (upsert the group first)"
            )
        }
        let seq = last + 1
        // The unique index on (client_msg_id, sender) is the idempotency check: a retry inserts nothing (and finds
        // an original from an earlier batch or from earlier in this one) instead of failing the batch.
        let insert = try db.statement(
            """
            INSERT INTO messages (group_id, seq, sender, client_msg_id, kind, body, reply_to, mentions, mention_all,
                                  created_at, recalled)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)
            ON CONFLICT (client_msg_id, sender) WHERE client_msg_id IS NOT NULL DO NOTHING
            """
        )
        defer { insert.reset() }
        insert.bind(message.group.rawValue, at: 1)
        insert.bind(seq, at: 2)
        insert.bind(message.sender, at: 3)
        insert.bind(message.clientMsgID, at: 4)
        insert.bind(message.kind.rawValue, at: 5)
        insert.bind(message.body, at: 6)
        insert.bind(message.replyTo, at: 7)
        insert.bind(StringList.encode(message.mentions), at: 8)
        insert.bind(message.mentionAll, at: 9)
        insert.bind(message.createdAt, at: 10)
        try insert.step()
        if let sender = message.sender, let clientMsgID = message.clientMsgID, db.changes == 0 {
            outcomes.append(try original(sender: sender, clientMsgID: clientMsgID))
            return
        }
        batchSeqs[message.group] = seq
        outcomes.append(.appended(seq: seq))
    }

    private func original(sender: UserID, clientMsgID: String) throws(SQLiteError) -> AppendOutcome {
        let select = try db.statement(
            "SELECT group_id, seq, created_at FROM messages WHERE sender = ?1 AND client_msg_id = ?2"
        )
        defer { select.reset() }
        select.bind(sender, at: 1)
        select.bind(clientMsgID, at: 2)
        guard try select.step() else {
            throw SQLiteError(code: SQLITE_INTERNAL, message: "a message conflicted but its original is missing")
        }
        return .duplicate(group: GroupID(select.int64(at: 0)), seq: select.int64(at: 1), createdAt: select.int64(at: 2))
    }

    private func recall(_ group: GroupID, seq: Int64) throws(SQLiteError) {
        let update = try db.statement(
            "UPDATE messages SET body = CAST('{}' AS BLOB), recalled = 1 WHERE group_id = ?1 AND seq = ?2"
        )
        defer { update.reset() }
        update.bind(group.rawValue, at: 1)
        update.bind(seq, at: 2)
        try update.step()
    }

    // MARK: Groups and members

    private mutating func upsert(_ record: GroupRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO groups (id, kind, name, external_key, owner, mute_all, frozen, dissolved, created_at,
                                allow_member_cards)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (id) DO UPDATE SET
                kind = excluded.kind, name = excluded.name, external_key = excluded.external_key,
                owner = excluded.owner, mute_all = excluded.mute_all, frozen = excluded.frozen,
                dissolved = excluded.dissolved, created_at = excluded.created_at,
                allow_member_cards = excluded.allow_member_cards
            """
        )
        defer { upsert.reset() }
        upsert.bind(record.id.rawValue, at: 1)
        upsert.bind(record.kind.rawValue, at: 2)
        upsert.bind(record.name, at: 3)
        upsert.bind(record.externalKey, at: 4)
        upsert.bind(record.owner, at: 5)
        upsert.bind(record.muteAll, at: 6)
        upsert.bind(record.frozen, at: 7)
        upsert.bind(record.dissolved, at: 8)
        upsert.bind(record.createdAt, at: 9)
        upsert.bind(record.allowMemberCards, at: 10)
        try upsert.step()
        if batchSeqs[record.id] == nil, committedSeqs[record.id] == nil {
            batchSeqs[record.id] = 0
        }
    }

    private func upsert(_ member: MemberRecord, of group: GroupID) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO members (group_id, user_id, role, source, joined_seq, muted_until, read_seq)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (group_id, user_id) DO UPDATE SET
                role = excluded.role, source = excluded.source, joined_seq = excluded.joined_seq,
                muted_until = excluded.muted_until, read_seq = excluded.read_seq
            """
        )
        defer { upsert.reset() }
        upsert.bind(group.rawValue, at: 1)
        upsert.bind(member.user, at: 2)
        upsert.bind(member.role.rawValue, at: 3)
        upsert.bind(member.source.rawValue, at: 4)
        upsert.bind(member.joinedSeq, at: 5)
        upsert.bind(member.mutedUntil, at: 6)
        upsert.bind(member.readSeq, at: 7)
        try upsert.step()
    }

    private func remove(_ user: UserID, from group: GroupID) throws(SQLiteError) {
        let delete = try db.statement("DELETE FROM members WHERE group_id = ?1 AND user_id = ?2")
        defer { delete.reset() }
        delete.bind(group.rawValue, at: 1)
        delete.bind(user, at: 2)
        try delete.step()
    }

    /// Read cursors only move forward.
    private func setReadSeq(_ seq: Int64, of user: UserID, in group: GroupID) throws(SQLiteError) {
        let update = try db.statement(
            "UPDATE members SET read_seq = ?3 WHERE group_id = ?1 AND user_id = ?2 AND read_seq < ?3"
        )
        defer { update.reset() }
        update.bind(group.rawValue, at: 1)
        update.bind(user, at: 2)
        update.bind(seq, at: 3)
        try update.step()
    }

    // MARK: Directory

    private func upsert(_ user: UserRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO users (id, name, roles, class_id, org_unit_id, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, roles = excluded.roles, class_id = excluded.class_id,
                org_unit_id = excluded.org_unit_id, active = excluded.active
            """
        )
        defer { upsert.reset() }
        upsert.bind(user.id, at: 1)
        upsert.bind(user.name, at: 2)
        upsert.bind(user.roles.map(\.rawValue).joined(separator: ","), at: 3)
        upsert.bind(user.classID, at: 4)
        upsert.bind(user.orgUnitID, at: 5)
        upsert.bind(user.active, at: 6)
        try upsert.step()
    }

    private func upsert(_ unit: OrgUnitRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO org_units (id, kind, name, parent_id, counselors) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (id) DO UPDATE SET
                kind = excluded.kind, name = excluded.name, parent_id = excluded.parent_id,
                counselors = excluded.counselors
            """
        )
        defer { upsert.reset() }
        upsert.bind(unit.id, at: 1)
        upsert.bind(unit.kind.rawValue, at: 2)
        upsert.bind(unit.name, at: 3)
        upsert.bind(unit.parentID, at: 4)
        upsert.bind(StringList.encode(unit.counselors), at: 5)
        try upsert.step()
    }

    /// Replaces the course and its whole roster.
    private func upsert(_ course: CourseRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            "INSERT INTO courses (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        )
        defer { upsert.reset() }
        upsert.bind(course.id, at: 1)
        upsert.bind(course.name, at: 2)
        try upsert.step()

        let clear = try db.statement("DELETE FROM course_members WHERE course_id = ?1")
        defer { clear.reset() }
        clear.bind(course.id, at: 1)
        try clear.step()

        let insert = try db.statement(
            "INSERT INTO course_members (course_id, role, user_id, position) VALUES (?1, ?2, ?3, ?4)"
        )
        defer { insert.reset() }
        for (role, users) in [(CourseRole.teacher, course.teachers), (.student, course.students)] {
            for (position, user) in users.enumerated() {
                insert.reset()
                insert.bind(course.id, at: 1)
                insert.bind(role.rawValue, at: 2)
                insert.bind(user, at: 3)
                insert.bind(position, at: 4)
                try insert.step()
            }
        }
    }
}

extension BatchWriter {
    // MARK: Group services

    fileprivate func upsert(_ object: ObjectRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO objects (id, sha256, size, mime, name, owner, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name
            """
        )
        defer { upsert.reset() }
        upsert.bind(object.id, at: 1)
        upsert.bind(object.sha256, at: 2)
        upsert.bind(object.size, at: 3)
        upsert.bind(object.mime, at: 4)
        upsert.bind(object.name, at: 5)
        upsert.bind(object.owner, at: 6)
        upsert.bind(object.createdAt, at: 7)
        try upsert.step()
    }

    fileprivate func share(_ object: String, in group: GroupID) throws(SQLiteError) {
        let insert = try db.statement(
            // A share of an object the retention purge deleted meanwhile is dropped rather than failing the batch.
            """
            INSERT INTO object_shares (object_id, group_id) SELECT ?1, ?2
            WHERE EXISTS (SELECT 1 FROM objects WHERE id = ?1) ON CONFLICT DO NOTHING
            """
        )
        defer { insert.reset() }
        insert.bind(object, at: 1)
        insert.bind(group.rawValue, at: 2)
        try insert.step()
    }

    fileprivate func unshare(_ object: String, in group: GroupID) throws(SQLiteError) {
        let delete = try db.statement("DELETE FROM object_shares WHERE object_id = ?1 AND group_id = ?2")
        defer { delete.reset() }
        delete.bind(object, at: 1)
        delete.bind(group.rawValue, at: 2)
        try delete.step()
    }

    fileprivate func upsert(_ record: ServiceRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO records (kind, id, group_id, body, created_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, closed_at = excluded.closed_at
            """
        )
        defer { upsert.reset() }
        upsert.bind(record.kind.rawValue, at: 1)
        upsert.bind(record.id, at: 2)
        upsert.bind(record.group.rawValue, at: 3)
        upsert.bind(record.body, at: 4)
        upsert.bind(record.createdAt, at: 5)
        upsert.bind(record.closedAt, at: 6)
        try upsert.step()
    }

    fileprivate func upsert(_ entry: RecordEntry) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO record_entries (kind, record_id, user_id, body, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (kind, record_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
            """
        )
        defer { upsert.reset() }
        upsert.bind(entry.kind.rawValue, at: 1)
        upsert.bind(entry.record, at: 2)
        upsert.bind(entry.user, at: 3)
        upsert.bind(entry.body, at: 4)
        upsert.bind(entry.updatedAt, at: 5)
        try upsert.step()
    }

    fileprivate func upsert(_ job: JobRecord) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO jobs (id, due_at, kind, body) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, kind = excluded.kind, body = excluded.body
            """
        )
        defer { upsert.reset() }
        upsert.bind(job.id, at: 1)
        upsert.bind(job.dueAt, at: 2)
        upsert.bind(job.kind, at: 3)
        upsert.bind(job.body, at: 4)
        try upsert.step()
        let counter = try db.statement(
            """
            INSERT INTO counters (name, value) VALUES ('job', ?1)
            ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)
            """
        )
        defer { counter.reset() }
        counter.bind(job.id, at: 1)
        try counter.step()
    }

    fileprivate func deleteJob(_ id: Int64) throws(SQLiteError) {
        let delete = try db.statement("DELETE FROM jobs WHERE id = ?1")
        defer { delete.reset() }
        delete.bind(id, at: 1)
        try delete.step()
    }
}

/// A person's place in a course roster (`course_members.role`).
enum CourseRole: String {
    case teacher
    case student
}
