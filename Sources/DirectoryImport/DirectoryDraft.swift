import Hub

/// Decoded records with the place each came from, for the checks that span records (``DirectoryValidator``)
/// and for messages that name both places of a duplicate.
struct DirectoryDraft {
    /// One record. `record` is `nil` when the record had problems of its own: its id still takes part in the
    /// duplicate check, so that one run reports as much as possible, but nothing else looks at it.
    struct Entry<Record> {
        var id: String
        var record: Record?
        var position: SourcePosition
        /// Where each user of a course roster is listed (JSON element or CSV row), for course entries.
        var memberPositions: [UserID: SourcePosition] = [:]
    }

    var orgUnits: [Entry<OrgUnitRecord>] = []
    var users: [Entry<UserRecord>] = []
    var courses: [Entry<CourseRecord>] = []

    /// Adds the entries of `other` after this draft's own.
    mutating func append(contentsOf other: DirectoryDraft) {
        orgUnits += other.orgUnits
        users += other.users
        courses += other.courses
    }

    /// The records, in file order. Only meaningful when no problem was reported, as then every entry is complete.
    var directory: Directory {
        Directory(
            orgUnits: orgUnits.compactMap(\.record),
            users: users.compactMap(\.record),
            courses: courses.compactMap(\.record)
        )
    }
}
