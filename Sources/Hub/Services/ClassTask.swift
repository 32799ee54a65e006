import JSON

/// A class task (班级任务) and every member's status, on the hub queue.
final class ClassTask: @unchecked Sendable {
    enum State: String, Sendable {
        case todo
        case done
        case excused
    }

    struct Status: Equatable {
        var state: State
        var note: String?
        var attachment: String?
        var at: Timestamp
        /// Marked done after the deadline.
        var late = false
    }

    let id: Int64
    let group: GroupID
    let title: String
    let description: String
    let deadline: Timestamp?
    let attachments: [String]
    /// A card the task asks members to answer, if any.
    let card: Int64?
    let publisher: UserID
    let createdAt: Timestamp
    /// Seconds before the deadline at which unfinished members are reminded automatically.
    let reminders: [Int64]
    var closedAt: Timestamp?
    /// Members when it was published (the publisher excluded).
    let recipients: [UserID]
    /// Members without an entry are `todo`.
    var statuses: [UserID: Status] = [:]
    /// Last one-click reminder (rate limit).
    var lastRemindAt: Timestamp?
    /// The publisher's idempotency key.
    var clientMsgID: String?

    init(
        id: Int64,
        group: GroupID,
        title: String,
        description: String,
        deadline: Timestamp?,
        attachments: [String],
        card: Int64?,
        publisher: UserID,
        createdAt: Timestamp,
        reminders: [Int64],
        recipients: [UserID]
    ) {
        self.id = id
        self.group = group
        self.title = title
        self.description = description
        self.deadline = deadline
        self.attachments = attachments
        self.card = card
        self.publisher = publisher
        self.createdAt = createdAt
        self.reminders = reminders
        self.recipients = recipients
    }

    func state(of user: UserID) -> State { statuses[user]?.state ?? .todo }

    /// Recipients still to do it.
    var unfinished: [UserID] { recipients.filter { state(of: $0) == .todo } }

    // MARK: Storage

    var record: ServiceRecord {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writeDefinition(to: &writer)
        writer.users("recipients", recipients)
        if let lastRemindAt {
            writer.key("lastRemindAt")
            writer.int(lastRemindAt)
        }
        if let clientMsgID {
            writer.key("clientMsgId")
            writer.string(clientMsgID)
        }
        writer.endObject()
        return ServiceRecord(
            kind: .task,
            id: id,
            group: group,
            body: writer.bytes,
            createdAt: createdAt,
            closedAt: closedAt
        )
    }

    /// The fields every member may see.
    func writeDefinition(to writer: inout JSONWriter) {
        writer.key("task")
        writer.int(id)
        writer.key("group")
        writer.int(group.rawValue)
        writer.key("title")
        writer.string(title)
        if !description.isEmpty {
            writer.key("description")
            writer.string(description)
        }
        if let deadline {
            writer.key("deadline")
            writer.int(deadline)
        }
        if !attachments.isEmpty { writer.users("attachments", attachments) }
        if let card {
            writer.key("card")
            writer.int(card)
        }
        writer.key("publisher")
        writer.string(publisher)
        writer.key("createdAt")
        writer.int(createdAt)
        if !reminders.isEmpty {
            writer.key("reminders")
            writer.beginArray()
            for offset in reminders { writer.int(offset) }
            writer.endArray()
        }
    }

    func entry(for user: UserID) -> RecordEntry? {
        guard let status = statuses[user] else { return nil }
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writeStatus(status, to: &writer)
        writer.endObject()
        return RecordEntry(kind: .task, record: id, user: user, body: writer.bytes, updatedAt: status.at)
    }

    func writeStatus(_ status: Status, to writer: inout JSONWriter) {
        writer.key("state")
        writer.string(status.state.rawValue)
        writer.key("at")
        writer.int(status.at)
        if let note = status.note {
            writer.key("note")
            writer.string(note)
        }
        if let attachment = status.attachment {
            writer.key("attachment")
            writer.string(attachment)
        }
        if status.late {
            writer.key("late")
            writer.bool(true)
        }
    }

    static func restore(_ stored: RecordWithEntries) -> ClassTask? {
        guard let value = try? JSONParser.parse(stored.record.body), let title = value["title"]?.stringValue,
            let publisher = value["publisher"]?.stringValue
        else { return nil }
        let task = ClassTask(
            id: stored.record.id,
            group: stored.record.group,
            title: title,
            description: value["description"]?.stringValue ?? "",
            deadline: value["deadline"]?.int64Value,
            attachments: value["attachments"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            card: value["card"]?.int64Value,
            publisher: publisher,
            createdAt: stored.record.createdAt,
            reminders: value["reminders"]?.arrayValue?.compactMap(\.int64Value) ?? [],
            recipients: value["recipients"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
        task.closedAt = stored.record.closedAt
        task.lastRemindAt = value["lastRemindAt"]?.int64Value
        task.clientMsgID = value["clientMsgId"]?.stringValue
        for entry in stored.entries {
            guard let body = try? JSONParser.parse(entry.body),
                let state = State(rawValue: body["state"]?.stringValue ?? "")
            else {
                continue
            }
            task.statuses[entry.user] = Status(
                state: state,
                note: body["note"]?.stringValue,
                attachment: body["attachment"]?.stringValue,
                at: body["at"]?.int64Value ?? entry.updatedAt,
                late: body["late"]?.boolValue ?? false
            )
        }
        return task
    }

    /// Progress: counts and the unfinished list.
    func writeProgress(to writer: inout JSONWriter) {
        let done = recipients.filter { state(of: $0) == .done }
        let excused = recipients.filter { state(of: $0) == .excused }
        writer.key("task")
        writer.int(id)
        writer.key("total")
        writer.int(recipients.count)
        writer.key("done")
        writer.int(done.count)
        writer.key("excused")
        writer.int(excused.count)
        writer.users("unfinished", unfinished)
        writer.users("finished", done)
        writer.users("excusedMembers", excused)
    }
}
