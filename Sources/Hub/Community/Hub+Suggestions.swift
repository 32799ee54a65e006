import JSON
import Workflow

extension Hub {
    /// Serves one suggestion-box request. `completion` runs on the hub queue.
    public func suggestions(
        _ request: SuggestionRequest,
        caller: RESTCaller,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            let user = try communityUser(caller)
            let settings = community.suggestionSettings
            switch request {
            case .settings:
                guard user.roles.contains(.admin) || settings.dispatchers.contains(user.id) else {
                    throw .forbidden("school admins and dispatchers")
                }
                completion(.success(.json(settings.json.encoded(), version: settings.version)))
            case .updateSettings(let body, let ifMatch):
                try updateSuggestionSettings(body, ifMatch: ifMatch, by: user, completion: completion)
            case .submit(let body): try submitSuggestion(body, by: user, completion: completion)
            case .list(let state, let category, let before, let limit):
                let page = try listSuggestions(user, state: state, category: category, before: before, limit: limit)
                completion(.success(.json(page)))
            case .get(let id):
                let (item, parties) = try visibleSuggestion(id, user)
                completion(.success(.json(suggestionView(item, parties).encoded(), version: item.record.version)))
            case .act(let id, let action, let body, let ifMatch):
                try act(on: id, action, body, ifMatch: ifMatch, by: user, completion: completion)
            case .reveal(let id):
                guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
                guard let item = community.suggestions[id] else { throw Self.suggestionNotFound(id) }
                auditedRead(
                    audit(.suggestionReveal, by: user.id, target: "suggestion:\(id)"),
                    completion: completion
                ) { .json(JSONValue.object(["id": .int(id), "submitter": .string(item.submitter)]).encoded()) }
            case .stats: try suggestionStats(by: user, completion: completion)
            }
        } catch {
            completion(.failure(error))
        }
    }

    static func suggestionNotFound(_ id: Int64) -> HubError {
        HubError(.requestNotFound, "Suggestion \(id) does not exist or is not visible to you.")
    }

    // MARK: Who is who

    /// The parties `user` is for `item`; empty when they may not see it.
    func parties(_ user: UserRecord, for item: Suggestion) -> Set<Party> {
        let settings = community.suggestionSettings
        var parties: Set<Party> = []
        if item.submitter == user.id { parties.insert(.applicant) }
        if settings.dispatchers.contains(user.id) { parties.insert(.dispatcher) }
        if user.roles.contains(.admin) { parties.insert(.admin) }
        if let department = item.department.flatMap({ settings.departments[$0] }) {
            if department.handlers.contains(user.id) { parties.insert(.handler) }
            if department.supervisors.contains(user.id) { parties.insert(.supervisor) }
        }
        return parties
    }

    func visibleSuggestion(_ id: Int64, _ user: UserRecord) throws(HubError) -> (Suggestion, Set<Party>) {
        guard let item = community.suggestions[id] else { throw Self.suggestionNotFound(id) }
        let parties = parties(user, for: item)
        guard !parties.isEmpty else { throw Self.suggestionNotFound(id) }
        return (item, parties)
    }

    func suggestionView(_ item: Suggestion, _ parties: Set<Party>) -> JSONValue {
        let settings = community.suggestionSettings
        var actions = Workflow.suggestion.actions(from: item.record.state, as: parties)
        actions.removeAll { $0 == "escalate" || $0 == "autoclose" }
        return item.view(
            for: parties,
            departmentName: item.department.flatMap { settings.departments[$0]?.name },
            now: clock(),
            actions: actions
        )
    }

    // MARK: Settings

    func updateSuggestionSettings(
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        let current = community.suggestionSettings
        try requireVersion(ifMatch, current.version)
        var settings: SuggestionSettings
        do throws(JSONFieldError) {
            settings = try SuggestionSettings.decode(body, current: current)
        } catch {
            throw HubError(error)
        }
        let people = settings.dispatchers + settings.departments.values.flatMap { $0.handlers + $0.supervisors }
        try requireKnownUsers(Set(people))
        settings.version = current.version + 1
        community.suggestionSettings = settings
        let doc = CommunityDoc(kind: "suggestion.settings", id: "", body: settings.json.encoded())
        write([.putCommunityDoc(doc)], undo: [{ [self] in community.suggestionSettings = current }]) { result in
            guard case .success = result else { return completion(.failure(.storage)) }
            completion(.success(.json(settings.json.encoded(), version: settings.version)))
        }
    }

    // MARK: Submitting and acting

    /// `POST /v1/community/suggestions`: a suggestion or complaint; a category with a department is dispatched to it
    /// at once, the others wait for central dispatch.
    func submitSuggestion(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let category: String
        let text: String
        let photos: [String]
        let anonymous: Bool
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            category = try fields.string("category", maxBytes: 32, nonEmpty: true)
            text = try fields.string("text", maxBytes: 8000, nonEmpty: true)
            photos = try fields.optionalStringArray("photos", maxCount: 9, maxBytes: 128, nonEmpty: true) ?? []
            anonymous = try fields.optionalBool("anonymous") ?? false
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        guard SuggestionSettings.categories.contains(category) else {
            throw .invalid(
                "Field 'category' must be one of \(SuggestionSettings.categories.joined(separator: ", "))."
            )
        }
        guard text.count <= 2000 else { throw .invalid("Field 'text' has more than 2000 characters.") }
        for photo in photos where downloadableObject(photo, user: user.id, roles: []) == nil {
            throw HubError(.objectNotFound, "Object '\(photo)' does not exist or is not yours; upload it first.")
        }
        let now = clock()
        let item = Suggestion(
            id: community.lastSuggestionID + 1,
            category: category,
            text: text,
            photos: photos,
            anonymous: anonymous,
            submitter: user.id,
            record: WorkflowRecord(Workflow.suggestion, by: user.id, at: now, comment: nil, attachments: photos)
        )
        var jobs: [JobRecord] = []
        var notify: [UserID]
        if let department = community.suggestionSettings.route(category).department {
            jobs.append(contentsOf: try dispatch(item, to: department, by: nil, as: [.system], comment: nil, now: now))
            notify = community.suggestionSettings.departments[department]?.handlers ?? []
        } else {
            notify = community.suggestionSettings.dispatchers
        }
        community.lastSuggestionID = item.id
        community.suggestions[item.id] = item
        notify.removeAll { $0 == user.id }
        commitSuggestion(
            item,
            jobs: jobs,
            notify: notify,
            notice: "新的建议（\(Self.categoryName(category))）",
            undo: [{ [self] in community.suggestions[item.id] = nil }]
        ) { [self] result in
            completion(
                result.map {
                    .json(suggestionView(item, [.applicant]).encoded(), created: true, version: item.record.version)
                }
            )
        }
    }

    /// Moves `item` to `department` with a fresh deadline; returns the job that escalates it when the deadline
    /// passes.
    private func dispatch(
        _ item: Suggestion,
        to department: String,
        by actor: UserID?,
        as parties: Set<Party>,
        comment: String?,
        now: Int64
    ) throws(HubError) -> [JobRecord] {
        guard community.suggestionSettings.departments[department] != nil else {
            throw .invalid("There is no department '\(department)'; an admin adds it in the settings.")
        }
        let hours = community.suggestionSettings.route(item.category).deadlineHours
        let due = now + hours * 3_600_000
        let action = item.record.state == "assigned" ? "reassign" : "dispatch"
        do throws(WorkflowRefusal) {
            try item.record.perform(
                action,
                in: Workflow.suggestion,
                by: actor,
                as: parties,
                at: now,
                comment: comment,
                deadline: due
            )
        } catch {
            throw HubError(error)
        }
        item.department = department
        item.escalatedAt = nil
        let body = JSONValue.object(["suggestion": .int(item.id), "dueAt": .int(due)]).encoded()
        return [nextJob(dueAt: due, kind: "community.suggestion.due", body: body)]
    }

    /// `POST /v1/community/suggestions/{id}/{action}` with `If-Match`: one step of the closed loop.
    func act(
        on id: Int64,
        _ action: String,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (item, parties) = try visibleSuggestion(id, user)
        try requireVersion(ifMatch, item.record.version)
        let (comment, attachments, department) = try stepFields(body, extra: "department", user: user)
        guard action != "escalate", action != "autoclose" else {
            throw HubError(.invalidRequest, "'\(action)' is done by the server when a deadline passes.")
        }
        let saved = Suggestion.restore(item.doc)!
        let undo = { [self] in community.suggestions[id] = saved }
        let now = clock()
        let settings = community.suggestionSettings
        var jobs: [JobRecord] = []
        var notify: [UserID] = []
        var notice: String
        let handlers = item.department.flatMap { settings.departments[$0] }
        switch action {
        case "dispatch", "reassign":
            guard let department else { throw .invalid("Field 'department' is required to \(action).") }
            guard item.record.state != "replied" || action != "reassign" else {
                throw .invalid("A replied item waits for its rating.")
            }
            jobs = try dispatch(item, to: department, by: user.id, as: parties, comment: comment, now: now)
            notify = settings.departments[department]?.handlers ?? []
            notice = "建议已分派给您所在部门"
        default:
            let dueBefore = item.record.dueAt
            do throws(WorkflowRefusal) {
                try item.record.perform(
                    action,
                    in: Workflow.suggestion,
                    by: user.id,
                    as: parties,
                    at: now,
                    comment: comment,
                    attachments: attachments
                )
            } catch {
                throw HubError(error)
            }
            switch action {
            case "reply":
                if item.firstReplyAt == nil {
                    item.firstReplyAt = now
                    item.firstReplyOnTime = dueBefore.map { now <= $0 } ?? true
                }
                let due = now + settings.ratingDays * 86_400_000
                jobs.append(
                    nextJob(
                        dueAt: due,
                        kind: "community.suggestion.autoclose",
                        // The reply it belongs to: a later reply (after a reopen) has its own.
                        body: JSONValue.object([
                            "suggestion": .int(item.id), "reply": .int(Int64(item.record.history.last?.seq ?? 0)),
                        ]).encoded()
                    )
                )
                notify = [item.submitter]
                notice = "您的建议已有答复，请评价"
            case "unsatisfied":
                item.rating = "unsatisfied"
                item.reopened += 1
                notify = (handlers?.handlers ?? []) + (handlers?.supervisors ?? []) + settings.dispatchers
                notice = "学生对答复不满意，建议已重新打开"
                // Back to the same department with a new deadline; if that department is gone, central dispatch
                // routes it.
                if let department = item.department, settings.departments[department] != nil {
                    jobs = try dispatch(item, to: department, by: nil, as: [.system], comment: nil, now: now)
                }
            case "satisfied":
                item.rating = "satisfied"
                notify = handlers?.handlers ?? []
                notice = "学生对答复满意，建议已办结"
            default:
                notify = handlers?.handlers ?? settings.dispatchers
                notice = "建议已撤回"
            }
        }
        notify.removeAll { $0 == user.id }
        commitSuggestion(item, jobs: jobs, notify: notify, notice: notice, undo: [undo]) { [self] result in
            let now = community.suggestions[id] ?? item
            completion(result.map { .json(suggestionView(now, parties).encoded(), version: now.record.version) })
        }
    }

    /// Writes the item with its jobs and the notices to `notify` (app messages in their inboxes, live on their
    /// devices, kept for those offline) in one unit. Notices never name an anonymous submitter.
    private func commitSuggestion(
        _ item: Suggestion,
        jobs: [JobRecord],
        extraOps: [WriteOp] = [],
        notify: [UserID],
        notice: String,
        undo: [() -> Void],
        completion: @escaping (Result<Void, HubError>) -> Void
    ) {
        let message = AppMessage(
            title: notice,
            summary: String(item.text.prefix(60)),
            fields: [
                AppMessage.Field(label: "编号", value: String(item.id)),
                AppMessage.Field(label: "类别", value: Self.categoryName(item.category)),
                AppMessage.Field(label: "状态", value: item.record.state),
            ]
        )
        commitCommunity(
            [item.doc],
            jobs: jobs,
            extraOps: extraOps,
            notify: notify,
            message: message,
            undo: undo,
            completion: completion
        )
    }

    static func categoryName(_ category: String) -> String {
        [
            "dorm": "宿舍", "canteen": "食堂", "network": "网络", "study": "学习", "safety": "安全", "other": "其他",
        ][category] ?? category
    }

    // MARK: Deadlines

    /// `community.*` jobs: escalation of an overdue item to its department's supervisors, and closing an item whose
    /// reply was never rated.
    func runCommunityJob(_ job: JobRecord) {
        if job.kind.hasPrefix("community.borrowing.") { return runBorrowingJob(job) }
        if job.kind.hasPrefix("community.booking.") { return runBookingJob(job) }
        if job.kind.hasPrefix("community.housing.") { return runHousingJob(job) }
        let body = try? JSONParser.parse(job.body)
        guard let id = body?["suggestion"]?.int64Value, let item = community.suggestions[id] else {
            return write([.deleteJob(job.id)]) { _ in }
        }
        let now = clock()
        let saved = Suggestion.restore(item.doc)!
        let undo = { [self] in
            community.suggestions[id] = saved
            jobs.insert(job)
        }
        let settings = community.suggestionSettings
        switch job.kind {
        case "community.suggestion.due":
            // Stale when the item was replied to, reassigned (a new deadline) or escalated already.
            guard item.record.state == "assigned", item.record.dueAt == body?["dueAt"]?.int64Value,
                item.escalatedAt == nil,
                (try? item.record.perform("escalate", in: Workflow.suggestion, by: nil, as: [.system], at: now)) != nil
            else { return write([.deleteJob(job.id)]) { _ in } }
            item.escalatedAt = now
            let department = item.department.flatMap { settings.departments[$0] }
            commitSuggestion(
                item,
                jobs: [],
                extraOps: [.deleteJob(job.id)],
                notify: (department?.supervisors ?? []) + settings.dispatchers,
                notice: "建议已超时未答复，请督办",
                undo: [undo]
            ) { _ in }
        case "community.suggestion.autoclose":
            guard item.record.state == "replied",
                item.record.history.last(where: { $0.action == "reply" })?.seq == body?["reply"]?.intValue,
                (try? item.record.perform("autoclose", in: Workflow.suggestion, by: nil, as: [.system], at: now)) != nil
            else { return write([.deleteJob(job.id)]) { _ in } }
            commitSuggestion(item, jobs: [], extraOps: [.deleteJob(job.id)], notify: [], notice: "", undo: [undo]) {
                _ in
            }
        default:
            write([.deleteJob(job.id)]) { _ in }
        }
    }

    func loadCommunity(_ docs: [CommunityDoc]) {
        for doc in docs {
            switch doc.kind {
            case "suggestion":
                guard let item = Suggestion.restore(doc) else { continue }
                community.suggestions[item.id] = item
                community.lastSuggestionID = max(community.lastSuggestionID, item.id)
            case "suggestion.settings":
                community.suggestionSettings = SuggestionSettings.restore(doc.body)
            case "housing":
                guard let registration = HousingRegistration.restore(doc) else { continue }
                community.housing[registration.id] = registration
                community.lastHousingID = max(community.lastHousingID, registration.id)
            case "venue":
                if let venue = Venue.restore(doc) { community.venues[venue.id] = venue }
            case "booking":
                guard let booking = Booking.restore(doc) else { continue }
                community.bookings[booking.id] = booking
                community.lastBookingID = max(community.lastBookingID, booking.id)
            case "borrow.item":
                if let item = BorrowItem.restore(doc) { community.items[item.id] = item }
            case "borrowing":
                guard let request = Borrowing.restore(doc) else { continue }
                community.borrowings[request.id] = request
                community.lastBorrowingID = max(community.lastBorrowingID, request.id)
            default:
                continue
            }
        }
    }
}
