import JSON

extension Hub {
    /// `send`: validated, appended durably, acked, then fanned out.
    func send(_ command: SendCommand, id: String, session: Session) throws(HubError) {
        // A retry after a lost ack gets the original ack even if the sender was muted (or the group frozen) since.
        if let original = recentAcks[session.user + "\u{0}" + command.clientMsgID] {
            return output.send(
                ack(id, group: original.group, seq: original.seq, ts: original.ts, duplicate: true),
                to: session
            )
        }
        let (group, member) = try requireMember(command.group, session)
        let now = clock()
        if command.mentionAll, member.role == .member {
            throw .forbidden("the group's owner and admins (for @all)")
        }
        try requirePoster(group, member, now: now)
        for user in command.mentions where group.members[user] == nil {
            throw .invalid("Mentioned user '\(user)' is not a member of this group.")
        }
        if let replyTo = command.replyTo, replyTo > group.lastSeq || replyTo <= member.joinedSeq {
            throw HubError(
                .messageNotFound,
                "The message you reply to (seq \(replyTo)) does not exist or is not visible to you."
            )
        }
        var shares: [WriteOp] = []
        var body = command.body
        if [.image, .video, .file].contains(command.kind),
            case .object(var fields)? = try? JSONParser.parse(command.body)
        {
            for key in ["object", "thumbnail", "cover"] {
                guard let object = fields[key]?.stringValue else { continue }
                if let share = try shareable(object, by: session.user, in: group.id) { shares.append(share) }
            }
            // Size and type come from the stored object, not from the client's claim.
            if let object = fields["object"]?.stringValue, let record = objects[object] {
                fields["size"] = .int(record.size)
                fields["mime"] = .string(record.mime)
                body =
                    (try? MessageBody.canonical(kind: command.kind, .object(fields), configuration: configuration))
                    ?? body
            }
        }
        let message = NewMessage(
            group: group.id,
            sender: session.user,
            clientMsgID: command.clientMsgID,
            kind: command.kind,
            body: body,
            replyTo: command.replyTo,
            mentions: command.mentions,
            mentionAll: command.mentionAll,
            createdAt: now
        )
        write(shares + [.appendMessage(message)]) { [self] result in
            switch result {
            case .success(let outcomes):
                applyShares(shares)
                switch outcomes[0] {
                case .appended(let seq):
                    rememberAck(session.user + "\u{0}" + command.clientMsgID, group: group.id, seq: seq, ts: now)
                    output.send(ack(id, group: group.id, seq: seq, ts: now, duplicate: false), to: session)
                    deliver(StoredMessage(seq: seq, message: message))
                    // Sending is reading: the sender has seen everything up to their own message.
                    advanceRead(group, user: session.user, to: seq, from: session)
                case .duplicate(let originalGroup, let seq, let createdAt):
                    output.send(ack(id, group: originalGroup, seq: seq, ts: createdAt, duplicate: true), to: session)
                }
            case .failure:
                output.send(Wire.error(.storage, id: id), to: session)
            }
        }
    }

    /// Keeps the newest acks in memory (bounded) so retries are answered without the store and before checks.
    private func rememberAck(_ key: String, group: GroupID, seq: Int64, ts: Timestamp) {
        if recentAcks.count >= 100_000 { recentAcks.removeAll(keepingCapacity: true) }
        recentAcks[key] = (group, seq, ts)
    }

    private func ack(_ id: String, group: GroupID, seq: Int64, ts: Timestamp, duplicate: Bool) -> [UInt8] {
        Wire.reply(id) { writer in
            writer.key("group")
            writer.int(group.rawValue)
            writer.key("seq")
            writer.int(seq)
            writer.key("ts")
            writer.int(ts)
            writer.key("duplicate")
            writer.bool(duplicate)
        }
    }

    /// `recall`: the sender within the recall window, owners and admins any time.
    func recall(_ id: GroupID, seq: Int64, id requestID: String, session: Session) throws(HubError) {
        let (group, member) = try groupForMember(id, session)
        guard seq <= group.lastSeq, seq > (member?.joinedSeq ?? 0) else {
            throw HubError(.messageNotFound, "Message \(seq) does not exist in this group.")
        }
        if let entry = group.recent.entry(seq: seq) {
            if entry.sender == nil, (try? Self.decodeEntry(entry, group: group.id))?.expired == true {
                throw Self.expiredError(seq)
            }
            try authorizeRecall(
                group,
                member: member,
                session: session,
                sender: entry.sender,
                createdAt: entry.createdAt
            )
            try requireWritable(group)
            let stored = try? Self.decodeEntry(entry, group: group.id)
            if stored?.recalled == true { throw .invalid("Message \(seq) is already recalled.") }
            let body = (try? JSONParser.parse(entry.encoded))?["body"].map { $0.encoded() } ?? []
            commitRecall(
                group,
                seq: seq,
                kind: stored?.message.kind,
                body: body,
                requestID: requestID,
                session: session
            )
            return
        }
        // Older than the recent ring: look it up first.
        store.readMessages([MessageQuery(group: group.id, after: seq - 1, limit: 1)]) { [self] result in
            queue.async {
                guard case .success(let pages) = result, let stored = pages.first?.first, stored.seq == seq else {
                    let error =
                        (try? result.get()) == nil
                        ? HubError.storage : HubError(.messageNotFound, "Message \(seq) does not exist in this group.")
                    return self.output.send(Wire.error(error, id: requestID), to: session)
                }
                do throws(HubError) {
                    if stored.expired { throw Self.expiredError(seq) }
                    try self.authorizeRecall(
                        group,
                        member: group.members[session.user],
                        session: session,
                        sender: stored.message.sender,
                        createdAt: stored.message.createdAt
                    )
                    try self.requireWritable(group)
                    if stored.recalled { throw .invalid("Message \(seq) is already recalled.") }
                    self.commitRecall(
                        group,
                        seq: seq,
                        kind: stored.message.kind,
                        body: stored.message.body,
                        requestID: requestID,
                        session: session
                    )
                } catch {
                    self.output.send(Wire.error(error, id: requestID), to: session)
                }
            }
        }
    }

    private func authorizeRecall(
        _ group: Group,
        member: MemberRecord?,
        session: Session,
        sender: UserID?,
        createdAt: Timestamp
    ) throws(HubError) {
        guard sender != nil, sender?.hasPrefix("app:") != true else {
            throw .invalid("Messages written by the server or by campus systems cannot be recalled.")
        }
        let manager = member?.role == .owner || member?.role == .admin || session.roles.contains(.admin)
        if manager { return }
        guard sender == session.user else { throw .forbidden("the sender and the group's owner and admins") }
        let age = Double(clock() - createdAt) / 1000
        guard age <= configuration.recallWindow else {
            throw HubError(
                .recallWindowPassed,
                "Messages can be recalled within \(Int(configuration.recallWindow)) seconds of sending; ask an admin."
            )
        }
    }

    /// Recalls: the body is cleared, and files the message shared stop being downloadable through this group
    /// (unless something else there still shows them: the library, a card or task, another recent message).
    private func commitRecall(
        _ group: Group,
        seq: Int64,
        kind: MessageKind?,
        body: [UInt8],
        requestID: String,
        session: Session
    ) {
        var objects: [String] = []
        if let kind, [.image, .video, .file].contains(kind), let value = try? JSONParser.parse(body) {
            objects = ["object", "thumbnail", "cover"].compactMap { value[$0]?.stringValue }
        }
        let unshares = withdrawShares(of: objects, in: group, ignoringSeq: seq)
        let notice = systemMessage(
            group,
            Wire.systemBody("recalled") { writer in
                writer.key("seq")
                writer.int(seq)
                writer.key("by")
                writer.string(session.user)
            }
        )
        let ops: [WriteOp] = [.recallMessage(group.id, seq: seq)] + unshares.ops + [notice]
        write(
            ops,
            undo: [unshares.undo],
            completion: deliverSystemMessages(ops) { [self] result in
                switch result {
                case .success:
                    if let entry = group.recent.entry(seq: seq),
                        var stored = try? Self.decodeEntry(entry, group: group.id)
                    {
                        stored.recalled = true
                        group.recent.replace(seq: seq, encoded: Wire.messageObject(stored))
                    }
                    output.send(
                        Wire.reply(requestID) {
                            $0.key("seq")
                            $0.int(seq)
                        },
                        to: session
                    )
                case .failure:
                    output.send(Wire.error(.storage, id: requestID), to: session)
                }
            }
        )
    }

    /// Rebuilds a stored message from a ring entry (for re-encoding after a recall).
    static func decodeEntry(_ entry: RecentMessages.Entry, group: GroupID) throws -> StoredMessage {
        let value = try JSONParser.parse(entry.encoded)
        let kind = MessageKind(rawValue: value["kind"]?.stringValue ?? "") ?? .text
        return StoredMessage(
            seq: entry.seq,
            message: NewMessage(
                group: group,
                sender: entry.sender,
                clientMsgID: value["clientMsgId"]?.stringValue,
                kind: kind,
                body: [],
                replyTo: value["replyTo"]?.int64Value,
                mentions: value["mentions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                mentionAll: value["mentionAll"]?.boolValue ?? false,
                createdAt: entry.createdAt
            ),
            recalled: value["recalled"]?.boolValue ?? false,
            expired: value["expired"]?.boolValue ?? false
        )
    }

    static func expiredError(_ seq: Int64) -> HubError {
        HubError(.messageNotFound, "Message \(seq) has expired under the school's retention policy.")
    }
}
