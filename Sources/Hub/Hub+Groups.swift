import JSON

extension Hub {
    /// Writes a group change with its system message; replies when durable, then runs `after`.
    func commitChange(
        _ group: Group,
        ops: [WriteOp],
        undo: [() -> Void],
        id: String,
        session: Session,
        alsoTo extraUsers: [UserID] = [],
        reply: @escaping (inout JSONWriter) -> Void = { _ in },
        after: @escaping () -> Void = {}
    ) {
        write(
            ops,
            undo: undo,
            completion: deliverSystemMessages(
                ops,
                alsoTo: extraUsers,
                then: { [self] result in
                    switch result {
                    case .success:
                        output.send(Wire.reply(id, reply), to: session)
                    case .failure:
                        output.send(Wire.error(.storage, id: id), to: session)
                    }
                },
                afterDelivery: after
            )
        )
    }

    /// Undo for a change to the group record.
    func restoring(_ group: Group) -> () -> Void {
        let saved = group.record
        return { group.record = saved }
    }

    /// Adds or replaces a membership in memory (indexes included).
    func putMember(_ group: Group, _ member: MemberRecord) {
        group.members[member.user] = member
        groupsOfUser[member.user, default: []].insert(group.id)
    }

    /// Removes a membership in memory; the user's sessions stop receiving the group.
    func dropMember(_ group: Group, _ user: UserID) {
        group.members[user] = nil
        groupsOfUser[user]?.remove(group.id)
        group.removeLive(user: user)
    }

    /// Undo for membership changes: restores the listed users' memberships as they are now.
    func restoringMembers(_ group: Group, _ users: [UserID]) -> () -> Void {
        let saved = users.map { ($0, group.members[$0]) }
        return { [self] in
            for (user, member) in saved {
                if let member { putMember(group, member) } else { dropMember(group, user) }
            }
        }
    }

    /// The seq a member joining now starts after (the next message may already be queued).
    func joinSeq(_ group: Group) -> Int64 {
        group.lastSeq + Int64(group.pendingAppends)
    }

    /// Makes the connected sessions of `users` live in `group` (after they were added and the notice committed).
    func goLive(_ group: Group, users: [UserID]) {
        guard !group.record.dissolved else { return }
        for user in users where group.members[user] != nil {
            for session in sessionsOfUser[user]?.values ?? [:].values { group.addLive(session) }
        }
    }

    func requireUsers(_ users: [UserID]) throws(HubError) {
        for user in users {
            guard let record = self.users[user], record.active else {
                throw HubError(.userNotFound, "User '\(user)' is not in the directory or is no longer active.")
            }
        }
    }

    func validName(_ name: String) throws(HubError) -> String {
        let trimmed = String(name.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        guard !trimmed.isEmpty, trimmed.count <= configuration.maxGroupNameLength,
            !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalid(
                "A group name has 1 to \(configuration.maxGroupNameLength) characters and no control characters."
            )
        }
        return trimmed
    }

    // MARK: Commands

    func groupInfo(_ id: GroupID, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try groupForMember(id, session)
        let members = group.members.values.sorted {
            ($0.role.rank, $0.user) < ($1.role.rank, $1.user)
        }
        let now = clock()
        let reply = Wire.reply(requestID) { [self] writer in
            writeSummary(group, into: &writer)
            writer.optionalString("owner", group.record.owner)
            writer.key("members")
            writer.beginArray()
            for member in members {
                writer.beginObject()
                writer.key("user")
                writer.string(member.user)
                writer.key("name")
                writer.string(users[member.user]?.name ?? "")
                writer.key("role")
                writer.string(member.role.rawValue)
                if let until = member.mutedUntil, until > now {
                    writer.key("mutedUntil")
                    writer.int(until)
                }
                writer.endObject()
            }
            writer.endArray()
        }
        output.send(reply, to: session)
    }

    func createOfficeGroup(name: String, members: [UserID], id: String, session: Session) throws(HubError) {
        guard !session.roles.isDisjoint(with: [.teacher, .counselor, .staff, .admin]) else {
            throw .forbidden("teachers, counselors, staff and school admins")
        }
        let name = try validName(name)
        var invited = Array(Set(members).subtracting([session.user])).sorted()
        try requireUsers([session.user] + invited)
        guard invited.count + 1 <= configuration.maxGroupMembers else {
            throw HubError(.groupFull, "A group has at most \(configuration.maxGroupMembers) members.")
        }
        let groupID = GroupID(nextGroupID)
        nextGroupID += 1
        let record = GroupRecord(id: groupID, kind: .office, name: name, owner: session.user, createdAt: clock())
        let group = Group(record: record, members: [], lastSeq: 0, recentCapacity: configuration.recentMessages)
        register(group)
        invited.removeAll { $0 == session.user }
        let everyone = [session.user] + invited
        var ops: [WriteOp] = [.upsertGroup(record)]
        for user in everyone {
            let member = MemberRecord(
                user: user,
                role: user == session.user ? .owner : .member,
                source: .manual,
                joinedSeq: 0,
                readSeq: 0
            )
            putMember(group, member)
            ops.append(.upsertMember(groupID, member))
        }
        ops.append(
            systemMessage(
                group,
                Wire.systemBody("group_created") { writer in
                    writer.key("name")
                    writer.string(name)
                    writer.key("by")
                    writer.string(session.user)
                    writer.users("members", everyone)
                }
            )
        )
        let undo = { [self] in
            for user in everyone { dropMember(group, user) }
            groups[groupID] = nil
        }
        // Members go live first so the creation notice reaches them as a push.
        write(ops, undo: [undo]) { [self] result in
            switch result {
            case .success:
                goLive(group, users: everyone)
                output.send(
                    Wire.reply(id) {
                        $0.key("group")
                        $0.int(groupID.rawValue)
                    },
                    to: session
                )
                deliverSystemMessages(ops)(result)
            case .failure:
                output.send(Wire.error(.storage, id: id), to: session)
            }
        }
    }

    func rename(_ id: GroupID, name: String, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireManager(id, session)
        try requireWritable(group)
        let name = try validName(name)
        guard name != group.record.name else { return output.send(Wire.reply(requestID), to: session) }
        let undo = restoring(group)
        group.record.name = name
        let notice = systemMessage(
            group,
            Wire.systemBody("renamed") { writer in
                writer.key("name")
                writer.string(name)
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(group, ops: [.upsertGroup(group.record), notice], undo: [undo], id: requestID, session: session)
    }

    func addMembers(_ id: GroupID, users: [UserID], id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireManager(id, session)
        try requireWritable(group)
        let added = Array(Set(users)).sorted()
        guard !added.isEmpty else { throw .invalid("Field 'users' must name at least one user.") }
        try requireUsers(added)
        if let existing = added.first(where: { group.members[$0] != nil }) {
            throw HubError(.alreadyMember, "User '\(existing)' is already a member.")
        }
        guard group.members.count + added.count <= configuration.maxGroupMembers else {
            throw HubError(.groupFull, "A group has at most \(configuration.maxGroupMembers) members.")
        }
        let undo = restoringMembers(group, added)
        let joined = joinSeq(group)
        var ops: [WriteOp] = []
        for user in added {
            let member = MemberRecord(user: user, role: .member, source: .manual, joinedSeq: joined, readSeq: joined)
            putMember(group, member)
            ops.append(.upsertMember(group.id, member))
        }
        ops.append(
            systemMessage(
                group,
                Wire.systemBody("members_added") { writer in
                    writer.users("users", added)
                    writer.key("by")
                    writer.string(session.user)
                }
            )
        )
        write(ops, undo: [undo]) { [self] result in
            if case .success = result { goLive(group, users: added) }
            deliverSystemMessages(ops) { [self] delivered in
                switch delivered {
                case .success: output.send(Wire.reply(requestID), to: session)
                case .failure: output.send(Wire.error(.storage, id: requestID), to: session)
                }
            }(result)
        }
    }

    func removeMembers(_ id: GroupID, users: [UserID], id requestID: String, session: Session) throws(HubError) {
        let (group, actor) = try requireManager(id, session)
        let removed = Array(Set(users)).sorted()
        guard !removed.isEmpty else { throw .invalid("Field 'users' must name at least one user.") }
        for user in removed {
            guard let member = group.members[user] else {
                throw HubError(.notMember, "User '\(user)' is not a member of this group.")
            }
            if member.role == .owner { throw .forbidden("nobody (transfer ownership first) — the owner") }
            if member.role == .admin, actor?.role != .owner, !session.roles.contains(.admin) {
                throw .forbidden("the group's owner (to remove an admin)")
            }
            if member.source == .directory {
                throw HubError(
                    .directoryManaged,
                    "User '\(user)' belongs to this group through the school directory; change it there."
                )
            }
        }
        try requireWritable(group)
        let undo = restoringMembers(group, removed)
        var ops: [WriteOp] = []
        for user in removed {
            dropMember(group, user)
            ops.append(.removeMember(group.id, user))
        }
        ops.append(
            systemMessage(
                group,
                Wire.systemBody("members_removed") { writer in
                    writer.users("users", removed)
                    writer.key("by")
                    writer.string(session.user)
                }
            )
        )
        commitChange(group, ops: ops, undo: [undo], id: requestID, session: session, alsoTo: removed)
    }

    func leave(_ id: GroupID, id requestID: String, session: Session) throws(HubError) {
        let (group, member) = try requireMember(id, session)
        if member.role == .owner {
            throw HubError(.ownerCannotLeave, "Transfer ownership before leaving the group.")
        }
        if member.source == .directory {
            throw HubError(.directoryManaged, "You belong to this group through the school directory.")
        }
        try requireWritable(group)
        let undo = restoringMembers(group, [session.user])
        dropMember(group, session.user)
        let ops: [WriteOp] = [
            .removeMember(group.id, session.user),
            systemMessage(
                group,
                Wire.systemBody("member_left") {
                    $0.key("user")
                    $0.string(session.user)
                }
            ),
        ]
        commitChange(group, ops: ops, undo: [undo], id: requestID, session: session, alsoTo: [session.user])
    }

    /// The owner sets admins; in a class group, which has no owner, its counselors (directory admins) do.
    func setAdmin(_ id: GroupID, user: UserID, admin: Bool, id requestID: String, session: Session) throws(HubError) {
        let (group, actor) = try groupForMember(id, session)
        let counselorOfClass = group.record.owner == nil && actor?.role == .admin && actor?.source == .directory
        guard actor?.role == .owner || counselorOfClass || session.roles.contains(.admin) else {
            throw .forbidden(group.record.owner == nil ? "the group's counselors" : "the group's owner")
        }
        try requireWritable(group)
        guard var member = group.members[user] else {
            throw HubError(.notMember, "User '\(user)' is not a member of this group.")
        }
        if !admin, member.role == .admin, member.source == .directory, group.record.externalKey != nil {
            throw HubError(.directoryManaged, "User '\(user)' administers this group through the school directory.")
        }
        guard member.role != .owner else {
            throw .invalid("The owner's role cannot change; transfer ownership instead.")
        }
        let role: MemberRole = admin ? .admin : .member
        guard member.role != role else { return output.send(Wire.reply(requestID), to: session) }
        let undo = restoringMembers(group, [user])
        member.role = role
        putMember(group, member)
        let notice = systemMessage(
            group,
            Wire.systemBody(admin ? "admin_set" : "admin_unset") { writer in
                writer.key("user")
                writer.string(user)
                writer.key("by")
                writer.string(session.user)
            }
        )
        let audited = audit(
            admin ? .adminSet : .adminUnset,
            by: session.user,
            target: "group:\(group.id.rawValue)",
            ["user": .string(user)]
        )
        commitChange(
            group,
            ops: [.upsertMember(group.id, member), notice, audited],
            undo: [undo],
            id: requestID,
            session: session
        )
    }

    func transferOwner(_ id: GroupID, to user: UserID, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireOwner(id, session)
        try requireWritable(group)
        guard group.record.externalKey == nil, let previousOwner = group.record.owner else {
            throw HubError(
                .directoryManaged,
                "Class and course groups follow the school directory: class groups have no owner, a course group's owner is its first teacher."
            )
        }
        guard var next = group.members[user] else {
            throw HubError(.notMember, "User '\(user)' is not a member of this group.")
        }
        guard user != previousOwner else { return output.send(Wire.reply(requestID), to: session) }
        let undo = [restoring(group), restoringMembers(group, [previousOwner, user])]
        next.role = .owner
        putMember(group, next)
        var ops: [WriteOp] = [.upsertMember(group.id, next)]
        if var old = group.members[previousOwner] {
            old.role = .admin
            putMember(group, old)
            ops.append(.upsertMember(group.id, old))
        }
        group.record.owner = user
        ops.append(.upsertGroup(group.record))
        ops.append(
            systemMessage(
                group,
                Wire.systemBody("owner_transferred") { writer in
                    writer.key("from")
                    writer.string(previousOwner)
                    writer.key("to")
                    writer.string(user)
                    writer.key("by")
                    writer.string(session.user)
                }
            )
        )
        ops.append(
            audit(
                .ownerTransferred,
                by: session.user,
                target: "group:\(group.id.rawValue)",
                ["from": .string(previousOwner), "to": .string(user)]
            )
        )
        commitChange(group, ops: ops, undo: undo, id: requestID, session: session)
    }

    func muteAll(_ id: GroupID, muted: Bool, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireManager(id, session)
        try requireWritable(group)
        guard group.record.muteAll != muted else { return output.send(Wire.reply(requestID), to: session) }
        let undo = restoring(group)
        group.record.muteAll = muted
        let notice = systemMessage(
            group,
            Wire.systemBody("mute_all") { writer in
                writer.key("muted")
                writer.bool(muted)
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(group, ops: [.upsertGroup(group.record), notice], undo: [undo], id: requestID, session: session)
    }

    func muteMember(
        _ id: GroupID,
        user: UserID,
        until: Timestamp?,
        id requestID: String,
        session: Session
    ) throws(HubError) {
        let (group, actor) = try requireManager(id, session)
        try requireWritable(group)
        guard var member = group.members[user] else {
            throw HubError(.notMember, "User '\(user)' is not a member of this group.")
        }
        if member.role == .owner { throw .forbidden("nobody — the owner") }
        if member.role == .admin, actor?.role != .owner, !session.roles.contains(.admin) {
            throw .forbidden("the group's owner (to mute an admin)")
        }
        let now = clock()
        if let until, until <= now { throw .invalid("Field 'until' must be in the future.") }
        let wasMuted = (member.mutedUntil ?? 0) > now
        if until == nil, !wasMuted { return output.send(Wire.reply(requestID), to: session) }
        let undo = restoringMembers(group, [user])
        member.mutedUntil = until
        putMember(group, member)
        if let until { muteExpiries.insert(until, group.id, user) }
        let notice = systemMessage(
            group,
            Wire.systemBody(until == nil ? "member_unmuted" : "member_muted") { writer in
                writer.key("user")
                writer.string(user)
                if let until {
                    writer.key("until")
                    writer.int(until)
                }
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(
            group,
            ops: [.upsertMember(group.id, member), notice],
            undo: [undo],
            id: requestID,
            session: session
        )
    }

    func freeze(_ id: GroupID, frozen: Bool, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireManager(id, session)
        try requireNotDissolved(group)
        guard group.record.frozen != frozen else { return output.send(Wire.reply(requestID), to: session) }
        let undo = restoring(group)
        group.record.frozen = frozen
        let notice = systemMessage(
            group,
            Wire.systemBody("frozen") { writer in
                writer.key("frozen")
                writer.bool(frozen)
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(group, ops: [.upsertGroup(group.record), notice], undo: [undo], id: requestID, session: session)
    }

    func dissolve(_ id: GroupID, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try requireOwner(id, session)
        try requireNotDissolved(group)
        if group.record.externalKey != nil, !session.roles.contains(.admin) {
            throw HubError(
                .directoryManaged,
                "Class and course groups follow the school directory; a school admin may dissolve them."
            )
        }
        let undo = restoring(group)
        group.record.dissolved = true
        let notice = systemMessage(
            group,
            Wire.systemBody("dissolved") {
                $0.key("by")
                $0.string(session.user)
            }
        )
        commitChange(
            group,
            ops: [.upsertGroup(group.record), notice],
            undo: [undo],
            id: requestID,
            session: session,
            after: { [self] in
                for session in group.buckets(loops: loops).joined() { group.removeLive(session) }
            }
        )
    }
}

extension MemberRole {
    /// Sort order in member lists: owner, admins, members.
    var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .member: 2
        }
    }
}
