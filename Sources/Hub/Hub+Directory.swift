extension Hub {
    /// Applies a directory import: upserts records, then brings every affected class and course group in line —
    /// one group per class (counselors admin, active students members), one per course (first teacher owner,
    /// other teachers admins, students members). Only `directory` memberships are added or removed; manual ones
    /// and frozen or dissolved groups are left alone. Every group change is a system message.
    /// Idempotent: the same data again changes nothing. `completion` runs on the hub queue once durable. An import
    /// that changes anything is audited as done by `actor` (nil: the command line).
    public func importDirectory(
        _ directory: Directory,
        by actor: UserID? = nil,
        completion: @escaping (Result<ImportReport, HubError>) -> Void
    ) {
        var report = ImportReport()
        var ops: [WriteOp] = []
        var undo: [() -> Void] = []
        var affectedClasses: Set<String> = []
        var deactivated: [UserID] = []

        for unit in directory.orgUnits {
            let old = orgUnits[unit.id]
            count(&report.orgUnits, old: old, new: unit)
            guard old != unit else { continue }
            orgUnits[unit.id] = unit
            undo.append { [self] in orgUnits[unit.id] = old }
            ops.append(.upsertOrgUnit(unit))
            if unit.kind == .class { affectedClasses.insert(unit.id) }
        }
        for user in directory.users {
            let old = users[user.id]
            count(&report.users, old: old, new: user)
            guard old != user else { continue }
            users[user.id] = user
            undo.append { [self] in users[user.id] = old }
            ops.append(.upsertUser(user))
            if let classID = old?.classID { affectedClasses.insert(classID) }
            if let classID = user.classID { affectedClasses.insert(classID) }
            if !user.active, old?.active == true { deactivated.append(user.id) }
        }
        for course in directory.courses {
            let old = courses[course.id]
            count(&report.courses, old: old, new: course)
            guard old != course else { continue }
            courses[course.id] = course
            undo.append { [self] in courses[course.id] = old }
            ops.append(.upsertCourse(course))
        }

        var changes: [GroupChange] = []
        // Deactivated users leave their directory groups first, so class and course sync sees them gone.
        for user in deactivated {
            for groupID in (groupsOfUser[user] ?? []).sorted() {
                guard let group = groups[groupID], group.members[user]?.source == .directory else { continue }
                if group.record.frozen || group.record.dissolved { continue }
                changes.append(sync(group, desired: nil, removing: [user]))
            }
        }
        var studentsByClass: [String: [UserID]] = [:]
        if !affectedClasses.isEmpty {
            for user in users.values where user.active && user.roles.contains(.student) {
                if let classID = user.classID, affectedClasses.contains(classID) {
                    studentsByClass[classID, default: []].append(user.id)
                }
            }
        }
        for classID in affectedClasses.sorted() {
            guard let unit = orgUnits[classID], unit.kind == .class else { continue }
            var desired: [UserID: MemberRole] = [:]
            for user in studentsByClass[classID] ?? [] { desired[user] = .member }
            for counselor in unit.counselors {
                guard let user = users[counselor] else {
                    report.unknownUsers.append(counselor)
                    continue
                }
                guard user.active else { continue }
                desired[counselor] = .admin
            }
            changes.append(
                directoryGroup(key: "class:\(classID)", kind: .class, name: unit.name, owner: nil, desired: desired)
            )
        }
        for course in directory.courses {
            guard let current = courses[course.id] else { continue }
            let teachers = current.teachers.filter { users[$0]?.active == true }
            report.unknownUsers += current.teachers.filter { users[$0] == nil }
            var desired: [UserID: MemberRole] = [:]
            for student in current.students {
                guard let user = users[student] else {
                    report.unknownUsers.append(student)
                    continue
                }
                if user.active { desired[student] = .member }
            }
            for teacher in teachers { desired[teacher] = teacher == teachers.first ? .owner : .admin }
            changes.append(
                directoryGroup(
                    key: "course:\(course.id)",
                    kind: .course,
                    name: current.name,
                    owner: teachers.first,
                    desired: desired
                )
            )
        }

        for change in changes {
            report.groupsCreated += change.created ? 1 : 0
            report.groupsRenamed += change.renamed ? 1 : 0
            report.membersAdded += change.added.count
            report.membersRemoved += change.removed.count
            report.adminsSet += change.promoted.count
            report.groupsSkipped += change.skipped ? 1 : 0
            ops += change.ops
            undo += change.undo
        }
        report.usersDeactivated = deactivated.count
        report.unknownUsers = Array(Set(report.unknownUsers)).sorted()
        guard !ops.isEmpty else { return completion(.success(report)) }
        ops.append(
            audit(
                .directoryImport,
                by: actor,
                target: nil,
                [
                    "users": .int(Int64(directory.users.count)), "membersAdded": .int(Int64(report.membersAdded)),
                    "membersRemoved": .int(Int64(report.membersRemoved)),
                ]
            )
        )

        write(ops, undo: undo) { [self] result in
            guard case .success(let outcomes) = result else { return completion(.failure(.storage)) }
            for change in changes { goLive(change.group, users: change.added) }
            completion(.success(report))
            // Each group's notices reach its live members, and the members it removed — nobody else.
            var index = 0
            for change in changes {
                let messages: [NewMessage] = change.ops.compactMap {
                    if case .appendMessage(let message) = $0 { return message }
                    return nil
                }
                for (message, outcome) in zip(messages, outcomes[index...]) {
                    if case .appended(let seq) = outcome {
                        deliver(StoredMessage(seq: seq, message: message), alsoTo: change.removed)
                    }
                }
                index += messages.count
            }
            for user in deactivated {
                for session in sessionsOfUser[user]?.values ?? [:].values {
                    output.close(session, code: CloseCodes.unknownUser, reason: "user deactivated")
                }
            }
        }
    }

    private func count<T: Equatable>(_ counts: inout ImportReport.Counts, old: T?, new: T) {
        if old == nil {
            counts.created += 1
        } else if old != new {
            counts.updated += 1
        } else {
            counts.unchanged += 1
        }
    }

    /// The changes that make the group with `key` match `desired` (creating it if needed).
    private func directoryGroup(
        key: String,
        kind: GroupKind,
        name: String,
        owner: UserID?,
        desired: [UserID: MemberRole]
    ) -> GroupChange {
        var change: GroupChange
        if let id = groupByExternalKey[key], let group = groups[id] {
            change = GroupChange(group: group)
            if group.record.frozen || group.record.dissolved {
                change.skipped = true
                return change
            }
            if group.record.name != name || group.record.owner != owner {
                change.undo.append(restoring(group))
                change.renamed = group.record.name != name
                group.record.name = name
                group.record.owner = owner
                change.ops.append(.upsertGroup(group.record))
                if change.renamed {
                    change.ops.append(
                        systemMessage(
                            group,
                            Wire.systemBody("renamed") {
                                $0.key("name")
                                $0.string(name)
                                $0.key("by")
                                $0.null()
                            }
                        )
                    )
                }
            }
        } else {
            let record = GroupRecord(
                id: GroupID(nextGroupID),
                kind: kind,
                name: name,
                externalKey: key,
                owner: owner,
                createdAt: clock()
            )
            nextGroupID += 1
            let group = Group(record: record, members: [], lastSeq: 0, recentCapacity: configuration.recentMessages)
            register(group)
            change = GroupChange(group: group)
            change.created = true
            change.undo.append { [self] in
                groups[record.id] = nil
                groupByExternalKey[key] = nil
            }
            change.ops.append(.upsertGroup(record))
            change.ops.append(
                systemMessage(
                    group,
                    Wire.systemBody("group_created") {
                        $0.key("name")
                        $0.string(name)
                        $0.key("by")
                        $0.null()
                    }
                )
            )
        }
        let synced = sync(change.group, desired: desired, removing: [])
        change.ops += synced.ops
        change.undo += synced.undo
        change.added = synced.added
        change.removed = synced.removed
        change.promoted = synced.promoted
        return change
    }

    /// Adds, promotes and removes directory members of `group` to match `desired` (nil: only remove `removing`).
    private func sync(_ group: Group, desired: [UserID: MemberRole]?, removing: [UserID]) -> GroupChange {
        var change = GroupChange(group: group)
        var removed = removing
        var added: [UserID] = []
        var promoted: [UserID] = []
        if let desired {
            for (user, member) in group.members where member.source == .directory && desired[user] == nil {
                removed.append(user)
            }
            for (user, role) in desired {
                if let member = group.members[user] {
                    // Roles only go up from the directory: a monitor a counselor made admin stays admin.
                    if member.source == .manual || member.role.rank > role.rank { promoted.append(user) }
                } else {
                    added.append(user)
                }
            }
        }
        removed.sort()
        added.sort()
        promoted.sort()
        let touched = removed + added + promoted
        guard !touched.isEmpty else { return change }
        change.undo.append(restoringMembers(group, touched))
        for user in removed {
            dropMember(group, user)
            change.ops.append(.removeMember(group.id, user))
        }
        let joined = joinSeq(group)
        for user in added {
            let member = MemberRecord(
                user: user,
                role: desired?[user] ?? .member,
                source: .directory,
                joinedSeq: joined,
                readSeq: joined
            )
            putMember(group, member)
            change.ops.append(.upsertMember(group.id, member))
        }
        for user in promoted {
            guard var member = group.members[user], let role = desired?[user] else { continue }
            member.source = .directory
            if member.role.rank > role.rank { member.role = role }
            putMember(group, member)
            change.ops.append(.upsertMember(group.id, member))
        }
        let promotedToAdmin = promoted.filter { group.members[$0]?.role != .member }
        if !added.isEmpty {
            change.ops.append(
                systemMessage(
                    group,
                    Wire.systemBody("members_added") {
                        $0.users("users", added)
                        $0.key("by")
                        $0.null()
                    }
                )
            )
        }
        if !removed.isEmpty {
            change.ops.append(
                systemMessage(
                    group,
                    Wire.systemBody("members_removed") {
                        $0.users("users", removed)
                        $0.key("by")
                        $0.null()
                    }
                )
            )
        }
        for user in promotedToAdmin where desired?[user] != .member {
            change.ops.append(
                systemMessage(
                    group,
                    Wire.systemBody("admin_set") {
                        $0.key("user")
                        $0.string(user)
                        $0.key("by")
                        $0.null()
                    }
                )
            )
        }
        change.added = added
        change.removed = removed
        change.promoted = promotedToAdmin
        return change
    }
}

/// The write operations and in-memory undo for one group during an import.
struct GroupChange {
    let group: Group
    var ops: [WriteOp] = []
    var undo: [() -> Void] = []
    var created = false
    var renamed = false
    var skipped = false
    var added: [UserID] = []
    var removed: [UserID] = []
    var promoted: [UserID] = []

    init(group: Group) {
        self.group = group
    }
}
