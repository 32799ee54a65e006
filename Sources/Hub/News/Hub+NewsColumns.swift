import JSON

extension Hub {
    /// The user's columns in their order: every column they may see, with `subscribed`.
    func orderedColumns(_ user: UserRecord) -> [NewsColumn] {
        let visible = news.columns.values.filter { canSee($0, user) }
        let order = news.preferences[user.id]?.order ?? []
        var rank: [String: Int] = [:]
        for (index, id) in order.enumerated() where rank[id] == nil { rank[id] = index }
        return visible.sorted { a, b in
            switch (rank[a.id], rank[b.id]) {
            case (let x?, let y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return (a.position, a.id) < (b.position, b.id)
            }
        }
    }

    func listColumns(_ user: UserRecord) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.key("columns")
        writer.beginArray()
        for column in orderedColumns(user) { writeColumn(column, for: user, to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    func describe(_ column: NewsColumn, for user: UserRecord) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writeColumn(column, for: user, to: &writer)
        return writer.bytes
    }

    /// A column as users see it; editors and admins also see its audience, editors and feed.
    private func writeColumn(_ column: NewsColumn, for user: UserRecord, to writer: inout JSONWriter) {
        writer.beginObject()
        if isEditor(column, user) {
            column.writeFields(to: &writer)
            if column.feed != nil {
                writer.key("feedStatus")
                writer.raw(FeedPollState(decoding: news.feedStates[column.id]).encoded)
            }
        } else {
            column.writeIdentity(to: &writer)
        }
        writer.key("subscribed")
        writer.bool(isSubscribed(column, user))
        writer.key("editable")
        writer.bool(isEditor(column, user))
        writer.endObject()
    }

    func createColumn(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        var fields: JSONFields
        let id: String
        let column: NewsColumn
        do throws(JSONFieldError) {
            fields = try JSONFields(body)
            id = try fields.string("id", maxBytes: 64, nonEmpty: true)
            column = NewsColumn(id: id, createdAt: clock())
            try column.apply(&fields, creating: true)
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        guard isPathSegmentID(id) else {
            throw HubError(
                .invalidRequest,
                "Field 'id' must be 1 to 64 lowercase letters, digits, '-' or '_' (it appears in URLs)."
            )
        }
        guard news.columns[id] == nil else {
            throw HubError(.invalidRequest, "Column '\(id)' exists already; update it with PATCH.")
        }
        try requireKnownUsers(column.editors)
        news.columns[id] = column
        write([.putNewsDoc(column.doc)], undo: [{ [self] in news.columns[id] = nil }]) { [self] result in
            guard case .success = result else { return completion(.failure(.storage)) }
            completion(.success(.json(describe(column, for: user), created: true, version: column.version)))
        }
    }

    func updateColumn(
        _ id: String,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        guard let column = news.columns[id] else {
            throw HubError(.columnNotFound, "Column '\(id)' does not exist or is not visible to you.")
        }
        try requireVersion(ifMatch, column.version)
        let before = column.doc
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            try column.apply(&fields, creating: false)
            try fields.rejectUnknownFields()
        } catch {
            if let restored = NewsColumn.restore(before) { news.columns[id] = restored }
            throw HubError(error)
        }
        do throws(HubError) {
            try requireKnownUsers(column.editors)
        } catch {
            if let restored = NewsColumn.restore(before) { news.columns[id] = restored }
            throw error
        }
        column.version += 1
        column.updatedAt = clock()
        var ops: [WriteOp] = [.putNewsDoc(column.doc)]
        // A new feed URL starts afresh: no back-off, no validators of the old one.
        let previousFeed = NewsColumn.restore(before)?.feed?.url
        let previousState = news.feedStates[id]
        if column.feed?.url != previousFeed, previousState != nil {
            news.feedStates[id] = nil
            ops.append(.deleteNewsDoc(.feedState, id))
        }
        write(
            ops,
            undo: [
                { [self] in
                    news.columns[id] = NewsColumn.restore(before)
                    news.feedStates[id] = previousState
                }
            ]
        ) {
            [self] result in
            guard case .success = result else { return completion(.failure(.storage)) }
            let current = news.columns[id] ?? column
            completion(.success(.json(describe(current, for: user), version: current.version)))
        }
    }

    func requireKnownUsers(_ ids: Set<UserID>) throws(HubError) {
        for id in ids.sorted() where users[id] == nil {
            throw HubError(.userNotFound, "User '\(id)' is not in the directory.")
        }
    }

    // MARK: Subscriptions

    /// The user's columns in order with `subscribed`; after a change, also up to three hot columns they may see
    /// and do not follow (`recommended`).
    func subscriptionsReply(_ user: UserRecord, recommend: Bool) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.key("columns")
        writer.beginArray()
        for column in orderedColumns(user) { writeColumn(column, for: user, to: &writer) }
        writer.endArray()
        if recommend {
            writer.key("recommended")
            writer.beginArray()
            for (column, score) in recommendedColumns(user) {
                writer.beginObject()
                column.writeIdentity(to: &writer)
                writer.key("hot")
                writer.double((score * 100).rounded() / 100)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }

    /// `PUT /v1/news/subscriptions`: `{"columns": [ids in order]}` — exactly these subscribed, in this order.
    func setSubscriptions(
        _ body: JSONValue,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let wanted: [String]
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            wanted = try fields.stringArray("columns", maxCount: 500, maxBytes: 64, nonEmpty: true)
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        for id in wanted { _ = try visibleColumn(id, user) }
        let chosen = Set(wanted)
        var preferences = NewsPreferences()
        // Choices about columns the user cannot see right now (archived, a group left for a while) are kept.
        let old = news.preferences[user.id] ?? NewsPreferences()
        let hidden = Set(news.columns.values.filter { !canSee($0, user) }.map(\.id))
        preferences.subscribed = old.subscribed.intersection(hidden)
        preferences.unsubscribed = old.unsubscribed.intersection(hidden)
        for column in news.columns.values where canSee(column, user) {
            let byDefault = column.subscribeByDefault && inAudience(column, user)
            if chosen.contains(column.id), !byDefault { preferences.subscribed.insert(column.id) }
            if !chosen.contains(column.id), byDefault { preferences.unsubscribed.insert(column.id) }
        }
        var seen: Set<String> = []
        preferences.order = wanted.filter { seen.insert($0).inserted }
        savePreferences(preferences, user: user, completion: completion)
    }

    func changeSubscription(
        _ id: String,
        subscribed: Bool,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let column = try visibleColumn(id, user)
        var preferences = news.preferences[user.id] ?? NewsPreferences()
        let byDefault = column.subscribeByDefault && inAudience(column, user)
        preferences.subscribed.remove(id)
        preferences.unsubscribed.remove(id)
        if subscribed, !byDefault { preferences.subscribed.insert(id) }
        if !subscribed, byDefault { preferences.unsubscribed.insert(id) }
        savePreferences(preferences, user: user, completion: completion)
    }

    private func savePreferences(
        _ preferences: NewsPreferences,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        let previous = news.preferences[user.id]
        guard previous != preferences else {
            return completion(.success(.json(subscriptionsReply(user, recommend: true))))
        }
        news.preferences[user.id] = preferences
        write([.putNewsDoc(preferences.doc(user: user.id))], undo: [{ [self] in news.preferences[user.id] = previous }])
        {
            [self] result in
            guard case .success = result else { return completion(.failure(.storage)) }
            completion(.success(.json(subscriptionsReply(user, recommend: true))))
        }
    }
}
