import Dispatch
import Hub

extension SQLiteStore {
    /// Reads everything the hub keeps in memory, in one read transaction on the reader connection.
    ///
    /// All indexed reads: one scan each of users, org_units, courses, course_members, groups and members (members in
    /// primary-key order), then one primary-key range read per group for its newest `recentPerGroup` messages (none
    /// when 0). `lastSeq` is `groups.last_seq`, written in the same transactions as the messages.
    /// Must not be called from a `readMessages` completion (it waits for the reader queue).
    public func loadSnapshot(recentPerGroup: Int, recordsClosedAfter: Timestamp) throws(StoreError) -> HubSnapshot {
        dispatchPrecondition(condition: .notOnQueue(readerQueue))
        let result = readerQueue.sync { () -> Result<HubSnapshot, StoreError> in
            guard let db = reader else { return .failure(Self.closedError) }
            do throws(SQLiteError) {
                try db.execute("BEGIN")
                let snapshot = try Self.snapshot(
                    db,
                    recentPerGroup: recentPerGroup,
                    recordsClosedAfter: recordsClosedAfter
                )
                try db.execute("COMMIT")
                return .success(snapshot)
            } catch {
                db.rollbackIfNeeded()
                return .failure(error.storeError)
            }
        }
        return try result.get()
    }

    private static func snapshot(
        _ db: SQLiteDatabase,
        recentPerGroup: Int,
        recordsClosedAfter: Timestamp
    ) throws(SQLiteError) -> HubSnapshot {
        var lastRecordIDs: [RecordKind: Int64] = [:]
        let maxIDs = try db.statement("SELECT kind, max(id) FROM records GROUP BY kind")
        defer { maxIDs.reset() }
        while try maxIDs.step() {
            lastRecordIDs[try maxIDs.value(RecordKind.self, at: 0)] = maxIDs.int64(at: 1)
        }
        return HubSnapshot(
            users: try users(db),
            orgUnits: try orgUnits(db),
            courses: try courses(db),
            groups: try groups(db, recentPerGroup: recentPerGroup),
            objects: try objects(db),
            shares: try shares(db),
            records: try records(db, closedAfter: recordsClosedAfter),
            jobs: try jobs(db),
            lastRecordIDs: lastRecordIDs,
            lastJobID: try db.single(
                "SELECT max((SELECT ifnull(max(id), 0) FROM jobs), (SELECT ifnull(max(value), 0) FROM counters WHERE name = 'job'))"
            ) { $0.int64(at: 0) } ?? 0,
            news: try news(db),
            community: try communityDocs(db)
        )
    }

    private static func objects(_ db: SQLiteDatabase) throws(SQLiteError) -> [ObjectRecord] {
        let select = try db.statement("SELECT id, sha256, size, mime, name, owner, created_at FROM objects ORDER BY id")
        defer { select.reset() }
        var objects: [ObjectRecord] = []
        while try select.step() { objects.append(select.object()) }
        return objects
    }

    private static func shares(_ db: SQLiteDatabase) throws(SQLiteError) -> [ObjectShare] {
        let select = try db.statement("SELECT object_id, group_id FROM object_shares ORDER BY object_id, group_id")
        defer { select.reset() }
        var shares: [ObjectShare] = []
        while try select.step() {
            shares.append(ObjectShare(object: select.text(at: 0), group: GroupID(select.int64(at: 1))))
        }
        return shares
    }

    /// Records open or closed after `closedAfter`, with their entries; older ones are read on demand.
    private static func records(
        _ db: SQLiteDatabase,
        closedAfter: Timestamp
    ) throws(SQLiteError) -> [RecordWithEntries] {
        let select = try db.statement(
            """
            SELECT kind, id, group_id, body, created_at, closed_at FROM records
            WHERE closed_at IS NULL OR closed_at > ?1 ORDER BY kind, id
            """
        )
        defer { select.reset() }
        select.bind(closedAfter, at: 1)
        var records: [RecordWithEntries] = []
        while try select.step() { records.append(RecordWithEntries(record: try select.record(), entries: [])) }
        for index in records.indices {
            records[index].entries = try entries(db, records[index].record.kind, records[index].record.id)
        }
        return records
    }

    static func entries(_ db: SQLiteDatabase, _ kind: RecordKind, _ id: Int64) throws(SQLiteError) -> [RecordEntry] {
        let select = try db.statement(
            """
            SELECT kind, record_id, user_id, body, updated_at FROM record_entries
            WHERE kind = ?1 AND record_id = ?2 ORDER BY user_id
            """
        )
        defer { select.reset() }
        select.bind(kind.rawValue, at: 1)
        select.bind(id, at: 2)
        var entries: [RecordEntry] = []
        while try select.step() { entries.append(try select.entry()) }
        return entries
    }

    private static func jobs(_ db: SQLiteDatabase) throws(SQLiteError) -> [JobRecord] {
        let select = try db.statement("SELECT id, due_at, kind, body FROM jobs ORDER BY id")
        defer { select.reset() }
        var jobs: [JobRecord] = []
        while try select.step() {
            jobs.append(
                JobRecord(
                    id: select.int64(at: 0),
                    dueAt: select.int64(at: 1),
                    kind: select.text(at: 2),
                    body: select.blob(at: 3)
                )
            )
        }
        return jobs
    }

    private static func users(_ db: SQLiteDatabase) throws(SQLiteError) -> [UserRecord] {
        let select = try db.statement("SELECT id, name, roles, class_id, org_unit_id, active FROM users ORDER BY id")
        defer { select.reset() }
        var users: [UserRecord] = []
        while try select.step() {
            users.append(try select.user())
        }
        return users
    }

    private static func orgUnits(_ db: SQLiteDatabase) throws(SQLiteError) -> [OrgUnitRecord] {
        let select = try db.statement("SELECT id, kind, name, parent_id, counselors FROM org_units ORDER BY id")
        defer { select.reset() }
        var units: [OrgUnitRecord] = []
        while try select.step() {
            units.append(try select.orgUnit())
        }
        return units
    }

    private static func courses(_ db: SQLiteDatabase) throws(SQLiteError) -> [CourseRecord] {
        var teachers: [String: [UserID]] = [:]
        var students: [String: [UserID]] = [:]
        let roster = try db.statement(
            "SELECT course_id, role, user_id FROM course_members ORDER BY course_id, role, position"
        )
        defer { roster.reset() }
        while try roster.step() {
            switch try roster.value(CourseRole.self, at: 1) {
            case .teacher: teachers[roster.text(at: 0), default: []].append(roster.text(at: 2))
            case .student: students[roster.text(at: 0), default: []].append(roster.text(at: 2))
            }
        }
        let select = try db.statement("SELECT id, name FROM courses ORDER BY id")
        defer { select.reset() }
        var courses: [CourseRecord] = []
        while try select.step() {
            let id = select.text(at: 0)
            courses.append(
                CourseRecord(
                    id: id,
                    name: select.text(at: 1),
                    teachers: teachers[id] ?? [],
                    students: students[id] ?? []
                )
            )
        }
        return courses
    }

    private static func groups(_ db: SQLiteDatabase, recentPerGroup: Int) throws(SQLiteError) -> [GroupSnapshot] {
        var members: [GroupID: [MemberRecord]] = [:]
        let memberRows = try db.statement(
            """
            SELECT group_id, user_id, role, source, joined_seq, muted_until, read_seq
            FROM members ORDER BY group_id, user_id
            """
        )
        defer { memberRows.reset() }
        while try memberRows.step() {
            members[GroupID(memberRows.int64(at: 0)), default: []].append(try memberRows.member())
        }

        let select = try db.statement(
            """
            SELECT id, kind, name, external_key, owner, mute_all, frozen, dissolved, created_at, last_seq,
                   allow_member_cards
            FROM groups ORDER BY id
            """
        )
        defer { select.reset() }
        var groups: [GroupSnapshot] = []
        while try select.step() {
            let record = try select.group()
            var recent: [StoredMessage] = []
            if recentPerGroup > 0 {
                try newest(record.id, before: Int64.max, limit: recentPerGroup, db, into: &recent)
            }
            groups.append(
                GroupSnapshot(
                    record: record,
                    members: members.removeValue(forKey: record.id) ?? [],
                    lastSeq: select.int64(at: 9),
                    recent: recent
                )
            )
        }
        return groups
    }
}
