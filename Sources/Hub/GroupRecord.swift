/// What a group is for.
public enum GroupKind: String, Sendable, CaseIterable {
    /// 班级群: one per class, generated from the directory; counselors administer it.
    case `class`
    /// 课程群: one per course, generated from its roster; the teacher owns it.
    case course
    /// 办公群: created by staff.
    case office
    /// A person's own notification stream (task reminders, app messages): one per user, created on first use,
    /// read-only for its owner. Synced and read like any group.
    case inbox
}

/// A group's durable state (everything but members and messages).
public struct GroupRecord: Sendable, Equatable {
    public var id: GroupID
    public var kind: GroupKind
    public var name: String
    /// `class:<classID>` or `course:<courseID>` for directory-managed groups; nil for office groups.
    public var externalKey: String?
    public var owner: UserID?
    /// Only the owner and admins may post.
    public var muteAll: Bool
    /// Read-only: no posts, no membership or setting changes; history stays readable.
    public var frozen: Bool
    public var dissolved: Bool
    public var createdAt: Timestamp
    /// Members (not only owner and admins) may publish cards and tasks.
    public var allowMemberCards: Bool

    public init(
        id: GroupID,
        kind: GroupKind,
        name: String,
        externalKey: String? = nil,
        owner: UserID? = nil,
        muteAll: Bool = false,
        frozen: Bool = false,
        dissolved: Bool = false,
        createdAt: Timestamp,
        allowMemberCards: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.externalKey = externalKey
        self.owner = owner
        self.muteAll = muteAll
        self.frozen = frozen
        self.dissolved = dissolved
        self.createdAt = createdAt
        self.allowMemberCards = allowMemberCards
    }
}

/// A member's role in one group.
public enum MemberRole: String, Sendable, CaseIterable {
    case owner
    case admin
    case member
}

/// Where a membership comes from: the directory keeps `directory` memberships in sync on every import and never
/// touches `manual` ones.
public enum MembershipSource: String, Sendable {
    case directory
    case manual
}

/// One member of one group.
public struct MemberRecord: Sendable, Equatable {
    public var user: UserID
    public var role: MemberRole
    public var source: MembershipSource
    /// The group's head seq when the user joined: they see messages after it.
    public var joinedSeq: Int64
    /// The member may not post before this time (ms since 1970); nil = not muted.
    public var mutedUntil: Timestamp?
    /// The member has read everything up to this seq.
    public var readSeq: Int64

    public init(
        user: UserID,
        role: MemberRole,
        source: MembershipSource,
        joinedSeq: Int64,
        mutedUntil: Timestamp? = nil,
        readSeq: Int64
    ) {
        self.user = user
        self.role = role
        self.source = source
        self.joinedSeq = joinedSeq
        self.mutedUntil = mutedUntil
        self.readSeq = readSeq
    }
}
