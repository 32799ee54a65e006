import JSON

/// A webhook call the gateway makes for the hub: POST `body` to the configured URL, signed.
public struct WebhookDelivery: Sendable, Equatable {
    /// Stable across retries (the receiver de-duplicates by it).
    public var id: String
    public var event: String
    public var body: [UInt8]
}

/// Sends a webhook delivery and reports nil on a 2xx answer, or what went wrong. Called on the hub queue; must
/// not block it, and may call back on any thread.
public typealias WebhookSender = @Sendable (WebhookDelivery, @escaping @Sendable (String?) -> Void) -> Void

extension Hub {
    /// An important article's whole audience gets a notice in their inbox, whether subscribed or not; the audience is
    /// frozen as the must-read list and the follow-up is scheduled. Returned as a batch for the publication's own
    /// write unit, so a publication is never durable without its notices (nor the reverse).
    func mustReadBatch(_ article: Article) -> (batch: InboxBatch, followUp: JobRecord?) {
        guard let column = news.columns[article.column] else { return (InboxBatch(), nil) }
        let recipients = audience(of: column)
        news.recipients[article.id] = recipients
        var batch = inboxBatch(recipients, body: noticeBody("news_important", article, by: nil, auto: false))
        batch.undo.insert({ [self] in news.recipients[article.id] = nil }, at: 0)
        batch.ops.insert(
            .putNewsDoc(
                NewsDoc(
                    kind: .recipients,
                    id: String(article.id),
                    body: JSONValue.array(recipients.map { .string($0) }).encoded()
                )
            ),
            at: 0
        )
        var followUp: JobRecord?
        if configuration.news.followUpDelay > 0 {
            let due = (article.publishedAt ?? clock()) + Int64(configuration.news.followUpDelay * 1000)
            let job = nextJob(
                dueAt: due,
                kind: "news.follow_up",
                body: JSONValue.object(["article": .int(article.id)]).encoded()
            )
            followUp = job
            batch.ops.insert(.upsertJob(job), at: 1)
        }
        return (batch, followUp)
    }

    /// The inbox message of an important article or a reminder of it.
    func noticeBody(_ event: String, _ article: Article, by user: UserID?, auto: Bool) -> [UInt8] {
        Wire.systemBody(event) { writer in
            writer.key("article")
            writer.int(article.id)
            writer.key("column")
            writer.string(article.column)
            writer.key("columnName")
            writer.string(news.columns[article.column]?.name ?? "")
            writer.key("title")
            writer.string(article.title)
            writer.key("summary")
            writer.string(article.summary)
            if event == "news_reminder" {
                writer.optionalString("by", user)
                writer.key("auto")
                writer.bool(auto)
            }
        }
    }

    /// Recipients of a must-read article who have not read it (and are still active).
    func unreadRecipients(_ article: Article, completion: @escaping (Result<[UserID], StoreError>) -> Void) {
        let recipients = news.recipients[article.id] ?? []
        store.readReaders(
            article.id,
            completion: hop { [self] result in
                completion(
                    result.map { readers in
                        recipients.filter { id in
                            guard readers[id] == nil, let user = users[id], user.active,
                                let column = news.columns[article.column]
                            else { return false }
                            // Someone who may no longer see the column (archived, audience narrowed) is not chased.
                            return canSee(column, user)
                        }
                    }
                )
            }
        )
    }

    /// `POST …/remind` (一键提醒): a reminder in the inbox of every recipient who has not read the important
    /// article, at most once per `remindInterval`.
    func remindUnread(
        _ id: Int64,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, column) = try editableArticle(id, user)
        guard article.isPublished, news.recipients[article.id] != nil else {
            throw .invalid("Only a published important article has a must-read list to remind.")
        }
        let now = clock()
        if let last = news.lastRemindAt[id] {
            let wait = Int64(configuration.news.remindInterval * 1000) - (now - last)
            if wait > 0 {
                var error = HubError(
                    .rateLimited,
                    "Readers of this article were reminded recently; remind again in \((wait + 999) / 1000) s."
                )
                error.retryAfter = Double(wait) / 1000
                throw error
            }
        }
        let previous = news.lastRemindAt[id]
        news.lastRemindAt[id] = now
        unreadRecipients(article) { [self] result in
            guard case .success(let unread) = result else {
                news.lastRemindAt[id] = previous
                return completion(.failure(.storage))
            }
            appendToInboxes(
                unread,
                body: noticeBody("news_reminder", article, by: user.id, auto: false),
                extraOps: [],
                undo: { [self] in news.lastRemindAt[id] = previous },
                completion: { result in
                    switch result {
                    case .success(let count):
                        completion(.success(.json(JSONValue.object(["reminded": .int(Int64(count))]).encoded())))
                    case .failure: completion(.failure(.storage))
                    }
                }
            )
        }
    }

    /// `news.follow_up`: the second reminder, once, to whoever has still not read; then, with a webhook, the
    /// escalation is scheduled. The job's deletion is in the reminders' write unit, so it never runs twice.
    func followUp(_ article: Article?, job: JobRecord) {
        guard let article, article.isPublished, news.recipients[article.id] != nil else {
            return write([.deleteJob(job.id)]) { _ in }
        }
        unreadRecipients(article) { [self] result in
            guard case .success(let unread) = result else { return jobs.insert(job) }
            var ops: [WriteOp] = [.deleteJob(job.id)]
            var escalation: JobRecord?
            if webhookSender != nil, !unread.isEmpty {
                let next = nextJob(
                    dueAt: clock() + Int64(configuration.news.webhookDelay * 1000),
                    kind: "news.escalate",
                    body: job.body
                )
                escalation = next
                ops.append(.upsertJob(next))
            }
            appendToInboxes(
                unread,
                body: noticeBody("news_reminder", article, by: nil, auto: true),
                extraOps: ops,
                undo: { [self] in jobs.insert(job) },
                completion: { [self] result in
                    if case .success = result, let escalation { jobs.insert(escalation) }
                }
            )
        }
    }

    /// `news.escalate`: the recipients still unread after the follow-up become one webhook delivery, so the
    /// school's messaging platform can reach them by SMS or mail.
    func escalate(_ article: Article?, job: JobRecord) {
        guard let article, article.isPublished, news.recipients[article.id] != nil else {
            return write([.deleteJob(job.id)]) { _ in }
        }
        unreadRecipients(article) { [self] result in
            guard case .success(let unread) = result else { return jobs.insert(job) }
            guard !unread.isEmpty else { return write([.deleteJob(job.id)]) { _ in } }
            var payload = JSONWriter(capacity: 256 + unread.count * 64)
            payload.beginObject()
            payload.key("event")
            payload.string("news.unread")
            payload.key("article")
            payload.beginObject()
            payload.key("id")
            payload.int(article.id)
            payload.key("title")
            payload.string(article.title)
            payload.key("column")
            payload.string(article.column)
            payload.key("publishedAt")
            payload.int(article.publishedAt ?? 0)
            payload.endObject()
            payload.key("users")
            payload.beginArray()
            for id in unread {
                let user = users[id]
                payload.beginObject()
                payload.key("id")
                payload.string(id)
                payload.key("name")
                payload.string(user?.name ?? "")
                payload.optionalString("college", user.flatMap { college(of: $0) })
                payload.optionalString("class", user?.classID)
                payload.endObject()
            }
            payload.endArray()
            payload.endObject()
            let delivery = nextJob(
                dueAt: clock(),
                kind: "news.webhook",
                body: JSONValue.object([
                    "attempt": 0, "payload": .string(String(decoding: payload.bytes, as: UTF8.self)),
                ])
                .encoded()
            )
            write([.deleteJob(job.id), .upsertJob(delivery)], undo: [{ [self] in jobs.insert(job) }]) { [self] result in
                if case .success = result { jobs.insert(delivery) }
            }
        }
    }

    /// `news.webhook`: hands the delivery to the gateway; success deletes the job, failure reschedules it with
    /// exponential back-off, and the last failure turns it into a dead letter an admin can retry.
    func sendWebhook(_ job: JobRecord) {
        let body = try? JSONParser.parse(job.body)
        let attempt = body?["attempt"]?.intValue ?? 0
        let payload = Array((body?["payload"]?.stringValue ?? "{}").utf8)
        guard let sender = webhookSender else {
            return deadLetter(job, payload: payload, attempts: attempt, error: "no webhook URL is configured")
        }
        news.webhooksInFlight[job.id] = job
        sender(WebhookDelivery(id: String(job.id), event: "news.unread", body: payload)) { [self] failure in
            queue.async { self.webhookAnswered(job, attempt: attempt, payload: payload, failure: failure) }
        }
    }

    private func webhookAnswered(_ job: JobRecord, attempt: Int, payload: [UInt8], failure: String?) {
        news.webhooksInFlight[job.id] = nil
        guard let failure else { return write([.deleteJob(job.id)]) { _ in } }
        let attempts = attempt + 1
        guard attempts < configuration.news.webhookAttempts else {
            return deadLetter(job, payload: payload, attempts: attempts, error: failure)
        }
        let delay = configuration.news.webhookRetryBase * Double(1 << min(attempts - 1, 20))
        let retry = JobRecord(
            id: job.id,
            dueAt: clock() + Int64(delay * 1000),
            kind: job.kind,
            body: JSONValue.object([
                "attempt": .int(Int64(attempts)), "payload": .string(String(decoding: payload, as: UTF8.self)),
                "lastError": .string(failure),
            ]).encoded()
        )
        write([.upsertJob(retry)]) { [self] result in
            // Failing to record the attempt leaves the old job in the store; retry it from memory too.
            jobs.insert(retry)
            _ = result
        }
    }

    private func deadLetter(_ job: JobRecord, payload: [UInt8], attempts: Int, error: String) {
        let id = String(job.id)
        let doc = JSONValue.object([
            "id": .string(id), "event": "news.unread", "attempts": .int(Int64(attempts)), "error": .string(error),
            "failedAt": .int(clock()), "payload": .string(String(decoding: payload, as: UTF8.self)),
        ]).encoded()
        news.deadLetters[id] = doc
        write(
            [.putNewsDoc(NewsDoc(kind: .deadLetter, id: id, body: doc)), .deleteJob(job.id)],
            undo: [{ [self] in news.deadLetters[id] = nil }]
        ) { [self] result in
            if case .failure = result { jobs.insert(job) }
        }
    }

    /// `GET /v1/admin/news/webhooks`: dead letters, newest first.
    func deadLetters(
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.key("deliveries")
        writer.beginArray()
        for (_, doc) in news.deadLetters.sorted(by: { Int64($0.key) ?? 0 > Int64($1.key) ?? 0 }) { writer.raw(doc) }
        writer.endArray()
        writer.key("pending")
        writer.int(jobs.elements.count { $0.kind == "news.webhook" } + news.webhooksInFlight.count)
        writer.endObject()
        completion(.success(.json(writer.bytes)))
    }

    /// `POST /v1/admin/news/webhooks/:id/retry`: a dead letter queued again, with fresh attempts.
    func retryDeadLetter(
        _ id: String,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        guard let doc = news.deadLetters[id], let jobID = Int64(id), let value = try? JSONParser.parse(doc) else {
            throw HubError(.deliveryNotFound, "No dead webhook delivery has id '\(id)'.")
        }
        let job = JobRecord(
            id: jobID,
            dueAt: clock(),
            kind: "news.webhook",
            body: JSONValue.object(["attempt": 0, "payload": value["payload"] ?? "{}"]).encoded()
        )
        news.deadLetters[id] = nil
        write([.deleteNewsDoc(.deadLetter, id), .upsertJob(job)], undo: [{ [self] in news.deadLetters[id] = doc }]) {
            [self] result in
            guard case .success = result else { return completion(.failure(.storage)) }
            jobs.insert(job)
            completion(.success(.json(JSONValue.object(["queued": .string(id)]).encoded())))
        }
    }

    /// `GET /v1/news/mustread`: the caller's important articles they have not read yet.
    func mustRead(_ user: UserRecord, completion: @escaping (Result<RESTResponse, HubError>) -> Void) {
        let mine = news.published(after: nil).filter { article in
            article.important && (news.recipients[article.id].map { Self.sortedContains($0, user.id) } ?? false)
                && (news.columns[article.column].map { canSee($0, user) } ?? false)
        }
        store.readViewed(
            user: user.id,
            articles: mine.map(\.id),
            completion: hop { [self] result in
                guard case .success(let viewed) = result else { return completion(.failure(.storage)) }
                let unread = mine.filter { !viewed.contains($0.id) }
                completion(.success(.json(articleList(unread, viewed: viewed))))
            }
        )
    }

    static func sortedContains(_ list: [UserID], _ id: UserID) -> Bool {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low] == id
    }
}
