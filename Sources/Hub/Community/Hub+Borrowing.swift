import JSON
import Workflow

extension Hub {
    /// Serves one item-borrowing request. `completion` runs on the hub queue.
    public func borrowing(
        _ request: BorrowingRequest,
        caller: RESTCaller,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            let user = try communityUser(caller)
            switch request {
            case .items:
                let admin = user.roles.contains(.admin)
                let list = community.items.values.sorted { $0.id < $1.id }
                    .filter { !$0.archived || admin || $0.managers.contains(user.id) }
                completion(.success(.json(JSONValue.object(["items": .array(list.map(\.json))]).encoded())))
            case .createItem(let body): try saveItem(nil, body, ifMatch: nil, by: user, completion: completion)
            case .updateItem(let id, let body, let ifMatch):
                try saveItem(id, body, ifMatch: ifMatch, by: user, completion: completion)
            case .submit(let body): try submitBorrowing(body, by: user, completion: completion)
            case .list(let state, let before, let limit):
                try requireState(state, of: Workflow.borrowing)
                let body = requestPage(community.borrowings, key: "borrowings", before: before, limit: limit) {
                    request in
                    let parties = parties(user, for: request)
                    guard !parties.isEmpty, state.map({ $0 == request.record.state }) ?? true else { return nil }
                    return request.json(actions: Workflow.borrowing.actions(from: request.record.state, as: parties))
                }
                completion(.success(.json(body)))
            case .get(let id):
                let (request, parties) = try visibleBorrowing(id, user)
                let actions = Workflow.borrowing.actions(from: request.record.state, as: parties).filter {
                    $0 != "overdue"
                }
                completion(.success(.json(request.json(actions: actions).encoded(), version: request.record.version)))
            case .act(let id, let action, let body, let ifMatch):
                try act(onBorrowing: id, action, body, ifMatch: ifMatch, by: user, completion: completion)
            }
        } catch {
            completion(.failure(error))
        }
    }

    func parties(_ user: UserRecord, for request: Borrowing) -> Set<Party> {
        var parties: Set<Party> = []
        if request.applicant == user.id { parties.insert(.applicant) }
        if community.items[request.item]?.managers.contains(user.id) == true { parties.insert(.handler) }
        if user.roles.contains(.admin) { parties.insert(.admin) }
        return parties
    }

    func visibleBorrowing(_ id: Int64, _ user: UserRecord) throws(HubError) -> (Borrowing, Set<Party>) {
        guard let request = community.borrowings[id] else {
            throw HubError(.requestNotFound, "Borrowing request \(id) does not exist or is not visible to you.")
        }
        let parties = parties(user, for: request)
        guard !parties.isEmpty else {
            throw HubError(.requestNotFound, "Borrowing request \(id) does not exist or is not visible to you.")
        }
        return (request, parties)
    }

    // MARK: Catalog

    private func saveItem(
        _ id: String?,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        try saveCatalogEntry(
            id,
            body,
            ifMatch: ifMatch,
            by: user,
            in: \.items,
            noun: "Item",
            check: { (item, _) throws(HubError) in
                guard item.stock >= item.held else {
                    throw HubError(
                        .insufficientStock,
                        "\(item.held) of '\(item.name)' are lent or promised; the stock cannot go below that."
                    )
                }
            },
            extraOps: { [.setStock(item: $0.id, stock: $0.stock)] },
            completion: completion
        )
    }

    // MARK: Requests

    /// `POST /v1/community/borrowings`: a request for `quantity` of an item from `from` to `until`. The quantity is
    /// held at once, so requests at the same moment never promise more than the stock.
    private func submitBorrowing(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let itemID: String
        let quantity: Int64
        let from: Int64
        let until: Int64
        let purpose: String
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            itemID = try fields.string("item", maxBytes: 64, nonEmpty: true)
            quantity = try fields.int("quantity", in: Int64(1)...Int64(1000))
            from = try fields.int("from", in: Int64(0)...Int64.max)
            until = try fields.int("until", in: Int64(0)...Int64.max)
            purpose = try fields.optionalString("purpose", maxBytes: 2000) ?? ""
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        guard let item = community.items[itemID], !item.archived else {
            throw HubError(.requestNotFound, "Item '\(itemID)' is not in the catalog.")
        }
        let now = clock()
        guard from >= now - 300_000 else { throw .invalid("Field 'from' is in the past.") }
        guard until > from else { throw .invalid("Field 'until' must be after 'from'.") }
        guard until - from <= item.maxDays * 86_400_000 else {
            throw .invalid("'\(item.name)' is lent for at most \(item.maxDays) days.")
        }
        guard quantity <= item.maxPerRequest else {
            throw .invalid("At most \(item.maxPerRequest) of '\(item.name)' per request.")
        }
        guard quantity <= item.available else {
            throw HubError(
                .insufficientStock,
                "Only \(item.available) of '\(item.name)' are available now; ask for fewer or later."
            )
        }
        community.lastBorrowingID += 1
        let request = Borrowing(
            id: community.lastBorrowingID,
            item: itemID,
            quantity: quantity,
            from: from,
            until: until,
            purpose: purpose,
            applicant: user.id,
            record: WorkflowRecord(Workflow.borrowing, by: user.id, at: now)
        )
        community.borrowings[request.id] = request
        item.held += quantity
        let undo = { [self] in
            community.borrowings[request.id] = nil
            item.held -= quantity
        }
        commitCommunity(
            [request.doc, item.doc],
            jobs: [],
            extraOps: [.holdStock(item: itemID, delta: quantity)],
            notify: item.managers.filter { $0 != user.id },
            message: borrowingNotice("新的借用申请", request, item),
            undo: [undo]
        ) { [self] result in
            let actions = Workflow.borrowing.actions(from: request.record.state, as: [.applicant])
            completion(
                result.map {
                    .json(request.json(actions: actions).encoded(), created: true, version: request.record.version)
                }
            )
        }
    }

    private func borrowingNotice(
        _ title: String,
        _ request: Borrowing,
        _ item: BorrowItem,
        comment: String? = nil
    )
        -> AppMessage
    {
        var fields = [
            AppMessage.Field(label: "物品", value: item.name),
            AppMessage.Field(label: "数量", value: String(request.quantity)),
            AppMessage.Field(
                label: "借用时间",
                value: Self.beijingTime(request.from) + " – " + Self.beijingTime(request.until)
            ),
            AppMessage.Field(label: "状态", value: request.record.state),
        ]
        if !item.place.isEmpty { fields.append(AppMessage.Field(label: "地点", value: item.place)) }
        return AppMessage(title: title, summary: comment, fields: fields)
    }

    /// `POST /v1/community/borrowings/{id}/{action}`: approve (with pickup instructions), reject, cancel, pickup,
    /// return. Refusals and cancellations give the quantity back; a pickup starts the return deadline.
    private func act(
        onBorrowing id: Int64,
        _ action: String,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (request, parties) = try visibleBorrowing(id, user)
        try requireVersion(ifMatch, request.record.version)
        guard action != "overdue" else { throw .invalid("'overdue' is set by the server when the loan runs out.") }
        let (comment, attachments, _) = try stepFields(body, user: user)
        guard let item = community.items[request.item] else { throw .invalid("The item is no longer in the catalog.") }
        let saved = Borrowing.restore(request.doc)!
        let heldBefore = request.holdsStock
        let now = clock()
        do throws(WorkflowRefusal) {
            try request.record.perform(
                action,
                in: Workflow.borrowing,
                by: user.id,
                as: parties,
                at: now,
                comment: comment,
                attachments: attachments,
                deadline: request.until
            )
        } catch {
            throw HubError(error)
        }
        var extraOps: [WriteOp] = []
        let released = heldBefore && !request.holdsStock
        if released {
            item.held -= request.quantity
            extraOps.append(.holdStock(item: item.id, delta: -request.quantity))
        }
        var jobs: [JobRecord] = []
        if action == "pickup" {
            let body = JSONValue.object(["borrowing": .int(id), "until": .int(request.until)]).encoded()
            jobs.append(nextJob(dueAt: request.until, kind: "community.borrowing.due", body: body))
        }
        let toApplicant = !parties.contains(.applicant)
        let titles = [
            "approve": "借用申请已批准，请按时领取", "reject": "借用申请未获批准", "cancel": "借用已取消",
            "pickup": "已领取，请按时归还", "return": "已归还，谢谢",
        ]
        commitCommunity(
            [request.doc, item.doc],
            jobs: jobs,
            extraOps: extraOps,
            notify: toApplicant ? [request.applicant] : item.managers,
            message: borrowingNotice(titles[action] ?? action, request, item, comment: comment),
            undo: [
                { [self] in
                    community.borrowings[id] = saved
                    if released { item.held += saved.quantity }
                }
            ]
        ) { [self] result in
            let current = community.borrowings[id] ?? request
            let actions = Workflow.borrowing.actions(from: current.record.state, as: parties).filter { $0 != "overdue" }
            completion(result.map { .json(current.json(actions: actions).encoded(), version: current.record.version) })
        }
    }

    /// `community.borrowing.due`: a loan past its end is overdue; the borrower is reminded every day until the
    /// return, the managers once.
    func runBorrowingJob(_ job: JobRecord) {
        let body = try? JSONParser.parse(job.body)
        guard let id = body?["borrowing"]?.int64Value, let request = community.borrowings[id],
            let item = community.items[request.item],
            request.record.state == "borrowed" || request.record.state == "overdue"
        else { return write([.deleteJob(job.id)]) { _ in } }
        let saved = Borrowing.restore(request.doc)!
        let now = clock()
        var notify = [request.applicant]
        if request.record.state == "borrowed" {
            guard
                (try? request.record.perform("overdue", in: Workflow.borrowing, by: nil, as: [.system], at: now)) != nil
            else { return write([.deleteJob(job.id)]) { _ in } }
            notify += item.managers
        }
        // The same job again tomorrow: one row per loan, however long it is late.
        let next = JobRecord(id: job.id, dueAt: now + 86_400_000, kind: job.kind, body: job.body)
        commitCommunity(
            [request.doc],
            jobs: [next],
            notify: notify,
            message: borrowingNotice("借用已逾期，请尽快归还", request, item),
            undo: [
                { [self] in
                    community.borrowings[id] = saved
                    jobs.insert(job)
                }
            ]
        ) { _ in }
    }
}
