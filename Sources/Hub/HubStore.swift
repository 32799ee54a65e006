/// What the hub needs from durable storage. SQLite implements it now; PostgreSQL can later.
///
/// Writes come as ordered batches applied in one transaction each (group commit: the hub keeps one batch in
/// flight and collects the next meanwhile). The store assigns message seqs inside the transaction, so seqs are
/// dense per group by construction, and it enforces the (sender, clientMsgID) uniqueness that makes sends
/// idempotent. Completions may be called on any thread.
public protocol HubStore: NewsStore {
    /// Everything the hub keeps in memory, read once at start-up, with the newest `recentPerGroup` messages of
    /// every group and the records open or closed after `recordsClosedAfter`.
    func loadSnapshot(recentPerGroup: Int, recordsClosedAfter: Timestamp) throws(StoreError) -> HubSnapshot

    /// Applies `batch` atomically. On success, `outcomes` has one entry per `.appendMessage` op, in order.
    /// On failure nothing of the batch is stored.
    func commit(_ batch: [WriteOp], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void)

    /// Reads messages, one result list per query, each in ascending seq order.
    func readMessages(
        _ queries: [MessageQuery],
        completion: @escaping @Sendable (Result<[[StoredMessage]], StoreError>) -> Void
    )

    /// Applies a retention plan: expires messages (content and sender removed, the seq kept), deletes records
    /// closed before the plan's cutoff with their entries, withdraws shares of objects nothing live refers to any
    /// more and deletes objects left without shares. Works in small transactions between commits, so sends are
    /// never held up for long. Idempotent: a run cut short is finished by the next one.
    func purge(_ plan: PurgePlan, completion: @escaping @Sendable (Result<PurgeReport, StoreError>) -> Void)

    /// Reads one record with all its entries (records older than the snapshot's window are not in memory).
    func readRecord(
        _ kind: RecordKind,
        id: Int64,
        completion: @escaping @Sendable (Result<RecordWithEntries?, StoreError>) -> Void
    )
}

/// One change in a write batch.
public enum WriteOp: Sendable, Equatable {
    /// Appends with seq = the group's last seq + 1, unless (sender, clientMsgID) exists: then nothing is written
    /// and the outcome names the original.
    case appendMessage(NewMessage)
    /// Clears the body of a message and marks it recalled.
    case recallMessage(GroupID, seq: Int64)
    case upsertGroup(GroupRecord)
    case upsertMember(GroupID, MemberRecord)
    case removeMember(GroupID, UserID)
    /// Coalesced read cursors (only the newest per member is written).
    case setReadSeq(GroupID, UserID, Int64)
    case upsertUser(UserRecord)
    case upsertOrgUnit(OrgUnitRecord)
    case upsertCourse(CourseRecord)
    case upsertObject(ObjectRecord)
    /// Records that an object was shared in a group (its members may download it).
    case shareObject(String, GroupID)
    /// Withdraws a share (the message that shared it was recalled).
    case unshareObject(String, GroupID)
    case upsertRecord(ServiceRecord)
    case upsertEntry(RecordEntry)
    case upsertJob(JobRecord)
    case deleteJob(Int64)
    /// Appends to the audit log; the store chains it to the previous entry.
    case appendAudit(AuditEntry)
    /// Creates or replaces a news-center document.
    case putNewsDoc(NewsDoc)
    case deleteNewsDoc(NewsDocKind, String)
    /// Creates or replaces an article (and its search entry); a nil content keeps the stored body.
    case upsertArticle(ArticleRecord)
    /// Marks the article read by the user; `view` also counts one view (opening it, not "mark all read").
    case recordArticleView(article: Int64, user: UserID, at: Timestamp, view: Bool)
    /// Creates or replaces a community-services document (a request, a service's settings).
    case putCommunityDoc(CommunityDoc)
    /// An item's stock; the store refuses a batch that leaves less stock than is held.
    case setStock(item: String, stock: Int64)
    /// Holds (or, negative, gives back) units of an item; the store refuses a batch that holds more than the stock
    /// or less than nothing — a second line behind the hub's own check.
    case holdStock(item: String, delta: Int64)
    /// Holds a venue's slot for a booking; the store refuses a batch that holds two overlapping slots of one venue.
    case holdSlot(venue: String, booking: Int64, start: Timestamp, end: Timestamp)
    case releaseSlot(venue: String, booking: Int64)
}

/// What happened to one `.appendMessage`.
public enum AppendOutcome: Sendable, Equatable {
    case appended(seq: Int64)
    /// The (sender, clientMsgID) was already stored: the original's group, seq and time.
    case duplicate(group: GroupID, seq: Int64, createdAt: Timestamp)
}

/// Messages of one group, ascending: with `after`, the first `limit` with seq > after (and < `before` if given);
/// with only `before`, the `limit` newest with seq < before; with neither, the newest `limit`.
public struct MessageQuery: Sendable, Equatable {
    public var group: GroupID
    public var after: Int64?
    public var before: Int64?
    public var limit: Int

    public init(group: GroupID, after: Int64? = nil, before: Int64? = nil, limit: Int) {
        self.group = group
        self.after = after
        self.before = before
        self.limit = limit
    }
}

/// The state loaded at start-up.
public struct HubSnapshot: Sendable, Equatable {
    public var users: [UserRecord]
    public var orgUnits: [OrgUnitRecord]
    public var courses: [CourseRecord]
    public var groups: [GroupSnapshot]
    public var objects: [ObjectRecord]
    /// (object id, group) pairs.
    public var shares: [ObjectShare]
    /// Records open or closed within the window asked for, each with its entries.
    public var records: [RecordWithEntries]
    public var jobs: [JobRecord]
    /// Highest record id per kind ever used (ids are never reused, even for records outside the window).
    public var lastRecordIDs: [RecordKind: Int64]
    public var lastJobID: Int64
    public var news: NewsSnapshot
    public var community: [CommunityDoc]

    public init(
        users: [UserRecord] = [],
        orgUnits: [OrgUnitRecord] = [],
        courses: [CourseRecord] = [],
        groups: [GroupSnapshot] = [],
        objects: [ObjectRecord] = [],
        shares: [ObjectShare] = [],
        records: [RecordWithEntries] = [],
        jobs: [JobRecord] = [],
        lastRecordIDs: [RecordKind: Int64] = [:],
        lastJobID: Int64 = 0,
        news: NewsSnapshot = NewsSnapshot(),
        community: [CommunityDoc] = []
    ) {
        self.users = users
        self.orgUnits = orgUnits
        self.courses = courses
        self.groups = groups
        self.objects = objects
        self.shares = shares
        self.records = records
        self.jobs = jobs
        self.lastRecordIDs = lastRecordIDs
        self.lastJobID = lastJobID
        self.news = news
        self.community = community
    }
}

/// An object shared in a group.
public struct ObjectShare: Sendable, Hashable {
    public var object: String
    public var group: GroupID

    public init(object: String, group: GroupID) {
        self.object = object
        self.group = group
    }
}

/// A record with all its entries.
public struct RecordWithEntries: Sendable, Equatable {
    public var record: ServiceRecord
    public var entries: [RecordEntry]

    public init(record: ServiceRecord, entries: [RecordEntry]) {
        self.record = record
        self.entries = entries
    }
}

/// One group at start-up: its record, members, last seq and its newest messages (for conversation lists and
/// quick resumes).
public struct GroupSnapshot: Sendable, Equatable {
    public var record: GroupRecord
    public var members: [MemberRecord]
    public var lastSeq: Int64
    /// Up to the newest `recentLimit` messages the store was asked for, ascending.
    public var recent: [StoredMessage]

    public init(record: GroupRecord, members: [MemberRecord], lastSeq: Int64, recent: [StoredMessage]) {
        self.record = record
        self.members = members
        self.lastSeq = lastSeq
        self.recent = recent
    }
}

/// A storage failure. Nothing of the failed operation was applied.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Disk full, database locked past the busy timeout, I/O error: retry later.
        case unavailable
        /// The data directory holds a schema newer than this build.
        case schemaTooNew
        /// Anything else (corruption, a bug).
        case failed
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

extension HubStore {
    /// The snapshot with every record, however old.
    public func loadSnapshot(recentPerGroup: Int) throws(StoreError) -> HubSnapshot {
        try loadSnapshot(recentPerGroup: recentPerGroup, recordsClosedAfter: .min)
    }
}
