import JSON

/// A structured message from a campus system (教务, 学工, 后勤 …): a title, a summary, a link and labelled fields.
public struct AppMessage: Sendable, Equatable {
    public var title: String
    public var summary: String?
    public var link: String?
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var label: String
        public var value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public init(title: String, summary: String? = nil, link: String? = nil, fields: [Field] = []) {
        self.title = title
        self.summary = summary
        self.link = link
        self.fields = fields
    }

    func body(service: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("app")
        writer.string(service)
        writer.key("title")
        writer.string(title)
        if let summary {
            writer.key("summary")
            writer.string(summary)
        }
        if let link {
            writer.key("link")
            writer.string(link)
        }
        if !fields.isEmpty {
            writer.key("fields")
            writer.beginArray()
            for field in fields {
                writer.beginObject()
                writer.key("label")
                writer.string(field.label)
                writer.key("value")
                writer.string(field.value)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }
}

/// What an app message post did.
public struct AppMessageReport: Sendable, Equatable {
    /// Messages appended (one per user inbox and per group).
    public var delivered: Int
    /// Messages that were already there (same external id).
    public var duplicates: Int
}

extension Hub {
    /// Posts an app message to users (their inboxes) and groups (as a message of kind `app`, sender
    /// `app:<service>`). With `externalID`, re-posting changes nothing. `completion` runs on the hub queue.
    public func postAppMessage(
        _ message: AppMessage,
        service: String,
        users recipients: [UserID],
        groups groupIDs: [GroupID],
        externalID: String?,
        completion: @escaping (Result<AppMessageReport, HubError>) -> Void
    ) {
        for user in recipients where self.users[user]?.active != true {
            return completion(
                .failure(HubError(.userNotFound, "User '\(user)' is not in the directory or is no longer active."))
            )
        }
        for id in groupIDs {
            guard let group = groups[id], !group.record.dissolved, !group.record.frozen, group.record.kind != .inbox
            else {
                return completion(
                    .failure(HubError(.groupNotFound, "Group \(id) does not exist or does not accept messages."))
                )
            }
        }
        let sender = "app:" + service
        let body = message.body(service: service)
        let now = clock()
        var ops: [WriteOp] = []
        var undo: [() -> Void] = []
        var created: [Group] = []
        var messages: [NewMessage] = []
        // One idempotency key per destination: the same external id goes to many inboxes.
        func clientID(_ destination: String) -> String? { externalID.map { "\($0)#\(destination)" } }
        for user in Array(Set(recipients)).sorted() {
            let box = inbox(for: user, ops: &ops, undo: &undo, created: &created)
            messages.append(
                NewMessage(
                    group: box.id,
                    sender: sender,
                    clientMsgID: clientID("u:" + user),
                    kind: .app,
                    body: body,
                    createdAt: now
                )
            )
        }
        for id in Array(Set(groupIDs)).sorted() {
            messages.append(
                NewMessage(
                    group: id,
                    sender: sender,
                    clientMsgID: clientID("g:\(id)"),
                    kind: .app,
                    body: body,
                    createdAt: now
                )
            )
        }
        ops += messages.map { .appendMessage($0) }
        write(ops, undo: undo) { [self] result in
            switch result {
            case .success(let outcomes):
                for group in created { goLive(group, users: Array(group.members.keys)) }
                var report = AppMessageReport(delivered: 0, duplicates: 0)
                for (message, outcome) in zip(messages, outcomes) {
                    switch outcome {
                    case .appended(let seq):
                        report.delivered += 1
                        deliver(StoredMessage(seq: seq, message: message))
                    case .duplicate:
                        report.duplicates += 1
                    }
                }
                completion(.success(report))
            case .failure:
                completion(.failure(.storage))
            }
        }
    }
}
