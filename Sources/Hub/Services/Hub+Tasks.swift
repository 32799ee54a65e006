import JSON

extension Hub {
    /// `task.publish`: a class task for the group's members of this moment; automatic reminders are scheduled at
    /// the given offsets before the deadline.
    func publishTask(
        _ id: GroupID,
        clientMsgID: String,
        definition value: JSONValue,
        id requestID: String,
        session: Session
    ) throws(HubError) {
        // A retry gets the original even if the publisher was muted (or the group frozen) since, as for `send`.
        if try answerRepeatedPublish(.task, clientMsgID: clientMsgID, id: requestID, session: session) { return }
        let (group, member) = try requireManager(id, session)
        try requireNotInbox(group)
        let now = clock()
        // Publishing is posting: a muted admin may not (school admins who are not members are never muted).
        if let member { try requirePoster(group, member, now: now) } else { try requireWritable(group) }
        var fields: JSONFields
        let title: String
        let description: String
        let deadline: Timestamp?
        let attachments: [String]
        let linkedCard: Int64?
        let reminders: [Int64]
        do throws(JSONFieldError) {
            fields = try JSONFields(value, path: "task")
            title = try fields.string("title", maxBytes: 400, nonEmpty: true)
            description = try fields.optionalString("description", maxBytes: 20_000) ?? ""
            deadline = try fields.optionalInt("deadline", in: (now + 1)...Int64.max)
            attachments =
                try fields.optionalStringArray("attachments", maxCount: 20, maxBytes: 128, nonEmpty: true) ?? []
            linkedCard = try fields.optionalInt("card", in: 1...Int64.max)
            reminders = try fields.optionalIntArray("reminders", maxCount: 5, in: 60...(30 * 86_400)) ?? []
            try fields.rejectUnknownFields()
        } catch {
            throw .invalid(error.message)
        }
        guard title.count <= 100 else { throw .invalid("Field 'task.title' has more than 100 characters.") }
        if !reminders.isEmpty, deadline == nil { throw .invalid("Field 'task.reminders' needs a deadline.") }
        if let linkedCard, cards[linkedCard]?.group != group.id {
            throw HubError(.cardNotFound, "Card \(linkedCard) is not an open card of this group.")
        }
        var ops: [WriteOp] = []
        for object in attachments {
            if let share = try shareable(object, by: session.user, in: group.id) { ops.append(share) }
        }
        let task = ClassTask(
            id: nextRecordID(.task),
            group: group.id,
            title: title,
            description: description,
            deadline: deadline,
            attachments: attachments,
            card: linkedCard,
            publisher: session.user,
            createdAt: now,
            reminders: Array(Set(reminders)).sorted(by: >),
            recipients: group.members.keys.filter { $0 != session.user }.sorted()
        )
        task.clientMsgID = clientMsgID
        let key = session.user + "\u{0}" + clientMsgID
        tasks[task.id] = task
        publishedByClientID[key] = task.id
        var scheduled: [JobRecord] = []
        if let deadline {
            for offset in task.reminders where deadline - offset * 1000 > now {
                let body = JSONValue.object(["task": .int(task.id), "offset": .int(offset)]).encoded()
                scheduled.append(nextJob(dueAt: deadline - offset * 1000, kind: "task.remind", body: body))
            }
        }
        var summary = JSONWriter(capacity: 96)
        summary.beginObject()
        summary.key("task")
        summary.int(task.id)
        summary.key("title")
        summary.string(title)
        if let deadline {
            summary.key("deadline")
            summary.int(deadline)
        }
        summary.endObject()
        let message = NewMessage(
            group: group.id,
            sender: session.user,
            clientMsgID: clientMsgID,
            kind: .task,
            body: summary.bytes,
            createdAt: now
        )
        ops += [.upsertRecord(task.record)] + scheduled.map { .upsertJob($0) } + [.appendMessage(message)]
        let undo = { [self] in
            tasks[task.id] = nil
            if publishedByClientID[key] == task.id { publishedByClientID[key] = nil }
        }
        commitPublish(
            record: task.record,
            jobs: scheduled,
            message: message,
            ops: ops,
            undo: undo,
            id: requestID,
            session: session
        )
    }

    /// Runs `body` with the task, from memory or the store; the caller must be a member of its group or a school
    /// admin.
    func withTask(
        _ id: Int64,
        id requestID: String,
        session: Session,
        _ body: @escaping (ClassTask) throws(HubError) -> Void,
        onError: ((HubError) -> Void)? = nil
    ) throws(HubError) {
        try withRecord(
            .task,
            id,
            inMemory: tasks[id],
            restore: ClassTask.restore,
            group: \.group,
            notFound: HubError(.taskNotFound, "Task \(id) does not exist."),
            id: requestID,
            session: session,
            body,
            onError: onError
        )
    }

    private func canWatch(_ task: ClassTask, _ session: Session) -> Bool {
        task.publisher == session.user || groups[task.group].map { isManager($0, session) } ?? false
    }

    /// `task.get`: the task and the caller's status; progress too for its publisher and the group's managers.
    func describeTask(_ task: ClassTask, id: String, session: Session) {
        let watcher = canWatch(task, session)
        let reply = Wire.reply(id) { writer in
            task.writeDefinition(to: &writer)
            writer.key("recipient")
            writer.bool(task.recipients.contains(session.user))
            writer.key("myStatus")
            if task.recipients.contains(session.user) {
                writer.beginObject()
                task.writeStatus(
                    task.statuses[session.user] ?? ClassTask.Status(state: .todo, at: task.createdAt),
                    to: &writer
                )
                writer.endObject()
            } else {
                writer.null()
            }
            if watcher {
                writer.key("progress")
                writer.beginObject()
                task.writeProgress(to: &writer)
                writer.endObject()
            }
        }
        output.send(reply, to: session)
    }

    /// `task.progress`: counts and lists, for the publisher and the group's managers.
    func taskProgress(_ task: ClassTask, id: String, session: Session) throws(HubError) {
        guard canWatch(task, session) else { throw .forbidden("the task's publisher and the group's owner and admins") }
        output.send(Wire.reply(id) { task.writeProgress(to: &$0) }, to: session)
    }

    /// `task.complete` / `task.undo`: a recipient marks the task done (with an optional note or attachment) or
    /// back to do. Undo takes back a completion only: an excuse is the watchers' to take back.
    func setTaskState(
        _ id: Int64,
        _ state: ClassTask.State,
        note: String?,
        attachment: String?,
        id requestID: String,
        session: Session
    ) throws(HubError) {
        guard let task = tasks[id], task.closedAt == nil else {
            throw HubError(.taskNotFound, "Task \(id) does not exist or is closed.")
        }
        let (group, _) = try requireMember(task.group, session)
        try requireWritable(group)
        guard task.recipients.contains(session.user) else {
            throw HubError(.notRecipient, "This task was published before you joined the group (or by you).")
        }
        if state == .todo {
            switch task.state(of: session.user) {
            case .done:
                break
            case .todo:
                let status = task.statuses[session.user] ?? ClassTask.Status(state: .todo, at: task.createdAt)
                return output.send(Wire.reply(requestID) { task.writeStatus(status, to: &$0) }, to: session)
            case .excused:
                throw .invalid(
                    "You are excused from this task; only its publisher or the group's managers can change that."
                )
            }
        }
        var ops: [WriteOp] = []
        if let attachment, let share = try shareable(attachment, by: session.user, in: group.id) { ops.append(share) }
        let now = clock()
        let previous = task.statuses[session.user]
        task.statuses[session.user] = ClassTask.Status(
            state: state,
            note: state == .done ? note : nil,
            attachment: state == .done ? attachment : nil,
            at: now,
            late: state == .done && (task.deadline.map { now > $0 } ?? false)
        )
        ops.append(.upsertEntry(task.entry(for: session.user)!))
        write(ops, undo: [{ task.statuses[session.user] = previous }]) { [self] result in
            guard case .success = result else { return output.send(Wire.error(.storage, id: requestID), to: session) }
            applyShares(ops)
            progressDirty.insert(task.id)
            output.send(
                Wire.reply(requestID) { writer in
                    task.writeStatus(task.statuses[session.user]!, to: &writer)
                },
                to: session
            )
        }
    }

    /// `task.excuse`: the publisher or a manager excuses a member who has not done it yet, or takes an excuse back.
    /// Neither touches a completion: it is the member's.
    func excuse(_ id: Int64, user: UserID, excused: Bool, id requestID: String, session: Session) throws(HubError) {
        guard let task = tasks[id], task.closedAt == nil else {
            throw HubError(.taskNotFound, "Task \(id) does not exist or is closed.")
        }
        let (group, _) = try groupForMember(task.group, session)
        guard canWatch(task, session) else { throw .forbidden("the task's publisher and the group's owner and admins") }
        try requireWritable(group)
        guard task.recipients.contains(user) else {
            throw HubError(.notRecipient, "User '\(user)' is not asked to do this task.")
        }
        switch (excused, task.state(of: user)) {
        case (true, .todo), (false, .excused):
            break
        case (true, .excused), (false, .todo), (false, .done):
            return output.send(Wire.reply(requestID), to: session)
        case (true, .done):
            throw .invalid("User '\(user)' has already done this task; an excuse would discard their completion.")
        }
        let previous = task.statuses[user]
        task.statuses[user] = ClassTask.Status(state: excused ? .excused : .todo, at: clock())
        write([.upsertEntry(task.entry(for: user)!)], undo: [{ task.statuses[user] = previous }]) { [self] result in
            guard case .success = result else { return output.send(Wire.error(.storage, id: requestID), to: session) }
            progressDirty.insert(task.id)
            output.send(Wire.reply(requestID), to: session)
        }
    }

    /// `task.remind` (一键提醒): one reminder in the inbox of every member who has not finished, live on all their
    /// devices and kept for those offline. At most once per `taskRemindInterval` per task; not while the group is
    /// frozen or dissolved.
    func remind(_ id: Int64, id requestID: String, session: Session) throws(HubError) {
        guard let task = tasks[id], task.closedAt == nil else {
            throw HubError(.taskNotFound, "Task \(id) does not exist or is closed.")
        }
        let (group, _) = try groupForMember(task.group, session)
        guard canWatch(task, session) else { throw .forbidden("the task's publisher and the group's owner and admins") }
        try requireWritable(group)
        let now = clock()
        if let last = task.lastRemindAt {
            let wait = Int64(configuration.taskRemindInterval * 1000) - (now - last)
            if wait > 0 {
                var error = HubError(
                    .rateLimited,
                    "Members of this task were reminded recently; remind again in \((wait + 999) / 1000) s."
                )
                error.retryAfter = Double(wait) / 1000
                throw error
            }
        }
        let previous = task.lastRemindAt
        task.lastRemindAt = now
        sendReminders(
            task,
            by: session.user,
            auto: false,
            extraOps: [.upsertRecord(task.record)],
            undo: { task.lastRemindAt = previous },
            completion: { [self] result in
                switch result {
                case .success(let count):
                    output.send(
                        Wire.reply(requestID) {
                            $0.key("reminded")
                            $0.int(count)
                        },
                        to: session
                    )
                case .failure: output.send(Wire.error(.storage, id: requestID), to: session)
                }
            }
        )
    }

    /// Appends a reminder to the inbox of each unfinished member in one write unit (with `extraOps`), then pushes
    /// each to its owner's devices.
    func sendReminders(
        _ task: ClassTask,
        by user: UserID?,
        auto: Bool,
        extraOps: [WriteOp],
        undo: @escaping () -> Void,
        completion: @escaping (Result<Int, StoreError>) -> Void
    ) {
        let recipients = task.unfinished.filter { users[$0]?.active == true }
        let groupName = groups[task.group]?.record.name ?? ""
        let body = Wire.systemBody("task_reminder") { writer in
            writer.key("task")
            writer.int(task.id)
            writer.key("group")
            writer.int(task.group.rawValue)
            writer.key("groupName")
            writer.string(groupName)
            writer.key("title")
            writer.string(task.title)
            if let deadline = task.deadline {
                writer.key("deadline")
                writer.int(deadline)
            }
            writer.optionalString("by", user)
            writer.key("auto")
            writer.bool(auto)
        }
        appendToInboxes(recipients, body: body, extraOps: extraOps, undo: undo, completion: completion)
    }

    /// Runs due jobs; each job's deletion is in the same write unit as its work, so it happens exactly once. A
    /// reminder due while its group is frozen or dissolved is dropped, as `task.remind` would be refused.
    func runDueJobs() {
        let now = clock()
        for job in jobs.popDue(now) {
            observer?.jobRan(lateBySeconds: Double(now - job.dueAt) / 1000)
            if job.kind.hasPrefix("news.") {
                runNewsJob(job)
                continue
            }
            if job.kind.hasPrefix("community.") {
                runCommunityJob(job)
                continue
            }
            guard job.kind == "task.remind", let body = try? JSONParser.parse(job.body),
                let taskID = body["task"]?.int64Value,
                let task = tasks[taskID], task.closedAt == nil,
                let group = groups[task.group], !group.record.frozen, !group.record.dissolved
            else {
                write([.deleteJob(job.id)]) { _ in }
                continue
            }
            sendReminders(
                task,
                by: nil,
                auto: true,
                extraOps: [.deleteJob(job.id)],
                undo: { [self] in jobs.insert(job) },
                completion: { _ in }
            )
        }
    }
}
