import Dispatch
import JSON

/// A `HubStore` in memory: the reference semantics of the store contract, for hub tests. Completions run on its
/// own queue, like a real store's. `failNextCommits` makes commits fail, for failure-path tests.
public final class MemoryStore: HubStore, @unchecked Sendable {
    let queue = DispatchQueue(label: "yizhan.memory-store")
    var news = MemoryNewsTables()
    private var users: [UserID: UserRecord] = [:]
    private var orgUnits: [String: OrgUnitRecord] = [:]
    private var courses: [String: CourseRecord] = [:]
    private var groups: [GroupID: GroupRecord] = [:]
    private var members: [GroupID: [UserID: MemberRecord]] = [:]
    private var messages: [GroupID: [StoredMessage]] = [:]
    private var clientIDs: [String: (GroupID, Int64, Timestamp)] = [:]
    private var objects: [String: ObjectRecord] = [:]
    private var shares: Set<String> = []
    private var records: [String: ServiceRecord] = [:]
    private var entries: [String: [UserID: RecordEntry]] = [:]
    private var jobs: [Int64: JobRecord] = [:]
    /// The highest job id ever stored (ids are not reused after a job's deletion).
    private var jobHighWater: Int64 = 0
    private var lastRecordIDs: [RecordKind: Int64] = [:]
    private var auditEntries: [AuditEntry] = []
    /// Commits to fail before succeeding again.
    public var failNextCommits = 0
    /// Every batch committed, in order (for assertions).
    public private(set) var committedBatches: [[WriteOp]] = []

    public init() {}

    private static func key(_ kind: RecordKind, _ id: Int64) -> String { "\(kind.rawValue):\(id)" }

    public func loadSnapshot(recentPerGroup: Int, recordsClosedAfter: Timestamp) throws(StoreError) -> HubSnapshot {
        queue.sync { makeSnapshot(recentPerGroup: recentPerGroup, recordsClosedAfter: recordsClosedAfter) }
    }

    private func makeSnapshot(recentPerGroup: Int, recordsClosedAfter: Timestamp) -> HubSnapshot {
        do {
            let shares: [ObjectShare] = self.shares.sorted().map { share in
                let parts = share.split(separator: "\u{0}")
                return ObjectShare(object: String(parts[0]), group: GroupID(Int64(parts[1])!))
            }
            var records: [RecordWithEntries] = []
            let openRecords = self.records.values.filter { ($0.closedAt ?? Int64.max) > recordsClosedAfter }
            for record in openRecords.sorted(by: { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) }) {
                let list = (entries[Self.key(record.kind, record.id)] ?? [:]).values.sorted { $0.user < $1.user }
                records.append(RecordWithEntries(record: record, entries: list))
            }
            return HubSnapshot(
                users: Array(users.values),
                orgUnits: Array(orgUnits.values),
                courses: Array(courses.values),
                groups: groups.values.sorted { $0.id < $1.id }.map { record in
                    let list = messages[record.id] ?? []
                    return GroupSnapshot(
                        record: record,
                        members: Array((members[record.id] ?? [:]).values),
                        lastSeq: list.last?.seq ?? 0,
                        recent: Array(list.suffix(recentPerGroup))
                    )
                },
                objects: objects.values.sorted { $0.id < $1.id },
                shares: shares,
                records: records,
                jobs: jobs.values.sorted { $0.id < $1.id },
                lastRecordIDs: lastRecordIDs,
                lastJobID: jobHighWater,
                news: news.snapshot,
                community: news.community.values.sorted { ($0.kind, $0.id) < ($1.kind, $1.id) }
            )
        }
    }

    public func commit(
        _ batch: [WriteOp],
        completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void
    ) {
        queue.async { [self] in
            if failNextCommits > 0 {
                failNextCommits -= 1
                return completion(.failure(StoreError(.unavailable, "injected failure")))
            }
            // Apply to copies; publish only if the whole batch succeeds.
            var (users, orgUnits, courses, groups, members, messages, clientIDs) =
                (self.users, self.orgUnits, self.courses, self.groups, self.members, self.messages, self.clientIDs)
            var (objects, shares, records, entries, jobs, lastRecordIDs) =
                (self.objects, self.shares, self.records, self.entries, self.jobs, self.lastRecordIDs)
            var outcomes: [AppendOutcome] = []
            var audited: [AuditEntry] = []
            var news = self.news
            var highWater = jobHighWater
            for op in batch {
                switch op {
                case .appendMessage(let message):
                    guard groups[message.group] != nil else {
                        return completion(.failure(StoreError(.failed, "message for unknown group \(message.group)")))
                    }
                    if let sender = message.sender, let clientID = message.clientMsgID,
                        let original = clientIDs[sender + "\u{0}" + clientID]
                    {
                        outcomes.append(.duplicate(group: original.0, seq: original.1, createdAt: original.2))
                        continue
                    }
                    let seq = (messages[message.group]?.last?.seq ?? 0) + 1
                    messages[message.group, default: []].append(StoredMessage(seq: seq, message: message))
                    if let sender = message.sender, let clientID = message.clientMsgID {
                        clientIDs[sender + "\u{0}" + clientID] = (message.group, seq, message.createdAt)
                    }
                    outcomes.append(.appended(seq: seq))
                case .recallMessage(let group, let seq):
                    if let index = messages[group]?.firstIndex(where: { $0.seq == seq }) {
                        messages[group]![index].recalled = true
                        messages[group]![index].message.body = Array("{}".utf8)
                    }
                case .upsertGroup(let record): groups[record.id] = record
                case .upsertMember(let group, let member): members[group, default: [:]][member.user] = member
                case .removeMember(let group, let user): members[group]?[user] = nil
                case .setReadSeq(let group, let user, let seq):
                    if var member = members[group]?[user] {
                        member.readSeq = max(member.readSeq, seq)
                        members[group]![user] = member
                    }
                case .upsertUser(let user): users[user.id] = user
                case .upsertOrgUnit(let unit): orgUnits[unit.id] = unit
                case .upsertCourse(let course): courses[course.id] = course
                case .upsertObject(let object): objects[object.id] = object
                case .shareObject(let object, let group): shares.insert("\(object)\u{0}\(group.rawValue)")
                case .unshareObject(let object, let group): shares.remove("\(object)\u{0}\(group.rawValue)")
                case .upsertRecord(let record):
                    records[Self.key(record.kind, record.id)] = record
                    lastRecordIDs[record.kind] = max(lastRecordIDs[record.kind] ?? 0, record.id)
                case .upsertEntry(let entry):
                    entries[Self.key(entry.kind, entry.record), default: [:]][entry.user] = entry
                case .upsertJob(let job):
                    jobs[job.id] = job
                    highWater = max(highWater, job.id)
                case .deleteJob(let id): jobs[id] = nil
                case .appendAudit(let entry): audited.append(entry)
                case .putNewsDoc, .deleteNewsDoc, .upsertArticle, .recordArticleView, .putCommunityDoc, .setStock,
                    .holdStock, .holdSlot, .releaseSlot:
                    _ = news.apply(op)
                }
            }
            guard !news.overlap else {
                return completion(.failure(StoreError(.failed, "overlapping booking")))
            }
            guard news.stockIsConsistent else {
                return completion(.failure(StoreError(.failed, "CHECK constraint failed: community_stock")))
            }
            (self.users, self.orgUnits, self.courses, self.groups, self.members, self.messages, self.clientIDs) =
                (users, orgUnits, courses, groups, members, messages, clientIDs)
            (self.objects, self.shares, self.records, self.entries, self.jobs, self.lastRecordIDs) =
                (objects, shares, records, entries, jobs, lastRecordIDs)
            auditEntries += audited
            self.news = news
            jobHighWater = highWater
            committedBatches.append(batch)
            completion(.success(outcomes))
        }
    }

    public func readMessages(
        _ queries: [MessageQuery],
        completion: @escaping @Sendable (Result<[[StoredMessage]], StoreError>) -> Void
    ) {
        queue.async { [self] in
            completion(
                .success(
                    queries.map { query in
                        let before = query.before ?? Int64.max
                        let list = (messages[query.group] ?? []).filter { $0.seq < before }
                        if let after = query.after { return Array(list.filter { $0.seq > after }.prefix(query.limit)) }
                        return Array(list.suffix(query.limit))
                    }
                )
            )
        }
    }

    public func readRecord(
        _ kind: RecordKind,
        id: Int64,
        completion: @escaping @Sendable (Result<RecordWithEntries?, StoreError>) -> Void
    ) {
        queue.async { [self] in
            guard let record = records[Self.key(kind, id)] else { return completion(.success(nil)) }
            let list = (entries[Self.key(kind, id)] ?? [:]).values.sorted { $0.user < $1.user }
            completion(.success(RecordWithEntries(record: record, entries: list)))
        }
    }

    public func purge(_ plan: PurgePlan, completion: @escaping @Sendable (Result<PurgeReport, StoreError>) -> Void) {
        queue.async { [self] in
            var report = PurgeReport()
            var candidates: [ObjectShare] = []
            for (group, list) in messages {
                guard let kind = groups[group]?.kind else { continue }
                for index in list.indices where !list[index].expired {
                    let message = list[index].message
                    guard plan.expires(kind, message.kind, createdAt: message.createdAt) else { continue }
                    if [.image, .video, .file].contains(message.kind) {
                        candidates += ObjectReferences.ids(in: message.body).map {
                            ObjectShare(object: $0, group: group)
                        }
                    }
                    messages[group]![index] = .expired(
                        seq: list[index].seq,
                        group: group,
                        kind: message.kind,
                        createdAt: message.createdAt
                    )
                    report.messagesExpired += 1
                }
            }
            if let before = plan.recordsClosedBefore {
                for (key, record) in records where (record.endedAt ?? .max) < before {
                    candidates += ObjectReferences.ids(in: record.body).map {
                        ObjectShare(object: $0, group: record.group)
                    }
                    for entry in (entries[key] ?? [:]).values {
                        candidates += ObjectReferences.ids(in: entry.body).map {
                            ObjectShare(object: $0, group: record.group)
                        }
                    }
                    report.entriesDeleted += entries[key]?.count ?? 0
                    entries[key] = nil
                    records[key] = nil
                    report.recordsDeleted += 1
                    guard record.kind == .card || record.kind == .task, let list = messages[record.group] else {
                        continue
                    }
                    for index in list.indices where list[index].message.kind.rawValue == record.kind.rawValue {
                        let body = try? JSONParser.parse(list[index].message.body)
                        guard !list[index].expired, body?[record.kind.rawValue]?.int64Value == record.id else {
                            continue
                        }
                        messages[record.group]![index] = .expired(
                            seq: list[index].seq,
                            group: record.group,
                            kind: list[index].message.kind,
                            createdAt: list[index].message.createdAt
                        )
                        report.messagesExpired += 1
                    }
                }
            }
            for (id, object) in objects where object.createdAt < plan.unsentUploadsBefore {
                if !shares.contains(where: { $0.hasPrefix(id + "\u{0}") }) {
                    candidates.append(ObjectShare(object: id, group: GroupID(0)))
                }
            }
            for candidate in candidates {
                let key = candidate.object + "\u{0}" + String(candidate.group.rawValue)
                if candidate.group.rawValue != 0, shares.contains(key) {
                    let live = (messages[candidate.group] ?? []).contains {
                        !$0.recalled && !$0.expired
                            && ObjectReferences.ids(in: $0.message.body).contains(candidate.object)
                    }
                    let inRecords = records.values.contains { record in
                        record.group == candidate.group
                            && (ObjectReferences.ids(in: record.body).contains(candidate.object)
                                || (entries[Self.key(record.kind, record.id)] ?? [:]).values.contains {
                                    ObjectReferences.ids(in: $0.body).contains(candidate.object)
                                })
                    }
                    if !live, !inRecords {
                        shares.remove(key)
                        report.sharesRemoved.append(candidate)
                    }
                }
                if let object = objects[candidate.object],
                    !shares.contains(where: { $0.hasPrefix(candidate.object + "\u{0}") })
                {
                    objects[candidate.object] = nil
                    report.objectsDeleted.append(candidate.object)
                    if !objects.values.contains(where: { $0.sha256 == object.sha256 }) {
                        report.unreferencedFiles.append(object.sha256)
                    }
                }
            }
            completion(.success(report))
        }
    }

    /// The audit log (for assertions).
    public var auditLog: [AuditEntry] { queue.sync { auditEntries } }

    /// Pending jobs (for assertions).
    public var pendingJobs: [JobRecord] { queue.sync { jobs.values.sorted { $0.id < $1.id } } }

    /// All stored messages of a group (for assertions).
    public func messages(of group: GroupID) -> [StoredMessage] {
        queue.sync { messages[group] ?? [] }
    }

    /// A member as stored (for assertions).
    public func member(_ user: UserID, of group: GroupID) -> MemberRecord? {
        queue.sync { members[group]?[user] }
    }

    /// Waits until every commit queued so far has completed.
    public func drain() {
        queue.sync {}
    }
}
