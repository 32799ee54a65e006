import Hub

/// Collects the rows of a long-format course roster file (one row per person) into one course each, checking
/// that the rows of a course agree on its name and that nobody is both its teacher and its student.
struct CourseRosterBuilder {
    private struct Course {
        var id: String
        var name: String?
        var namePosition: SourcePosition?
        var position: SourcePosition
        var isComplete = true
        var teachers: [UserID] = []
        var students: [UserID] = []
        var roles: [UserID: (role: SchoolRole, position: SourcePosition)] = [:]
    }

    private var courses: [Course] = []
    private var indexByID: [String: Int] = [:]

    /// Adds one row. `name` and `member` are `nil` when their cells had problems (already reported), and
    /// `isComplete` is false when any cell of the row had one.
    mutating func add(
        courseID: String,
        name: String?,
        member: (user: UserID, role: SchoolRole)?,
        isComplete: Bool,
        at position: SourcePosition,
        problems: ProblemCollector
    ) {
        let index: Int
        if let existing = indexByID[courseID] {
            index = existing
        } else {
            index = courses.count
            indexByID[courseID] = index
            courses.append(Course(id: courseID, position: position))
        }
        courses[index].isComplete = courses[index].isComplete && isComplete
        if let name {
            if let known = courses[index].name, let namedAt = courses[index].namePosition {
                if known != name {
                    courses[index].isComplete = false
                    problems.report(
                        DirectoryImportError.Code.invalidValue,
                        at: position,
                        field: "course_name",
                        "course \(MessageText.quoted(courseID)) is named \(MessageText.quoted(known)) on "
                            + "\(namedAt.reference(from: position)) but \(MessageText.quoted(name)) here; every row "
                            + "of a course must have the same course_name."
                    )
                }
            } else {
                courses[index].name = name
                courses[index].namePosition = position
            }
        }
        guard let member else { return }
        if let earlier = courses[index].roles[member.user] {
            // The same person twice in the same role is a harmless repeat; in two roles it is a contradiction.
            if earlier.role != member.role {
                courses[index].isComplete = false
                problems.report(
                    DirectoryImportError.Code.invalidValue,
                    at: position,
                    field: "role",
                    "user \(MessageText.quoted(member.user)) is listed as a \(earlier.role.rawValue) of course "
                        + "\(MessageText.quoted(courseID)) on \(earlier.position.reference(from: position)) and as a "
                        + "\(member.role.rawValue) here; a person is either a teacher or a student of a course."
                )
            }
            return
        }
        courses[index].roles[member.user] = (member.role, position)
        if member.role == .teacher {
            courses[index].teachers.append(member.user)
        } else {
            courses[index].students.append(member.user)
        }
    }

    /// The courses in the order of their first row, each positioned at that row.
    func entries() -> [DirectoryDraft.Entry<CourseRecord>] {
        courses.map { course in
            var record: CourseRecord?
            if course.isComplete, let name = course.name {
                record = CourseRecord(id: course.id, name: name, teachers: course.teachers, students: course.students)
            }
            return DirectoryDraft.Entry(
                id: course.id,
                record: record,
                position: course.position,
                memberPositions: course.roles.mapValues(\.position)
            )
        }
    }
}
