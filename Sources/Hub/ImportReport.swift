/// What a directory import changed. Re-importing the same data reports only `unchanged` counts.
public struct ImportReport: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0

        public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0) {
            self.created = created
            self.updated = updated
            self.unchanged = unchanged
        }
    }

    public var orgUnits = Counts()
    public var users = Counts()
    public var courses = Counts()
    public var groupsCreated = 0
    public var groupsRenamed = 0
    public var membersAdded = 0
    public var membersRemoved = 0
    public var adminsSet = 0
    public var usersDeactivated = 0
    /// Frozen or dissolved groups whose membership was left as it is.
    public var groupsSkipped = 0
    /// References to users the directory does not know (yet), e.g. a counselor not imported.
    public var unknownUsers: [UserID] = []

    public init() {}

    /// Whether the import changed anything.
    public var changedAnything: Bool {
        orgUnits.created + orgUnits.updated + users.created + users.updated + courses.created + courses.updated
            + groupsCreated + groupsRenamed + membersAdded + membersRemoved + adminsSet + usersDeactivated > 0
    }
}
