import Dispatch
import JSON

/// The connection hub: groups, members, messages, receipts. No sockets, no SQL.
///
/// All state lives on `queue`; every public method must be called there (the gateway does
/// `hub.queue.async { hub.handle(…) }`). Writes go to the store in batches, one in flight at a time (group commit);
/// a command's effects reach clients only after its batch is durable. Output goes through `HubOutput`.
public final class Hub: @unchecked Sendable {
    public let queue = DispatchQueue(label: "yizhan.hub", qos: .userInitiated)
    let store: HubStore
    let output: HubOutput
    let configuration: HubConfiguration
    /// Event loops in the gateway (fan-out groups recipients per loop).
    let loops: Int
    /// Wall-clock milliseconds.
    let clock: @Sendable () -> Timestamp

    var users: [UserID: UserRecord] = [:]
    var orgUnits: [String: OrgUnitRecord] = [:]
    var courses: [String: CourseRecord] = [:]
    var groups: [GroupID: Group] = [:]
    var groupByExternalKey: [String: GroupID] = [:]
    var groupsOfUser: [UserID: Set<GroupID>] = [:]
    var sessionsOfUser: [UserID: [UInt64: Session]] = [:]
    var nextGroupID: Int64 = 1
    /// Newest acks by (sender, clientMsgId), so a retry after a lost ack is answered at once (Hub+Send.swift).
    var recentAcks: [String: (group: GroupID, seq: Int64, ts: Timestamp)] = [:]
    /// Token buckets of users who acted recently (Hub+RateLimits.swift).
    var rateBuckets: [UserID: UserBuckets] = [:]
    var lastRateSweep: Timestamp = 0

    // Retention (Hub+Retention.swift).
    /// Local dates for the daily purge; nil = no automatic purge (tests run it by hand).
    public var calendar: LocalCalendar?
    var lastPurgeDay: Int64?
    var purgeInFlight = false
    /// Shares written while a purge runs (nil when none runs), so the purge's report does not undo them.
    var sharesDuringPurge: Set<ObjectShare>?

    /// Told about commits and jobs (metrics). Set before use; read on the hub queue.
    public var observer: (any HubObserver)?
    /// False after a batch failed to commit, true again after one succeeds (readiness).
    public internal(set) var storageHealthy = true

    // Write pipeline (Hub+Commit.swift).
    var pendingUnits: [WriteUnit] = []
    var commitInFlight = false
    var dirtyReadSeqs: [GroupID: [UserID: Int64]] = [:]

    // Group services (Services/).
    var cards: [Int64: Card] = [:]
    var tasks: [Int64: ClassTask] = [:]
    var groupFiles: [Int64: GroupFile] = [:]
    var objects: [String: ObjectRecord] = [:]
    var objectGroups: [String: Set<GroupID>] = [:]
    /// (publisher, clientMsgId) of cards and tasks, so a retried publish returns the original.
    var publishedByClientID: [String: Int64] = [:]
    var lastRecordIDs: [RecordKind: Int64] = [:]
    var jobs = DueQueue<JobRecord>()
    var lastJobID: Int64 = 0
    var statsDirty: Set<Int64> = []
    var progressDirty: Set<Int64> = []

    // News center (News/).
    let news = NewsState()
    /// Sends news webhooks (set by the gateway when a webhook URL is configured).
    public var webhookSender: WebhookSender?
    // Community services (Community/).
    let community = CommunityState()

    // Timers (Hub+Timers.swift).
    var muteExpiries = DueQueue<(until: Timestamp, group: GroupID, user: UserID)>()
    var receiptGroups: Set<GroupID> = []
    var lastReceiptFlush: Timestamp = 0

    public init(
        snapshot: HubSnapshot,
        store: HubStore,
        output: HubOutput,
        configuration: HubConfiguration = HubConfiguration(),
        loops: Int,
        clock: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.output = output
        self.configuration = configuration
        self.loops = max(1, loops)
        self.clock = clock
        for user in snapshot.users { users[user.id] = user }
        for unit in snapshot.orgUnits { orgUnits[unit.id] = unit }
        for course in snapshot.courses { courses[course.id] = course }
        for loaded in snapshot.groups {
            let group = Group(
                record: loaded.record,
                members: loaded.members,
                lastSeq: loaded.lastSeq,
                recentCapacity: configuration.recentMessages
            )
            for message in loaded.recent {
                group.recent.append(Self.entry(for: message))
            }
            register(group)
            for member in loaded.members {
                if let until = member.mutedUntil { muteExpiries.insert(until, group.id, member.user) }
            }
            nextGroupID = max(nextGroupID, loaded.record.id.rawValue + 1)
        }
        loadServices(snapshot)
        loadNews(snapshot.news)
        loadCommunity(snapshot.community)
    }

    func register(_ group: Group) {
        groups[group.id] = group
        if let key = group.record.externalKey { groupByExternalKey[key] = group.id }
        for user in group.members.keys { groupsOfUser[user, default: []].insert(group.id) }
    }

    static func entry(for message: StoredMessage) -> RecentMessages.Entry {
        RecentMessages.Entry(
            seq: message.seq,
            sender: message.message.sender,
            kind: message.message.kind,
            createdAt: message.message.createdAt,
            expired: message.expired,
            encoded: Wire.messageObject(message)
        )
    }

    // MARK: Sessions

    /// A client connected. Refused (closed) when the user is unknown or deactivated.
    public func connect(_ session: Session) {
        guard let user = users[session.user], user.active else {
            output.close(session, code: CloseCodes.unknownUser, reason: "unknown or inactive user")
            return
        }
        session.connected = true
        sessionsOfUser[session.user, default: [:]][session.id] = session
    }

    /// A client disconnected.
    public func disconnect(_ session: Session) {
        guard session.connected else { return }
        session.connected = false
        for id in session.live { groups[id]?.removeLive(session) }
        sessionsOfUser[session.user]?[session.id] = nil
        if sessionsOfUser[session.user]?.isEmpty == true { sessionsOfUser[session.user] = nil }
    }

    /// Sends `payload` to every session of `user`, except `excluding`.
    func sendToUser(_ user: UserID, _ payload: [UInt8], excluding: Session? = nil) {
        guard let sessions = sessionsOfUser[user] else { return }
        for session in sessions.values where session !== excluding { output.send(payload, to: session) }
    }

    // MARK: Commands

    /// Handles one request from `session`. The reply comes later for commands that write.
    public func handle(_ request: Request, from session: Session) {
        guard session.connected else { return }
        do throws(HubError) {
            try dispatch(request, from: session)
        } catch {
            output.send(Wire.error(error, id: request.id), to: session)
        }
    }

    private func dispatch(_ request: Request, from session: Session) throws(HubError) {
        let id = request.id
        try checkRate(request.command, user: session.user)
        switch request.command {
        case .ping:
            output.send(
                Wire.reply(id) {
                    $0.key("ts")
                    $0.int(clock())
                },
                to: session
            )
        case .sync(let cursors, let limit):
            try sync(cursors, limit: limit, id: id, session: session)
        case .history(let group, let before, let limit):
            try history(group, before: before, limit: limit, id: id, session: session)
        case .conversations:
            conversations(id: id, session: session)
        case .send(let command):
            try send(command, id: id, session: session)
        case .recall(let group, let seq):
            try recall(group, seq: seq, id: id, session: session)
        case .read(let group, let seq):
            try markRead(group, seq: seq, id: id, session: session)
        case .receipts(let group, let seq):
            try receipts(group, seq: seq, id: id, session: session)
        case .groupInfo(let group):
            try groupInfo(group, id: id, session: session)
        case .groupCreate(let name, let members):
            try createOfficeGroup(name: name, members: members, id: id, session: session)
        case .groupRename(let group, let name):
            try rename(group, name: name, id: id, session: session)
        case .groupAddMembers(let group, let users):
            try addMembers(group, users: users, id: id, session: session)
        case .groupRemoveMembers(let group, let users):
            try removeMembers(group, users: users, id: id, session: session)
        case .groupLeave(let group):
            try leave(group, id: id, session: session)
        case .groupSetAdmin(let group, let user, let admin):
            try setAdmin(group, user: user, admin: admin, id: id, session: session)
        case .groupTransferOwner(let group, let user):
            try transferOwner(group, to: user, id: id, session: session)
        case .groupMuteAll(let group, let muted):
            try muteAll(group, muted: muted, id: id, session: session)
        case .groupMuteMember(let group, let user, let until):
            try muteMember(group, user: user, until: until, id: id, session: session)
        case .groupFreeze(let group, let frozen):
            try freeze(group, frozen: frozen, id: id, session: session)
        case .groupDissolve(let group):
            try dissolve(group, id: id, session: session)
        case .groupSettings(let group, let allowMemberCards):
            try settings(group, allowMemberCards: allowMemberCards, id: id, session: session)
        case .cardPublish(let group, let clientMsgID, let card):
            try publishCard(group, clientMsgID: clientMsgID, definition: card, id: id, session: session)
        case .cardGet(let card):
            try withCard(card, id: id, session: session) { self.describeCard($0, id: id, session: session) }
        case .cardRespond(let card, let response):
            try respond(to: card, response: response, id: id, session: session)
        case .cardStats(let card):
            try withCard(card, id: id, session: session) { (card) throws(HubError) in
                try self.cardStats(card, id: id, session: session)
            }
        case .cardClose(let card):
            try closeCard(card, id: id, session: session)
        case .taskPublish(let group, let clientMsgID, let task):
            try publishTask(group, clientMsgID: clientMsgID, definition: task, id: id, session: session)
        case .taskGet(let task):
            try withTask(task, id: id, session: session) { self.describeTask($0, id: id, session: session) }
        case .taskComplete(let task, let note, let attachment):
            try setTaskState(task, .done, note: note, attachment: attachment, id: id, session: session)
        case .taskUndo(let task):
            try setTaskState(task, .todo, note: nil, attachment: nil, id: id, session: session)
        case .taskExcuse(let task, let user, let excused):
            try excuse(task, user: user, excused: excused, id: id, session: session)
        case .taskProgress(let task):
            try withTask(task, id: id, session: session) { (task) throws(HubError) in
                try self.taskProgress(task, id: id, session: session)
            }
        case .taskRemind(let task):
            try remind(task, id: id, session: session)
        case .fileList(let group):
            try listFiles(group, id: id, session: session)
        case .fileAdd(let group, let object, let name):
            try addFile(group, object: object, name: name, id: id, session: session)
        case .fileRename(let file, let name):
            try renameFile(file, name: name, id: id, session: session)
        case .fileDelete(let file):
            try deleteFile(file, id: id, session: session)
        }
    }

    /// The id of a directory group (`class:<id>`, `course:<id>`). Must be called on the hub queue.
    public func groupID(forExternalKey key: String) -> GroupID? {
        groupByExternalKey[key]
    }

    /// The group, if it exists (dissolved groups exist, read-only).
    func group(_ id: GroupID) throws(HubError) -> Group {
        guard let group = groups[id] else { throw .groupNotFound }
        return group
    }

    /// The group and the caller's membership; school admins may act on any group without being members.
    func groupForMember(_ id: GroupID, _ session: Session) throws(HubError) -> (Group, MemberRecord?) {
        let group = try group(id)
        if let member = group.members[session.user] { return (group, member) }
        if session.roles.contains(.admin) { return (group, nil) }
        throw .notMember
    }
}

/// WebSocket close codes the hub asks for (Protocol/close-codes.json).
public enum CloseCodes {
    /// The token's user is not in the directory or has been deactivated. Do not reconnect with this token.
    public static let unknownUser: UInt16 = 4403
    /// The access token expired on a live connection. Get a new token, then reconnect and resume.
    public static let tokenExpired: UInt16 = 4401
    /// The connection kept sending requests after being told `rate_limited`. Reconnect after a pause.
    public static let tooManyRequests: UInt16 = 4429
}

/// Receives the hub's operational events, on the hub queue.
public protocol HubObserver: AnyObject, Sendable {
    func batchCommitted(operations: Int, seconds: Double)
    func batchFailed(operations: Int)
    func jobRan(lateBySeconds: Double)
    /// A retention purge ended (its report lists the files the gateway should delete).
    func purgeFinished(_ result: Result<PurgeReport, StoreError>)
}
