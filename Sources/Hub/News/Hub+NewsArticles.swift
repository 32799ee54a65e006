import JSON
import RichText

extension Hub {
    /// `POST /v1/news/articles`: a draft, a scheduled article (`publishAt` in the future) or, with
    /// `"publish": true`, a published one. For the column's editors and school admins.
    func createArticle(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let input = try ArticleInput.decode(body, creating: true, external: false)
        let column = try editableColumn(input.column!, user)
        try checkObjects(input, user: user)
        let now = clock()
        let article = Article(
            id: news.nextArticleID(),
            column: column.id,
            externalID: nil,
            author: user.id,
            createdAt: now
        )
        apply(input, to: article)
        var jobs: [JobRecord] = []
        if let at = article.publishAt, at > now {
            article.state = .scheduled
            jobs.append(publishJob(article))
        } else if input.publish {
            article.state = .published
            article.publishedAt = now
            article.publishAt = nil
        } else {
            article.publishAt = nil
        }
        news.add(article)
        commitArticle(
            article,
            content: input.content,
            jobs: jobs,
            undo: [{ [self] in news.remove(article) }],
            wasPublished: false
        ) { [self] result in
            completion(
                result.map {
                    .json(articleJSON(article, content: input.content), created: true, version: article.version)
                }
            )
        }
    }

    /// `PATCH /v1/news/articles/:id` with `If-Match`: changes the fields given. A published article keeps its
    /// publication time; a draft or scheduled one may be (re)scheduled or unscheduled with `publishAt`.
    func updateArticle(
        _ id: Int64,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, column) = try editableArticle(id, user)
        try requireVersion(ifMatch, article.version)
        let input = try ArticleInput.decode(body, creating: false, external: false)
        if input.publish { throw .invalid("Publish with POST /v1/news/articles/\(id)/publish.") }
        if let target = input.column, target != column.id { _ = try editableColumn(target, user) }
        try checkObjects(input, user: user)
        let now = clock()
        if case .some(.some(let at)) = input.publishAt {
            guard article.state == .draft || article.state == .scheduled else {
                throw .invalid(
                    "Only a draft or a scheduled article can be scheduled; this one is \(article.state.rawValue)."
                )
            }
            guard at > now else { throw .invalid("Field 'publishAt' must be in the future.") }
        }
        let undo = restoring(article)
        let wasPublished = article.isPublished
        apply(input, to: article)
        var jobs: [JobRecord] = []
        if article.state == .draft || article.state == .scheduled {
            if article.publishAt != nil {
                article.state = .scheduled
                if case .some(.some) = input.publishAt { jobs.append(publishJob(article)) }
            } else {
                article.state = .draft
            }
        }
        article.version += 1
        article.updatedAt = now
        news.reindex(article)
        // Marking a published article important starts its must-read tracking (in the same unit).
        commitArticle(article, content: input.content, jobs: jobs, undo: [undo], wasPublished: wasPublished) {
            [self] result in
            completion(result.map { .json(articleJSON(article, content: input.content), version: article.version) })
        }
    }

    /// `POST …/publish`: publishes a draft, a scheduled or a retracted article now.
    func publish(
        _ id: Int64,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, column) = try editableArticle(id, user)
        guard !article.isPublished else {
            return completion(.success(.json(articleJSON(article, content: nil), version: article.version)))
        }
        let undo = restoring(article)
        markPublished(article, at: clock())
        commitArticle(article, content: nil, undo: [undo], wasPublished: false) { [self] result in
            completion(result.map { .json(articleJSON(article, content: nil), version: article.version) })
        }
    }

    /// `POST …/retract`: takes a published or scheduled article back; readers online are told.
    func retract(
        _ id: Int64,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, column) = try editableArticle(id, user)
        retract(article) { result in completion(result.map { .json($0, version: article.version) }) }
    }

    private func retract(_ article: Article, completion: @escaping (Result<[UInt8], HubError>) -> Void) {
        guard article.state != .retracted, article.state != .draft else {
            return completion(.success(articleJSON(article, content: nil)))
        }
        let wasPublished = article.isPublished
        let undo = restoring(article)
        article.state = .retracted
        article.publishAt = nil
        article.version += 1
        article.updatedAt = clock()
        news.reindex(article)
        write([.upsertArticle(article.record(content: nil))], undo: [undo]) { [self] result in
            guard case .success = result else { return completion(.failure(.storage)) }
            completion(.success(articleJSON(article, content: nil)))
            if wasPublished {
                let payload = Wire.push("news.retracted") { writer in
                    writer.key("article")
                    writer.int(article.id)
                    writer.key("column")
                    writer.string(article.column)
                }
                pushToFollowers(article, payload)
            }
        }
    }

    // MARK: Campus systems

    /// `PUT /v1/news/external/:externalId`: creates or updates the article a campus system knows by this id and
    /// publishes it (at `publishedAt` if that is in the future). Sending the same article again changes nothing.
    func upsertExternal(
        _ externalID: String,
        _ body: JSONValue,
        service: String,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let input = try ArticleInput.decode(body, creating: true, external: true)
        if input.cover != nil || input.attachments != nil {
            throw .invalid("Campus systems cannot attach uploaded files; link images and files in the body instead.")
        }
        guard let column = news.columns[input.column!], !column.archived else {
            throw HubError(.columnNotFound, "Column '\(input.column!)' does not exist.")
        }
        upsert(externalID: "app:\(service):\(externalID)", input: input, column: column, author: "app:" + service) {
            result in completion(result.map { .json($0.body, created: $0.created, version: $0.version) })
        }
    }

    /// `DELETE /v1/news/external/:externalId`: retracts it.
    func retractExternal(
        _ externalID: String,
        service: String,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard let id = news.byExternalID["app:\(service):\(externalID)"], let article = news.articles[id] else {
            throw HubError(.articleNotFound, "No article has external id '\(externalID)'.")
        }
        retract(article) { result in completion(result.map { .json($0, version: article.version) }) }
    }

    struct UpsertResult {
        var body: [UInt8]
        var created: Bool
        var changed: Bool
        var version: Int64
    }

    /// Creates or updates the article with this external id (campus systems and feed imports).
    func upsert(
        externalID: String,
        input: ArticleInput,
        column: NewsColumn,
        author: String,
        completion: @escaping (Result<UpsertResult, HubError>) -> Void
    ) {
        let now = clock()
        // The source's own time: a future one schedules the article; a published article keeps its time.
        let requested = input.publishAt.flatMap { $0 }
        var input = input
        input.publishAt = nil
        func answer(_ article: Article, created: Bool, changed: Bool) -> UpsertResult {
            UpsertResult(
                body: articleJSON(article, content: nil),
                created: created,
                changed: changed,
                version: article.version
            )
        }
        if let id = news.byExternalID[externalID], let article = news.articles[id] {
            let before = article.record(content: nil)
            let beforeVersion = article.version
            let undo = restoring(article)
            let wasPublished = article.isPublished
            apply(input, to: article)
            let sentChanged = article.record(content: nil) != before
            var jobs: [JobRecord] = []
            switch article.state {
            case .published:
                break
            case .scheduled:
                let at = requested ?? article.publishAt ?? now
                if at != article.publishAt {
                    if at > now {
                        article.publishAt = at
                        jobs.append(publishJob(article))
                    } else {
                        markPublished(article, at: at)
                    }
                }
            case .draft, .retracted:
                // A retracted article comes back only when what is sent differs from what was taken back.
                if article.state == .draft || sentChanged {
                    let at = requested ?? now
                    if at > now {
                        article.state = .scheduled
                        article.publishAt = at
                        jobs.append(publishJob(article))
                    } else {
                        markPublished(article, at: at)
                    }
                }
            }
            guard article.record(content: nil) != before else {
                return completion(.success(answer(article, created: false, changed: false)))
            }
            article.version = beforeVersion + 1
            article.updatedAt = now
            news.reindex(article)
            commitArticle(article, content: input.content, jobs: jobs, undo: [undo], wasPublished: wasPublished) {
                [self] result in
                completion(result.map { answer(article, created: false, changed: true) })
            }
            return
        }
        let article = Article(
            id: news.nextArticleID(),
            column: column.id,
            externalID: externalID,
            author: author,
            createdAt: now
        )
        apply(input, to: article)
        var jobs: [JobRecord] = []
        let time = requested ?? now
        if time > now {
            article.state = .scheduled
            article.publishAt = time
            jobs.append(publishJob(article))
        } else {
            article.state = .published
            article.publishAt = nil
            article.publishedAt = time
        }
        news.add(article)
        commitArticle(
            article,
            content: input.content,
            jobs: jobs,
            undo: [{ [self] in news.remove(article) }],
            wasPublished: false
        ) { [self] result in
            completion(result.map { answer(article, created: true, changed: true) })
        }
    }

    /// Writes an article change as one unit: the row, new publish jobs, `extraOps` (a job's deletion) and, when an
    /// important article is published for the first time, its must-read notices and follow-up — so neither is
    /// durable without the other. Answers, then pushes the article if this published it, then the notices.
    func commitArticle(
        _ article: Article,
        content: ArticleContent?,
        jobs newJobs: [JobRecord] = [],
        extraOps: [WriteOp] = [],
        undo: [() -> Void],
        wasPublished: Bool,
        completion: @escaping (Result<Void, HubError>) -> Void
    ) {
        var ops: [WriteOp] = [.upsertArticle(article.record(content: content))] + extraOps
        ops += newJobs.map { .upsertJob($0) }
        var undo = undo
        var notices = InboxBatch()
        var scheduled = newJobs
        if article.isPublished, article.important, news.recipients[article.id] == nil {
            let (batch, followUp) = mustReadBatch(article)
            notices = batch
            ops += batch.ops
            undo += batch.undo
            if let followUp { scheduled.append(followUp) }
        }
        write(ops, undo: undo) { [self] result in
            guard case .success(let outcomes) = result else { return completion(.failure(.storage)) }
            for job in scheduled { jobs.insert(job) }
            completion(.success(()))
            if article.isPublished, !wasPublished { pushPublished(article) }
            deliver(notices, outcomes: outcomes)
        }
    }

    // MARK: Shared steps

    func apply(_ input: ArticleInput, to article: Article) {
        if let column = input.column { article.column = column }
        if let title = input.title { article.title = title }
        if let summary = input.summary { article.summary = summary }
        if let content = input.content {
            article.bodyHash = Article.hash(content.html)
            if input.summary == nil { article.summary = HTMLText.excerpt(content.text, limit: 120) }
        }
        if let cover = input.cover { article.cover = cover }
        if let attachments = input.attachments { article.attachments = attachments }
        if let link = input.link { article.link = link }
        if let publishAt = input.publishAt, !(article.isPublished) { article.publishAt = publishAt }
        if let pinned = input.pinned { article.pinned = pinned }
        if let important = input.important { article.important = important }
    }

    /// Covers and attachments must be objects the editor may download (uploaded by them, usually).
    func checkObjects(_ input: ArticleInput, user: UserRecord) throws(HubError) {
        var ids = input.attachments ?? []
        if case .some(.some(let cover)) = input.cover { ids.append(cover) }
        for id in ids where downloadableObject(id, user: user.id, roles: Set(user.roles)) == nil {
            throw HubError(
                .objectNotFound,
                "Object '\(id)' does not exist or is not available to you; upload it first."
            )
        }
    }

    /// Puts the article back as it was (the undo of a failed write).
    func restoring(_ article: Article) -> () -> Void {
        guard let saved = Article.restore(article.record(content: nil)) else { return {} }
        saved.counters = article.counters
        return { [self] in
            article.assign(from: saved)
            news.reindex(article)
        }
    }

    func markPublished(_ article: Article, at now: Timestamp) {
        article.state = .published
        article.publishedAt = now
        article.publishAt = nil
        article.version += 1
        article.updatedAt = now
        news.reindex(article)
    }

    func publishJob(_ article: Article) -> JobRecord {
        nextJob(
            dueAt: article.publishAt!,
            kind: "news.publish",
            body: JSONValue.object(["article": .int(article.id)]).encoded()
        )
    }

    /// After a publication is durable: the live push, unless the article is old news (a feed's back catalogue).
    func pushPublished(_ article: Article) {
        let fresh = (article.publishedAt ?? 0) >= clock() - Int64(configuration.news.livePushMaxAge * 1000)
        if fresh {
            let payload = Wire.push("news.article") { writer in
                writer.key("article")
                writer.raw(articleJSON(article, content: nil))
            }
            pushToFollowers(article, payload)
        }
    }

    /// One payload, encoded once, to every online session of users who follow the article.
    func pushToFollowers(_ article: Article, _ payload: [UInt8]) {
        guard let column = news.columns[article.column] else { return }
        var buckets = [[Session]](repeating: [], count: loops)
        for (userID, sessions) in sessionsOfUser {
            guard let user = users[userID],
                isSubscribed(column, user) || (article.important && canSee(column, user))
            else { continue }
            for session in sessions.values where session.loopIndex < loops {
                buckets[session.loopIndex].append(session)
            }
        }
        output.broadcast(payload, to: buckets)
    }

    /// An article with its body (when given) for REST replies.
    func articleJSON(
        _ article: Article,
        content: ArticleContent?,
        read: Bool? = nil,
        extra: (inout JSONWriter) -> Void = { _ in }
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 512 + (content?.html.utf8.count ?? 0))
        writer.beginObject()
        article.writeSummary(to: &writer, columnName: news.columns[article.column]?.name)
        if let content {
            writer.key("body")
            writer.string(content.html)
        }
        if let read {
            writer.key("read")
            writer.bool(read)
        }
        extra(&writer)
        writer.endObject()
        return writer.bytes
    }

    // MARK: Jobs

    /// Runs a due `news.*` job.
    func runNewsJob(_ job: JobRecord) {
        let body = try? JSONParser.parse(job.body)
        let article = body?["article"]?.int64Value.flatMap { news.articles[$0] }
        switch job.kind {
        case "news.publish":
            guard let article, article.state == .scheduled, let at = article.publishAt, at <= clock() else {
                return write([.deleteJob(job.id)]) { _ in }
            }
            let undo = restoring(article)
            markPublished(article, at: at)
            commitArticle(
                article,
                content: nil,
                extraOps: [.deleteJob(job.id)],
                undo: [undo, { [self] in jobs.insert(job) }],
                wasPublished: false
            ) { _ in }
        case "news.follow_up":
            followUp(article, job: job)
        case "news.escalate":
            escalate(article, job: job)
        case "news.webhook":
            sendWebhook(job)
        default:
            write([.deleteJob(job.id)]) { _ in }
        }
    }
}
