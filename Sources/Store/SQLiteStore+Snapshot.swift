import Dispatch
import Hub

extension SQLiteStore {
    /// Reads everything the hub keeps in memory, in one read transaction on the reader connection.
    ///
    /// All indexed reads: one scan each of users, org_units, courses, course_members, groups and members (members in
    /// primary-key order), then one primary-key range read per group for its newest `recentPerGroup` messages (none
    /// when 0). `lastSeq` is `groups.last_seq`, written in the same transactions as the messages.
    /// Must not be called from a `readMessages` completion (it waits for the reader queue).
    public func loadSnapshot(recentPerGroup: Int) throws(StoreError) -> HubSnapshot {
        dispatchPrecondition(condition: .notOnQueue(readerQueue))
        let result = readerQueue.sync { () -> Result<HubSnapshot, StoreError> in
            guard let db = reader else { return .failure(Self.closedError) }
            do throws(SQLiteError) {
                try db.execute("BEGIN")
                let snapshot = try Self.snapshot(db, recentPerGroup: recentPerGroup)
                try db.execute("COMMIT")
                return .success(snapshot)
            } catch {
                db.rollbackIfNeeded()
                return .failure(error.storeError)
            }
        }
        return try result.get()
    }

    private static func snapshot(_ db: SQLiteDatabase, recentPerGroup: Int) throws(SQLiteError) -> HubSnapshot {
        HubSnapshot(
            users: try users(db),
            orgUnits: try orgUnits(db),
            courses: try courses(db),
            groups: try groups(db, recentPerGroup: recentPerGroup)
        )
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
        let roster = try db.statement("SELECT course_id, role, user_id FROM course_members ORDER BY course_id")
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
            SELECT id, kind, name, external_key, owner, mute_all, frozen, dissolved, created_at, last_seq
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
