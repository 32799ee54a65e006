import JSON

extension Hub {
    /// `read`: moves the caller's read cursor forward (never back). The cursor is written with the next batch; the
    /// caller's other devices hear about it at once, senders in the next coalesced receipt push.
    func markRead(_ id: GroupID, seq: Int64, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireMember(id, session)
        let readSeq = advanceRead(group, user: session.user, to: min(seq, group.lastSeq), from: session)
        output.send(
            Wire.reply(requestID) {
                $0.key("readSeq")
                $0.int(readSeq)
            },
            to: session
        )
    }

    /// Moves `user`'s cursor to `seq` if that is forward; returns the cursor.
    @discardableResult
    func advanceRead(_ group: Group, user: UserID, to seq: Int64, from session: Session?) -> Int64 {
        guard var member = group.members[user] else { return 0 }
        guard seq > member.readSeq else { return member.readSeq }
        let old = member.readSeq
        member.readSeq = seq
        group.members[user] = member
        dirtyReadSeqs[group.id, default: [:]][user] = seq
        group.receiptsDirtyFrom = min(group.receiptsDirtyFrom ?? old, old)
        receiptGroups.insert(group.id)
        let push = Wire.push("read") { writer in
            writer.key("group")
            writer.int(group.id.rawValue)
            writer.key("seq")
            writer.int(seq)
        }
        sendToUser(user, push, excluding: session)
        return seq
    }

    /// How many members have read message `seq`, and who, for the messages' sender and the group's managers.
    func receipts(_ id: GroupID, seq: Int64, id requestID: String, session: Session) throws(HubError) {
        let (group, member) = try groupForMember(id, session)
        guard seq <= group.lastSeq, seq > (member?.joinedSeq ?? 0) else {
            throw HubError(.messageNotFound, "Message \(seq) does not exist in this group.")
        }
        let manager = member?.role == .owner || member?.role == .admin || session.roles.contains(.admin)
        let answer = { [self] (sender: UserID?) in
            guard manager || sender == session.user else {
                return output.send(
                    Wire.error(.forbidden("the message's sender and the group's owner and admins"), id: requestID),
                    to: session
                )
            }
            let (readers, unread) = readers(of: seq, in: group, sender: sender)
            let reply = Wire.reply(requestID) { writer in
                writer.key("group")
                writer.int(group.id.rawValue)
                writer.key("seq")
                writer.int(seq)
                writer.key("readCount")
                writer.int(readers.count)
                writer.key("unreadCount")
                writer.int(unread.count)
                writer.users("readers", readers)
                writer.users("unread", unread)
            }
            output.send(reply, to: session)
        }
        if let entry = group.recent.entry(seq: seq) { return answer(entry.sender) }
        let carried = HubConfined(answer)
        store.readMessages([MessageQuery(group: group.id, after: seq - 1, limit: 1)]) { [self] result in
            queue.async {
                let answer = carried.value
                guard case .success(let pages) = result, let stored = pages.first?.first, stored.seq == seq else {
                    return self.output.send(Wire.error(.storage, id: requestID), to: session)
                }
                answer(stored.message.sender)
            }
        }
    }

    /// Members who could see `seq` (joined before it), split by whether they read it; the sender is left out.
    func readers(of seq: Int64, in group: Group, sender: UserID?) -> (read: [UserID], unread: [UserID]) {
        var read: [UserID] = []
        var unread: [UserID] = []
        for member in group.members.values where member.user != sender && member.joinedSeq < seq {
            if member.readSeq >= seq { read.append(member.user) } else { unread.append(member.user) }
        }
        return (read.sorted(), unread.sorted())
    }

    /// Coalesced receipts: for each group whose cursors moved, the read counts of the recent messages those moves
    /// cover, one push per sender — not one per reader per message.
    func flushReceipts() {
        let dirty = receiptGroups
        receiptGroups = []
        for id in dirty {
            guard let group = groups[id], let from = group.receiptsDirtyFrom else { continue }
            group.receiptsDirtyFrom = nil
            // The newest messages whose counts moved (older ones are rarely watched; `receipts` answers them).
            let entries = group.recent.entries(after: from, limit: configuration.recentMessages).suffix(64)
            let members = group.members.values.map { ($0.user, $0.joinedSeq, $0.readSeq) }
            var updates: [UserID: [(seq: Int64, read: Int, audience: Int)]] = [:]
            for entry in entries {
                guard let sender = entry.sender, sessionsOfUser[sender] != nil else { continue }
                var read = 0
                var audience = 0
                for (user, joinedSeq, readSeq) in members where joinedSeq < entry.seq && user != sender {
                    audience += 1
                    if readSeq >= entry.seq { read += 1 }
                }
                updates[sender, default: []].append((entry.seq, read, audience))
            }
            for (sender, list) in updates {
                let push = Wire.push("receipts") { writer in
                    writer.key("group")
                    writer.int(group.id.rawValue)
                    writer.key("updates")
                    writer.beginArray()
                    for update in list {
                        writer.beginObject()
                        writer.key("seq")
                        writer.int(update.seq)
                        writer.key("readCount")
                        writer.int(update.read)
                        writer.key("audience")
                        writer.int(update.audience)
                        writer.endObject()
                    }
                    writer.endArray()
                }
                sendToUser(sender, push)
            }
        }
    }
}
