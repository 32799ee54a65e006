/// A role a person has in the school. A person may have several (a teacher who is also a counselor).
public enum SchoolRole: String, Sendable, CaseIterable, Comparable {
    case student
    case counselor  // 辅导员
    case teacher
    case staff
    case admin  // school administrator: manages the directory and may act on any group

    public static func < (a: SchoolRole, b: SchoolRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A person in the school directory.
public struct UserRecord: Sendable, Equatable {
    public var id: UserID
    public var name: String
    /// Sorted, without duplicates.
    public var roles: [SchoolRole]
    /// For students: their class (an org unit of kind `class`).
    public var classID: String?
    /// For staff: the college or department they belong to.
    public var orgUnitID: String?
    /// Inactive users (graduated, left) cannot connect and are in no directory-managed group.
    public var active: Bool

    public init(
        id: UserID,
        name: String,
        roles: [SchoolRole],
        classID: String? = nil,
        orgUnitID: String? = nil,
        active: Bool = true
    ) {
        self.id = id
        self.name = name
        self.roles = Array(Set(roles)).sorted()
        self.classID = classID
        self.orgUnitID = orgUnitID
        self.active = active
    }
}

/// A level of the school's organisation: school → college (学院) → major → class (班级); departments beside.
public enum OrgUnitKind: String, Sendable, CaseIterable {
    case school
    case college
    case major
    case `class`
    case department
}

/// A unit of the organisation.
public struct OrgUnitRecord: Sendable, Equatable {
    public var id: String
    public var kind: OrgUnitKind
    public var name: String
    public var parentID: String?
    /// For classes: the counselors (辅导员), who administer the class group. Sorted.
    public var counselors: [UserID]

    public init(id: String, kind: OrgUnitKind, name: String, parentID: String? = nil, counselors: [UserID] = []) {
        self.id = id
        self.kind = kind
        self.name = name
        self.parentID = parentID
        self.counselors = Array(Set(counselors)).sorted()
    }
}

/// A course (one teaching class of a term) and its roster.
public struct CourseRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// In the order given, without duplicates: the first teacher owns the course group, the others administer it.
    public var teachers: [UserID]
    /// Sorted.
    public var students: [UserID]

    public init(id: String, name: String, teachers: [UserID], students: [UserID]) {
        self.id = id
        self.name = name
        var seen: Set<UserID> = []
        self.teachers = teachers.filter { seen.insert($0).inserted }
        self.students = Array(Set(students)).sorted()
    }
}

/// A directory import: what the school's systems say, all or part of it.
///
/// Semantics (see Protocol/README.md "Directory import"): records are upserted by id; a user with
/// `active: false` is deactivated; a course's roster is replaced by the imported one; students' class groups
/// follow their `classID`. Records not mentioned are left alone, so partial imports are safe.
public struct Directory: Sendable, Equatable {
    public var orgUnits: [OrgUnitRecord]
    public var users: [UserRecord]
    public var courses: [CourseRecord]

    public init(orgUnits: [OrgUnitRecord] = [], users: [UserRecord] = [], courses: [CourseRecord] = []) {
        self.orgUnits = orgUnits
        self.users = users
        self.courses = courses
    }
}
