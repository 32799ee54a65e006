import JSON

extension Hub {
    /// Loads objects, cards, tasks, library files and jobs from the snapshot.
    func loadServices(_ snapshot: HubSnapshot) {
        for object in snapshot.objects { objects[object.id] = object }
        for share in snapshot.shares { objectGroups[share.object, default: []].insert(share.group) }
        lastRecordIDs = snapshot.lastRecordIDs
        for stored in snapshot.records {
            switch stored.record.kind {
            case .card:
                guard let card = Card.restore(stored) else { continue }
                cards[card.id] = card
                if let clientMsgID = card.clientMsgID {
                    publishedByClientID[card.publisher + "\u{0}" + clientMsgID] = card.id
                }
            case .task:
                guard let task = ClassTask.restore(stored) else { continue }
                tasks[task.id] = task
                if let clientMsgID = task.clientMsgID {
                    publishedByClientID[task.publisher + "\u{0}" + clientMsgID] = task.id
                }
            case .groupFile:
                if let file = GroupFile.restore(stored.record) { groupFiles[file.id] = file }
            }
        }
        for job in snapshot.jobs { jobs.insert(job) }
        lastJobID = snapshot.lastJobID
    }

    func nextRecordID(_ kind: RecordKind) -> Int64 {
        let id = (lastRecordIDs[kind] ?? 0) + 1
        lastRecordIDs[kind] = id
        return id
    }

    func nextJob(dueAt: Timestamp, kind: String, body: [UInt8]) -> JobRecord {
        lastJobID += 1
        return JobRecord(id: lastJobID, dueAt: dueAt, kind: kind, body: body)
    }

    /// The caller manages the group (owner, admin, school admin).
    func isManager(_ group: Group, _ session: Session) -> Bool {
        group.isAdmin(session.user) || session.roles.contains(.admin)
    }

    /// Inboxes are written by the server only.
    func requireNotInbox(_ group: Group) throws(HubError) {
        if group.record.kind == .inbox { throw .forbidden("the server (an inbox is read-only)") }
    }

    // MARK: Objects

    /// Records an uploaded object (the gateway stored its bytes). `completion` runs on the hub queue.
    public func registerObject(_ object: ObjectRecord, completion: @escaping (Result<Void, HubError>) -> Void) {
        let previous = objects[object.id]
        objects[object.id] = object
        write([.upsertObject(object)], undo: [{ [self] in objects[object.id] = previous }]) { result in
            completion(result.map { _ in () }.mapError { _ in .storage })
        }
    }

    /// The object if `user` may download it: its owner, a member of a group it was shared in, or a school admin.
    /// Must be called on the hub queue.
    public func downloadableObject(_ id: String, user: UserID, roles: Set<SchoolRole>) -> ObjectRecord? {
        guard let object = objects[id] else { return nil }
        if object.owner == user || roles.contains(.admin) { return object }
        for group in objectGroups[id] ?? [] where groups[group]?.members[user] != nil { return object }
        // Covers and attachments of published articles, for whoever may read them.
        if let reader = users[user] {
            for article in news.articles(showing: id) {
                if let column = news.columns[article.column],
                    (article.isPublished && canSee(column, reader)) || isEditor(column, reader)
                {
                    return object
                }
            }
        }
        return nil
    }

    /// Checks that `user` may post `id` into `group` — they uploaded it, or may download it (forwarding a file
    /// from another of their groups) — and returns the share to write (nil when already shared there).
    func shareable(_ id: String, by user: UserID, in group: GroupID) throws(HubError) -> WriteOp? {
        guard objects[id] != nil else {
            throw HubError(.objectNotFound, "Object '\(id)' does not exist; upload it first.")
        }
        // While a purge runs, the store may withdraw a share the hub still has in memory: write it again.
        if objectGroups[id]?.contains(group) == true { return sharesDuringPurge == nil ? nil : .shareObject(id, group) }
        guard downloadableObject(id, user: user, roles: []) != nil else {
            throw HubError(.objectNotFound, "Object '\(id)' does not exist or is not available to you.")
        }
        return .shareObject(id, group)
    }

    /// Applies shares and unshares in memory once durable.
    func applyShares(_ ops: [WriteOp]) {
        for op in ops {
            switch op {
            case .shareObject(let object, let group):
                objectGroups[object, default: []].insert(group)
                sharesDuringPurge?.insert(ObjectShare(object: object, group: group))
            case .unshareObject(let object, let group): objectGroups[object]?.remove(group)
            default: break
            }
        }
    }

    /// Withdraws `objects` from `group`, except those something live there still shows. Memory changes now, so
    /// that a command queued meanwhile that posts one of them shares it again; the ops go in the caller's unit.
    func withdrawShares(
        of objects: [String],
        in group: Group,
        ignoringSeq seq: Int64? = nil
    ) -> (ops: [WriteOp], undo: () -> Void) {
        let withdrawn = Set(objects).filter {
            objectGroups[$0]?.contains(group.id) == true && !isShown($0, in: group, ignoringSeq: seq)
        }.sorted()
        for object in withdrawn { objectGroups[object]?.remove(group.id) }
        let undo = { [self] in
            for object in withdrawn { objectGroups[object, default: []].insert(group.id) }
        }
        return (withdrawn.map { .unshareObject($0, group.id) }, undo)
    }

    /// Whether `object` is still shown in `group`: by a library file, a card or task (attachments, completions),
    /// or a message of the recent ring that is not recalled (other than `seq`). Older messages would take a scan
    /// of the store, so a file posted long ago and then removed from the library is withdrawn all the same.
    private func isShown(_ object: String, in group: Group, ignoringSeq seq: Int64?) -> Bool {
        if groupFiles.values.contains(where: { $0.group == group.id && $0.deletedAt == nil && $0.object == object }) {
            return true
        }
        if cards.values.contains(where: { $0.group == group.id && $0.definition.attachments.contains(object) }) {
            return true
        }
        if tasks.values.contains(where: { task in
            task.group == group.id
                && (task.attachments.contains(object) || task.statuses.values.contains { $0.attachment == object })
        }) {
            return true
        }
        for entry in group.recent.entries(after: 0, limit: group.recent.count)
        where entry.seq != seq && !entry.expired && [.image, .video, .file].contains(entry.kind) {
            guard let value = try? JSONParser.parse(entry.encoded), value["recalled"]?.boolValue != true else {
                continue
            }
            if ["object", "thumbnail", "cover"].contains(where: { value["body"]?[$0]?.stringValue == object }) {
                return true
            }
        }
        return false
    }

    // MARK: Inboxes

    /// The user's inbox, created (with its write operations appended to `ops`) if it does not exist yet.
    func inbox(for user: UserID, ops: inout [WriteOp], undo: inout [() -> Void], created: inout [Group]) -> Group {
        let key = "inbox:" + user
        if let id = groupByExternalKey[key], let group = groups[id] { return group }
        let record = GroupRecord(
            id: GroupID(nextGroupID),
            kind: .inbox,
            name: "inbox",
            externalKey: key,
            createdAt: clock()
        )
        nextGroupID += 1
        let group = Group(record: record, members: [], lastSeq: 0, recentCapacity: configuration.recentMessages)
        register(group)
        let member = MemberRecord(user: user, role: .member, source: .manual, joinedSeq: 0, readSeq: 0)
        putMember(group, member)
        ops.append(.upsertGroup(record))
        ops.append(.upsertMember(group.id, member))
        undo.append { [self] in
            dropMember(group, user)
            groups[record.id] = nil
            groupByExternalKey[key] = nil
        }
        created.append(group)
        return group
    }

    /// Server messages of kind `reminder` for the inboxes of some users, ready to join a write unit: the ops
    /// (inboxes created on the way included), their undo, and what to deliver once committed.
    struct InboxBatch {
        var ops: [WriteOp] = []
        var undo: [() -> Void] = []
        var created: [Group] = []
        var messages: [NewMessage] = []
    }

    func inboxBatch(
        _ recipients: [UserID],
        body: [UInt8],
        kind: MessageKind = .reminder,
        sender: UserID? = nil
    ) -> InboxBatch {
        var batch = InboxBatch()
        let now = clock()
        for recipient in recipients {
            let box = inbox(for: recipient, ops: &batch.ops, undo: &batch.undo, created: &batch.created)
            let message = NewMessage(
                group: box.id,
                sender: sender,
                clientMsgID: nil,
                kind: kind,
                body: body,
                createdAt: now
            )
            batch.messages.append(message)
            batch.ops.append(.appendMessage(message))
        }
        return batch
    }

    /// Pushes a committed batch: new inboxes go live, each message reaches its owner's devices. `outcomes` are the
    /// unit's append outcomes, the batch's messages last.
    func deliver(_ batch: InboxBatch, outcomes: [AppendOutcome]) {
        for group in batch.created { goLive(group, users: Array(group.members.keys)) }
        for (message, outcome) in zip(batch.messages, outcomes.suffix(batch.messages.count)) {
            if case .appended(let seq) = outcome { deliver(StoredMessage(seq: seq, message: message)) }
        }
    }

    /// One reminder in the inbox of each recipient, in one write unit with `extraOps`. Completes with the number of
    /// inboxes written.
    func appendToInboxes(
        _ recipients: [UserID],
        body: [UInt8],
        extraOps: [WriteOp],
        undo: @escaping () -> Void,
        completion: @escaping (Result<Int, StoreError>) -> Void
    ) {
        let batch = inboxBatch(recipients, body: body)
        write(extraOps + batch.ops, undo: [undo] + batch.undo) { [self] result in
            switch result {
            case .success(let outcomes):
                deliver(batch, outcomes: outcomes)
                completion(.success(batch.messages.count))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    // MARK: Settings

    func settings(_ id: GroupID, allowMemberCards: Bool, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireManager(id, session)
        try requireNotInbox(group)
        try requireWritable(group)
        guard group.record.allowMemberCards != allowMemberCards else {
            return output.send(Wire.reply(requestID), to: session)
        }
        let undo = restoring(group)
        group.record.allowMemberCards = allowMemberCards
        let notice = systemMessage(
            group,
            Wire.systemBody("settings_changed") { writer in
                writer.key("allowMemberCards")
                writer.bool(allowMemberCards)
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(group, ops: [.upsertGroup(group.record), notice], undo: [undo], id: requestID, session: session)
    }

    // MARK: Live statistics

    /// Coalesced pushes of card statistics and task progress to publishers and group managers.
    func flushLiveStatistics() {
        for id in statsDirty {
            guard let card = cards[id], let group = groups[card.group] else { continue }
            let push = Wire.push("card.stats") { writer in
                writer.key("card")
                writer.int(card.id)
                writer.key("group")
                writer.int(group.id.rawValue)
                writer.key("recipients")
                writer.int(card.recipients.count)
                writer.key("responded")
                writer.int(card.responses.count)
                // Counts only: names stay in `card.stats`, and anonymous cards never have them.
                writer.key("results")
                writer.beginObject()
                card.writeResults(to: &writer, withNames: false)
                writer.endObject()
            }
            for user in watchers(of: group, publisher: card.publisher) { sendToUser(user, push) }
        }
        statsDirty = []
        for id in progressDirty {
            guard let task = tasks[id], let group = groups[task.group] else { continue }
            let push = Wire.push("task.progress") { writer in
                writer.key("task")
                writer.int(task.id)
                writer.key("group")
                writer.int(group.id.rawValue)
                writer.key("total")
                writer.int(task.recipients.count)
                writer.key("done")
                writer.int(task.recipients.filter { task.state(of: $0) == .done }.count)
                writer.key("excused")
                writer.int(task.recipients.filter { task.state(of: $0) == .excused }.count)
            }
            for user in watchers(of: group, publisher: task.publisher) { sendToUser(user, push) }
        }
        progressDirty = []
    }

    /// The publisher and the group's owner and admins.
    private func watchers(of group: Group, publisher: UserID) -> Set<UserID> {
        var users: Set<UserID> = [publisher]
        for member in group.members.values where member.role != .member { users.insert(member.user) }
        return users
    }
}

extension Hub {
    /// Runs `body` with a card or task: `inMemory` if the hub holds it, else read from the store and rebuilt with
    /// `restore` (records that ended long ago are only there). The caller must be a member of its group, or a school
    /// admin. Errors go to `onError`, or as an error reply to `session`.
    func withRecord<Record>(
        _ kind: RecordKind,
        _ recordID: Int64,
        inMemory: Record?,
        restore: @escaping (RecordWithEntries) -> Record?,
        group: @escaping (Record) -> GroupID,
        notFound: HubError,
        id requestID: String,
        session: Session,
        _ body: @escaping (Record) throws(HubError) -> Void,
        onError: ((HubError) -> Void)?
    ) throws(HubError) {
        if let record = inMemory {
            _ = try groupForMember(group(record), session)
            return try body(record)
        }
        let carried = HubConfined((body, onError, restore, group))
        store.readRecord(kind, id: recordID) { [self] result in
            queue.async {
                let (body, onError, restore, group) = carried.value
                do throws(HubError) {
                    guard case .success(let stored) = result else { throw .storage }
                    guard let stored, let record = restore(stored) else { throw notFound }
                    _ = try self.groupForMember(group(record), session)
                    try body(record)
                } catch {
                    if let onError {
                        onError(error)
                    } else {
                        self.output.send(Wire.error(error, id: requestID), to: session)
                    }
                }
            }
        }
    }
}
