import Hub

/// Turns the data rows of a recognised CSV file into draft entries, one row at a time.
struct CSVRowDecoder {
    private let columns: CSVColumns
    private let fileName: String
    private let limits: DirectoryImportLimits
    private let problems: ProblemCollector
    private var draft = DirectoryDraft()
    private var courses = CourseRosterBuilder()

    init(columns: CSVColumns, fileName: String, limits: DirectoryImportLimits, problems: ProblemCollector) {
        self.columns = columns
        self.fileName = fileName
        self.limits = limits
        self.problems = problems
    }

    /// Decodes one row, which has as many fields as the header.
    mutating func decode(_ record: CSVReader.Record) {
        var row = Row(record: record, position: .line(record.line, in: fileName))
        for index in columns.unnamed where !record.fields[index].isEmpty {
            row.isComplete = false
            problems.report(
                DirectoryImportError.Code.unknownHeader,
                at: row.position,
                "column \(index + 1) has no name in the header row but holds "
                    + "\(MessageText.quoted(record.fields[index])) here; name the column or delete it."
            )
        }
        switch columns.kind {
        case .users: decodeUser(&row)
        case .orgUnits: decodeOrgUnit(&row)
        case .courses: decodeCourseRow(&row)
        }
    }

    /// The decoded entries; course rosters are complete only once every row has been seen.
    func finish() -> DirectoryDraft {
        var result = draft
        result.courses = courses.entries()
        return result
    }

    private mutating func decodeUser(_ row: inout Row) {
        let id = id(&row, "id", label: "id")
        let name = name(&row, "name")
        var roles: [SchoolRole] = []
        if let cell = text(&row, "roles") {
            let items = FieldRules.listItems(cell)
            if items.isEmpty {
                report(
                    &row,
                    "roles",
                    FieldIssue(
                        DirectoryImportError.Code.missingField,
                        "roles is empty; give at least one of student, counselor, teacher, staff, admin, "
                            + "separated by ';'."
                    )
                )
            }
            for item in items {
                if let role = check(&row, "roles", FieldRules.role(item, lenient: true)) { roles.append(role) }
            }
        }
        let classID = optionalID(&row, "class", label: "class")
        let orgUnitID = optionalID(&row, "org_unit", label: "org_unit")
        let active = text(&row, "active").flatMap { check(&row, "active", FieldRules.active($0)) } ?? true
        guard let id else { return }
        var record: UserRecord?
        if row.isComplete, let name {
            record = UserRecord(
                id: id,
                name: name,
                roles: roles,
                classID: classID,
                orgUnitID: orgUnitID,
                active: active
            )
        }
        draft.users.append(DirectoryDraft.Entry(id: id, record: record, position: row.position))
    }

    private mutating func decodeOrgUnit(_ row: inout Row) {
        let id = id(&row, "id", label: "id")
        let kind = text(&row, "kind").flatMap { check(&row, "kind", FieldRules.kind($0, lenient: true)) }
        let name = name(&row, "name")
        let parentID = optionalID(&row, "parent", label: "parent")
        var counselors: [UserID] = []
        if let cell = text(&row, "counselors") {
            for item in FieldRules.listItems(cell) {
                let counselor = FieldRules.id(item, label: "counselor", maxBytes: limits.maxIDBytes)
                if let counselor = check(&row, "counselors", counselor) { counselors.append(counselor) }
            }
        }
        guard let id else { return }
        var record: OrgUnitRecord?
        if row.isComplete, let kind, let name {
            record = OrgUnitRecord(id: id, kind: kind, name: name, parentID: parentID, counselors: counselors)
        }
        draft.orgUnits.append(DirectoryDraft.Entry(id: id, record: record, position: row.position))
    }

    private mutating func decodeCourseRow(_ row: inout Row) {
        let courseID = id(&row, "course_id", label: "course_id")
        let courseName = name(&row, "course_name")
        let userID = id(&row, "user_id", label: "user_id")
        let role = text(&row, "role").flatMap { check(&row, "role", FieldRules.rosterRole($0)) }
        guard let courseID else { return }
        courses.add(
            courseID: courseID,
            name: courseName,
            member: userID.flatMap { user in role.map { (user, $0) } },
            isComplete: row.isComplete,
            at: row.position,
            problems: problems
        )
    }

    // MARK: Cells

    /// The cell of `column`, or `nil` if the file has no such column or the cell is over the field limit.
    private func text(_ row: inout Row, _ column: String) -> String? {
        guard let index = columns.index[column] else { return nil }
        let cell = row.record.fields[index]
        let length = cell.utf8.count
        guard length <= limits.maxFieldBytes else {
            report(&row, column, FieldRules.tooLong(column, cell, length: length, maxBytes: limits.maxFieldBytes))
            return nil
        }
        return cell
    }

    private func id(_ row: inout Row, _ column: String, label: String) -> String? {
        guard let cell = text(&row, column) else { return nil }
        return check(&row, column, FieldRules.id(cell, label: label, maxBytes: limits.maxIDBytes))
    }

    /// An optional id column: an empty cell means none.
    private func optionalID(_ row: inout Row, _ column: String, label: String) -> String? {
        guard let cell = text(&row, column), !cell.isEmpty else { return nil }
        return check(&row, column, FieldRules.id(cell, label: label, maxBytes: limits.maxIDBytes))
    }

    private func name(_ row: inout Row, _ column: String) -> String? {
        guard let cell = text(&row, column) else { return nil }
        return check(&row, column, FieldRules.name(cell, label: column, maxBytes: limits.maxNameBytes))
    }

    private func check<Value>(_ row: inout Row, _ column: String, _ result: Result<Value, FieldIssue>) -> Value? {
        switch result {
        case .success(let value):
            return value
        case .failure(let issue):
            report(&row, column, issue)
            return nil
        }
    }

    private func report(_ row: inout Row, _ column: String, _ issue: FieldIssue) {
        row.isComplete = false
        problems.report(issue.code, at: row.position, field: column, issue.text)
    }

    private struct Row {
        var record: CSVReader.Record
        var position: SourcePosition
        var isComplete = true
    }
}
