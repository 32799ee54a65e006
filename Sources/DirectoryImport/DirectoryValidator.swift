import Hub

/// The checks that span records: duplicate ids, and references that resolve inside the imported files.
///
/// References to ids that are not in the files are accepted, since partial imports refer to what the server
/// already has; only what the files themselves show to be wrong is reported:
/// - an org unit whose parent is itself, is of an unfitting kind (a class inside a class, a college inside a
///   major) or is part of a loop of parents;
/// - counselors on a unit that is not a class;
/// - a user whose `class` is not a class, or whose org unit is a class;
/// - a counselor or course teacher who is in the files without the counselor or teacher role (such a typo
///   would make a student the administrator of a group);
/// - a course without any teacher (its group would have no owner).
enum DirectoryValidator {
    /// The parent kinds each kind of unit may have; a school is the top of the tree.
    static let allowedParentKinds: [OrgUnitKind: [OrgUnitKind]] = [
        .school: [],
        .college: [.school],
        .department: [.school, .college, .department],
        .major: [.school, .college, .department],
        .class: [.school, .college, .department, .major],
    ]

    static func validate(_ draft: DirectoryDraft, problems: ProblemCollector) {
        let unitIndex = firstOccurrences(draft.orgUnits, section: "org unit", field: "id", problems: problems)
        let userIndex = firstOccurrences(draft.users, section: "user", field: "id", problems: problems)
        _ = firstOccurrences(draft.courses, section: "course", field: "course_id", problems: problems)
        guard !problems.isFull else { return }
        let units = Lookup(entries: draft.orgUnits, index: unitIndex)
        let users = Lookup(entries: draft.users, index: userIndex)
        checkOrgUnits(draft, units: units, users: users, problems: problems)
        checkUsers(draft, units: units, problems: problems)
        checkCourses(draft, users: users, problems: problems)
    }

    /// The complete record with an id, if the files have one; the first wins among duplicates.
    private struct Lookup<Record> {
        let entries: [DirectoryDraft.Entry<Record>]
        let index: [String: Int]

        subscript(id: String) -> Record? {
            index[id].flatMap { entries[$0].record }
        }
    }

    /// The position of the first entry of each id, after reporting each later duplicate.
    private static func firstOccurrences<Record>(
        _ entries: [DirectoryDraft.Entry<Record>],
        section: String,
        field: String,
        problems: ProblemCollector
    ) -> [String: Int] {
        var first: [String: Int] = [:]
        first.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if let earlier = first[entry.id] {
                problems.report(
                    DirectoryImportError.Code.duplicateID,
                    at: entry.position,
                    field: entry.position.fieldName(json: "id", csv: field),
                    "\(section) id \(MessageText.quoted(entry.id)) is already used on "
                        + "\(entries[earlier].position.reference(from: entry.position)); each \(section) must appear "
                        + "once."
                )
                continue
            }
            first[entry.id] = index
        }
        return first
    }

    private static func checkOrgUnits(
        _ draft: DirectoryDraft,
        units: Lookup<OrgUnitRecord>,
        users: Lookup<UserRecord>,
        problems: ProblemCollector
    ) {
        var checked: Set<String> = []
        var reportedLoops: Set<String> = []
        for entry in draft.orgUnits {
            guard let unit = entry.record, checked.insert(unit.id).inserted else { continue }
            let position = entry.position
            if !unit.counselors.isEmpty && unit.kind != .class {
                problems.report(
                    DirectoryImportError.Code.invalidValue,
                    at: position,
                    field: "counselors",
                    "only classes have counselors, but \(MessageText.quoted(unit.id)) is a \(unit.kind.rawValue)."
                )
            }
            for counselor in unit.counselors {
                if let user = users[counselor], !user.roles.contains(.counselor) {
                    problems.report(
                        DirectoryImportError.Code.invalidReference,
                        at: position,
                        field: "counselors",
                        "counselor \(MessageText.quoted(counselor)) (\(user.name)) does not have the counselor role."
                    )
                }
            }
            guard let parentID = unit.parentID else { continue }
            if let loop = parentLoop(from: unit.id, units: units) {
                guard reportedLoops.insert(unit.id).inserted else { continue }
                reportedLoops.formUnion(loop)
                let chain = (loop + [loop[0]]).map { MessageText.quoted($0) }.joined(separator: " → ")
                let text =
                    loop.count == 1
                    ? "org unit \(MessageText.quoted(unit.id)) is its own parent."
                    : "the parents form a loop: \(chain)."
                problems.report(DirectoryImportError.Code.invalidReference, at: position, field: "parent", text)
                continue
            }
            if let parent = units[parentID], let allowed = allowedParentKinds[unit.kind], !allowed.contains(parent.kind)
            {
                let expectation =
                    allowed.isEmpty
                    ? "a school is the top of the tree and has no parent"
                    : "the parent of a \(unit.kind.rawValue) must be a "
                        + MessageText.list(allowed.map(\.rawValue))
                problems.report(
                    DirectoryImportError.Code.invalidReference,
                    at: position,
                    field: "parent",
                    "parent \(MessageText.quoted(parentID)) is a \(parent.kind.rawValue), but \(expectation)."
                )
            }
        }
    }

    /// The ids of the loop `start` belongs to, following parents inside the files, or `nil` if there is none.
    private static func parentLoop(from start: String, units: Lookup<OrgUnitRecord>) -> [String]? {
        var path: [String] = []
        var seen: Set<String> = []
        var current = start
        while let unit = units[current], seen.insert(current).inserted {
            path.append(current)
            guard let parent = unit.parentID else { return nil }
            current = parent
        }
        guard current == start, !path.isEmpty else { return nil }
        return path
    }

    private static func checkUsers(_ draft: DirectoryDraft, units: Lookup<OrgUnitRecord>, problems: ProblemCollector) {
        for entry in draft.users {
            guard let user = entry.record else { continue }
            if let classID = user.classID, let unit = units[classID], unit.kind != .class {
                problems.report(
                    DirectoryImportError.Code.invalidReference,
                    at: entry.position,
                    field: "class",
                    "class \(MessageText.quoted(classID)) is a \(unit.kind.rawValue), not a class."
                )
            }
            if let orgUnitID = user.orgUnitID, let unit = units[orgUnitID], unit.kind == .class {
                let column = entry.position.fieldName(json: "orgUnit", csv: "org_unit")
                problems.report(
                    DirectoryImportError.Code.invalidReference,
                    at: entry.position,
                    field: column,
                    "\(column) \(MessageText.quoted(orgUnitID)) is a class; put a student's class in the class "
                        + "field and use \(column) for the college or department of staff."
                )
            }
        }
    }

    private static func checkCourses(_ draft: DirectoryDraft, users: Lookup<UserRecord>, problems: ProblemCollector) {
        for entry in draft.courses {
            guard let course = entry.record else { continue }
            if course.teachers.isEmpty {
                problems.report(
                    DirectoryImportError.Code.missingField,
                    at: entry.position,
                    field: entry.position.fieldName(json: "teachers", csv: "role"),
                    "course \(MessageText.quoted(course.id)) has no teacher; every course needs at least one, "
                        + "who owns its group."
                )
            }
            for teacher in course.teachers {
                guard let user = users[teacher], !user.roles.contains(.teacher) else { continue }
                let position = entry.memberPositions[teacher] ?? entry.position
                problems.report(
                    DirectoryImportError.Code.invalidReference,
                    at: position,
                    field: position.path == nil ? "user_id" : nil,
                    "teacher \(MessageText.quoted(teacher)) (\(user.name)) of course \(MessageText.quoted(course.id)) "
                        + "does not have the teacher role."
                )
            }
        }
    }
}
