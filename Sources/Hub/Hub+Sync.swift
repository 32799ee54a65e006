import JSON

extension Hub {
    /// `sync`: for each cursor, the messages after it (a page at most); a group goes live for the session once its
    /// page reaches the head, so pushes continue exactly where the page ended — no gap, no duplicate. Groups the
    /// session did not name go live when the reply is sent. A group with `more` stays quiet until the client asks
    /// for the next page.
    func sync(_ cursors: [SyncCursor], limit: Int, id: String, session: Session) throws(HubError) {
        var pages: [SyncPage] = []
        var reads: [(index: Int, query: MessageQuery)] = []
        var named: Set<GroupID> = []
        for cursor in cursors {
            guard named.insert(cursor.group).inserted else {
                throw .invalid("Group \(cursor.group) appears twice in 'cursors'.")
            }
            guard let group = groups[cursor.group] else {
                pages.append(SyncPage(group: cursor.group, error: .groupNotFound))
                continue
            }
            guard let member = group.members[session.user] else {
                pages.append(SyncPage(group: cursor.group, error: .notMember))
                continue
            }
            let after = max(cursor.seq, member.joinedSeq)
            var page = SyncPage(group: group.id, after: after)
            if after < group.lastSeq && !group.recent.covers(after: after) {
                reads.append((pages.count, MessageQuery(group: group.id, after: after, limit: limit)))
            }
            page.last = after
            pages.append(page)
        }
        guard !reads.isEmpty else {
            return finishSync(id, pages, named: named, limit: limit, session: session)
        }
        let carried = HubConfined((pages, reads, named))
        store.readMessages(reads.map(\.query)) { [self] result in
            queue.async {
                let (pages, reads, named) = carried.value
                guard session.connected else { return }
                guard case .success(let results) = result else {
                    return self.output.send(Wire.error(.storage, id: id), to: session)
                }
                var filled = pages
                for ((index, _), rows) in zip(reads, results) {
                    filled[index].messages = rows.map { Wire.messageObject($0) }
                    filled[index].seqs = rows.map(\.seq)
                }
                self.finishSync(id, filled, named: named, limit: limit, session: session)
            }
        }
    }

    /// Completes every page from the recent ring (messages committed while the store was read included), makes
    /// the caught-up groups live and replies — all in one hub turn, so no push can slip between page and live.
    private func finishSync(_ id: String, _ pages: [SyncPage], named: Set<GroupID>, limit: Int, session: Session) {
        var pages = pages
        // Replies stay well under the connection's outbound cap: a page that would pass the byte budget stops early
        // and says `more`.
        var budget = configuration.maxReplyBytes
        for index in pages.indices where pages[index].error == nil {
            guard let group = groups[pages[index].group], group.members[session.user] != nil else {
                pages[index] = SyncPage(group: pages[index].group, error: .notMember)
                continue
            }
            let room = limit - pages[index].messages.count
            let current = pages[index].seqs.last ?? pages[index].last
            if room > 0, current < group.lastSeq, group.recent.covers(after: current) {
                let entries = group.recent.entries(after: current, limit: room)
                pages[index].messages += entries.map(\.encoded)
                pages[index].seqs += entries.map(\.seq)
            }
            let fits = Self.prefixFitting(pages[index].messages, budget: &budget)
            if fits < pages[index].messages.count {
                pages[index].messages.removeLast(pages[index].messages.count - fits)
                pages[index].seqs.removeLast(pages[index].seqs.count - fits)
            }
            pages[index].last = pages[index].seqs.last ?? pages[index].last
            pages[index].more = pages[index].last < group.lastSeq
            // A group with more pages stays quiet (even if it was live) until the client has caught up.
            if pages[index].more {
                group.removeLive(session)
            } else if !group.record.dissolved {
                group.addLive(session)
            }
        }
        for groupID in groupsOfUser[session.user] ?? [] where !named.contains(groupID) {
            if let group = groups[groupID], !group.record.dissolved { group.addLive(session) }
        }
        output.send(syncReply(id, pages), to: session)
    }

    /// How many of `messages` (from the start) fit in `budget` bytes; takes them from the budget.
    static func prefixFitting(_ messages: [[UInt8]], budget: inout Int) -> Int {
        var count = 0
        for message in messages {
            guard message.count + 1 <= budget else { break }
            budget -= message.count + 1
            count += 1
        }
        return count
    }

    private func syncReply(_ id: String, _ pages: [SyncPage]) -> [UInt8] {
        Wire.reply(id) { writer in
            writer.key("groups")
            writer.beginArray()
            for page in pages {
                writer.beginObject()
                writer.key("group")
                writer.int(page.group.rawValue)
                if let error = page.error {
                    writer.key("error")
                    writer.string(error.code.rawValue)
                } else {
                    writer.key("messages")
                    writer.beginArray()
                    for message in page.messages { writer.raw(message) }
                    writer.endArray()
                    writer.key("more")
                    writer.bool(page.more)
                }
                writer.endObject()
            }
            writer.endArray()
        }
    }

    /// `history`: the `limit` messages before `before` (default: the newest), ascending.
    func history(_ id: GroupID, before: Int64?, limit: Int, id requestID: String, session: Session) throws(HubError) {
        let (group, member) = try requireMember(id, session)
        let end = min(before ?? (group.lastSeq + 1), group.lastSeq + 1)
        let floor = member.joinedSeq
        let ring = group.recent.entries(before: end, limit: limit)
        let wanted = max(0, min(Int64(limit), end - 1 - floor))
        if Int64(ring.count) >= wanted || ring.first.map({ $0.seq <= floor + 1 }) == true {
            let visible = ring.filter { $0.seq > floor }.map(\.encoded)
            return output.send(historyReply(requestID, newestFitting(visible), floor: floor), to: session)
        }
        store.readMessages([MessageQuery(group: group.id, before: end, limit: limit)]) { [self] result in
            queue.async {
                guard case .success(let pages) = result else {
                    return self.output.send(Wire.error(.storage, id: requestID), to: session)
                }
                let visible = (pages.first ?? []).filter { $0.seq > floor }.map { Wire.messageObject($0) }
                self.output.send(self.historyReply(requestID, self.newestFitting(visible), floor: floor), to: session)
            }
        }
    }

    /// The newest messages that fit the reply budget (the client pages further back with `before`).
    private func newestFitting(_ messages: [[UInt8]]) -> [[UInt8]] {
        var budget = configuration.maxReplyBytes
        let fits = Self.prefixFitting(messages.reversed(), budget: &budget)
        return Array(messages.suffix(fits))
    }

    private func historyReply(_ id: String, _ messages: [[UInt8]], floor: Int64) -> [UInt8] {
        Wire.reply(id) { writer in
            writer.key("messages")
            writer.beginArray()
            for message in messages { writer.raw(message) }
            writer.endArray()
            writer.key("joinedSeq")
            writer.int(floor)
        }
    }

    /// `conversations`: every group of the caller with head, read cursor, unread count and newest message.
    func conversations(id: String, session: Session) {
        let ids = (groupsOfUser[session.user] ?? []).sorted()
        let reply = Wire.reply(id) { writer in
            writer.key("conversations")
            writer.beginArray()
            for groupID in ids {
                guard let group = groups[groupID], let member = group.members[session.user] else { continue }
                writer.beginObject()
                writeSummary(group, into: &writer)
                writer.key("role")
                writer.string(member.role.rawValue)
                writer.key("readSeq")
                writer.int(max(member.readSeq, member.joinedSeq))
                writer.key("unread")
                writer.int(max(0, group.lastSeq - max(member.readSeq, member.joinedSeq)))
                if let until = member.mutedUntil, until > clock() {
                    writer.key("mutedUntil")
                    writer.int(until)
                }
                writer.key("last")
                if let last = group.recent.last, last.seq > member.joinedSeq {
                    writer.raw(last.encoded)
                } else {
                    writer.null()
                }
                writer.endObject()
            }
            writer.endArray()
        }
        output.send(reply, to: session)
    }

    /// Fields every group description shares (conversation lists, group.info).
    func writeSummary(_ group: Group, into writer: inout JSONWriter) {
        writer.key("group")
        writer.int(group.id.rawValue)
        writer.key("kind")
        writer.string(group.record.kind.rawValue)
        writer.key("name")
        writer.string(group.record.name)
        writer.key("head")
        writer.int(group.lastSeq)
        writer.key("memberCount")
        writer.int(group.members.count)
        writer.key("muteAll")
        writer.bool(group.record.muteAll)
        writer.key("frozen")
        writer.bool(group.record.frozen)
        writer.key("dissolved")
        writer.bool(group.record.dissolved)
        writer.key("allowMemberCards")
        writer.bool(group.record.allowMemberCards)
    }
}

/// One group's part of a sync reply.
struct SyncPage {
    var group: GroupID
    var messages: [[UInt8]] = []
    /// The seqs of `messages`.
    var seqs: [Int64] = []
    /// The newest seq the page holds (or its starting cursor when empty).
    var last: Int64 = 0
    var more = false
    var error: HubError?

    init(group: GroupID, after: Int64) {
        self.group = group
        self.last = after
    }

    init(group: GroupID, error: HubError) {
        self.group = group
        self.error = error
    }
}
