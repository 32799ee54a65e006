import JSON
import Workflow

extension Hub {
    /// Writes community documents with their jobs, `extraOps` and a notice (an app message from `app:community` in
    /// the inbox of each user in `notify`: live on their devices, kept for those offline) in one unit, then answers
    /// and delivers the notices. An empty `notify` sends none.
    func commitCommunity(
        _ docs: [CommunityDoc],
        jobs: [JobRecord],
        extraOps: [WriteOp] = [],
        notify: [UserID],
        message: AppMessage,
        undo: [() -> Void],
        completion: @escaping (Result<Void, HubError>) -> Void
    ) {
        let recipients = Array(Set(notify)).sorted().filter { users[$0]?.active == true }
        let batch = inboxBatch(
            recipients,
            body: message.body(service: "community"),
            kind: .app,
            sender: "app:community"
        )
        let ops = docs.map { WriteOp.putCommunityDoc($0) } + extraOps + jobs.map { .upsertJob($0) } + batch.ops
        write(ops, undo: undo + batch.undo) { [self] result in
            guard case .success(let outcomes) = result else { return completion(.failure(.storage)) }
            for job in jobs { self.jobs.insert(job) }
            completion(.success(()))
            deliver(batch, outcomes: outcomes)
        }
    }

    /// `{"<key>": [...], "nextBefore": id}`: newest first, ids below `before`, at most `limit` of the requests
    /// `view` shows (nil: not the caller's, or filtered out).
    func requestPage<Request>(
        _ requests: [Int64: Request],
        key: String,
        before: Int64?,
        limit: Int,
        _ view: (Request) -> JSONValue?
    ) -> [UInt8] {
        var page: [JSONValue] = []
        var next: Int64?
        for id in requests.keys.sorted(by: >) where id < (before ?? .max) {
            guard let shown = view(requests[id]!) else { continue }
            if page.count == limit {
                next = page.last?["id"]?.int64Value
                break
            }
            page.append(shown)
        }
        return JSONValue.object([key: .array(page), "nextBefore": next.map { .int($0) } ?? .null]).encoded()
    }

    /// A `state` filter must name a state of the workflow.
    func requireState(_ state: String?, of workflow: Workflow) throws(HubError) {
        if let state, !workflow.states.contains(state) {
            throw .invalid("Parameter 'state' must be one of \(workflow.states.sorted().joined(separator: ", ")).")
        }
    }

    /// The caller of a community service: a person, never a campus system's service token.
    func communityUser(_ caller: RESTCaller) throws(HubError) -> UserRecord {
        guard !caller.service else { throw .forbidden("people (service tokens cannot use community services)") }
        return try restUser(caller)
    }

    /// The optional `comment`, `attachments` and one more string field of a workflow step's body.
    func stepFields(
        _ body: JSONValue,
        extra: String? = nil,
        user: UserRecord
    ) throws(HubError) -> (comment: String?, attachments: [String], extra: String?) {
        let comment: String?
        let attachments: [String]
        var extraValue: String?
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            comment = try fields.optionalString("comment", maxBytes: 8000)
            attachments =
                try fields.optionalStringArray("attachments", maxCount: 9, maxBytes: 128, nonEmpty: true) ?? []
            if let extra { extraValue = try fields.optionalString(extra, maxBytes: 200, nonEmpty: true) }
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        for object in attachments where downloadableObject(object, user: user.id, roles: []) == nil {
            throw HubError(.objectNotFound, "Object '\(object)' does not exist or is not yours; upload it first.")
        }
        return (comment, attachments, extraValue)
    }
}
