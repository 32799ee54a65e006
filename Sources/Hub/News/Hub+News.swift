import JSON

extension Hub {
    /// Serves one news-center request. `completion` runs on the hub queue.
    public func news(
        _ request: NewsRequest,
        caller: RESTCaller,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            if caller.service {
                switch request {
                case .upsertExternal(let id, let body):
                    return try upsertExternal(id, body, service: caller.id, completion: completion)
                case .retractExternal(let id):
                    return try retractExternal(id, service: caller.id, completion: completion)
                default:
                    throw .forbidden("users (service tokens may only push articles)")
                }
            }
            let user = try restUser(caller)
            switch request {
            case .listColumns: completion(.success(.json(listColumns(user))))
            case .column(let id):
                let column = try visibleColumn(id, user)
                completion(.success(.json(describe(column, for: user), version: column.version)))
            case .createColumn(let body): try createColumn(body, by: user, completion: completion)
            case .updateColumn(let id, let body, let ifMatch):
                try updateColumn(id, body, ifMatch: ifMatch, by: user, completion: completion)
            case .columnArticles(let id, let cursor, let limit):
                try columnArticles(id, cursor: cursor, limit: limit, user: user, completion: completion)
            case .subscriptions: completion(.success(.json(subscriptionsReply(user, recommend: false))))
            case .setSubscriptions(let body): try setSubscriptions(body, user: user, completion: completion)
            case .subscribe(let id): try changeSubscription(id, subscribed: true, user: user, completion: completion)
            case .unsubscribe(let id): try changeSubscription(id, subscribed: false, user: user, completion: completion)
            case .feed(let cursor, let limit, let unreadOnly):
                try feed(user, cursor: cursor, limit: limit, unreadOnly: unreadOnly, completion: completion)
            case .readAll: readAll(user, completion: completion)
            case .search(let text, let limit): try search(text, limit: limit, user: user, completion: completion)
            case .hot(let limit): completion(.success(.json(hotList(user, limit: limit))))
            case .mustRead: mustRead(user, completion: completion)
            case .createArticle(let body): try createArticle(body, by: user, completion: completion)
            case .article(let id): try openArticle(id, user: user, completion: completion)
            case .updateArticle(let id, let body, let ifMatch):
                try updateArticle(id, body, ifMatch: ifMatch, by: user, completion: completion)
            case .publish(let id): try publish(id, by: user, completion: completion)
            case .retract(let id): try retract(id, by: user, completion: completion)
            case .markRead(let id): try markRead(id, user: user, completion: completion)
            case .remind(let id): try remindUnread(id, by: user, completion: completion)
            case .readers(let id): try readers(id, by: user, completion: completion)
            case .stats: try newsStats(by: user, completion: completion)
            case .deadLetters: try deadLetters(by: user, completion: completion)
            case .retryDeadLetter(let id): try retryDeadLetter(id, by: user, completion: completion)
            case .upsertExternal, .retractExternal:
                throw .forbidden("campus systems with a service token holding the news:publish scope")
            }
        } catch {
            completion(.failure(error))
        }
    }

    // MARK: Who sees what

    /// The college or department of a user: the first such unit up from their class, or from their own unit.
    func college(of user: UserRecord) -> String? {
        firstUnit(of: user) { $0.kind == .college || $0.kind == .department }?.id
    }

    /// The first unit up from the user's class (or their own unit) that `matches`; a cycle in the directory stops
    /// the walk after 16 steps.
    func firstUnit(of user: UserRecord, where matches: (OrgUnitRecord) -> Bool) -> OrgUnitRecord? {
        var unit = user.classID.flatMap { orgUnits[$0] } ?? user.orgUnitID.flatMap { orgUnits[$0] }
        var steps = 0
        while let current = unit, steps < 16 {
            if matches(current) { return current }
            unit = current.parentID.flatMap { orgUnits[$0] }
            steps += 1
        }
        return nil
    }

    /// Whether the user is in the column's audience (not counting admin or editor rights).
    func inAudience(_ column: NewsColumn, _ user: UserRecord) -> Bool {
        let audience = column.audience
        if audience.everyone { return true }
        if !audience.roles.isEmpty, user.roles.contains(where: audience.roles.contains) { return true }
        if let classID = user.classID, audience.classes.contains(classID) { return true }
        if !audience.colleges.isEmpty, firstUnit(of: user, where: { audience.colleges.contains($0.id) }) != nil {
            return true
        }
        if !audience.groups.isEmpty, let mine = groupsOfUser[user.id], !mine.isDisjoint(with: audience.groups) {
            return true
        }
        return false
    }

    /// The active users in the column's audience, sorted.
    func audience(of column: NewsColumn) -> [UserID] {
        users.values.filter { $0.active && inAudience(column, $0) }.map(\.id).sorted()
    }

    func isEditor(_ column: NewsColumn, _ user: UserRecord) -> Bool {
        user.roles.contains(.admin) || column.editors.contains(user.id)
    }

    func canSee(_ column: NewsColumn, _ user: UserRecord) -> Bool {
        isEditor(column, user) || (!column.archived && inAudience(column, user))
    }

    func isSubscribed(_ column: NewsColumn, _ user: UserRecord) -> Bool {
        guard !column.archived, inAudience(column, user) || isEditor(column, user) else { return false }
        let preferences = news.preferences[user.id]
        if preferences?.subscribed.contains(column.id) == true { return true }
        if preferences?.unsubscribed.contains(column.id) == true { return false }
        return column.subscribeByDefault && inAudience(column, user)
    }

    /// Whether the article belongs in the user's feed and live pushes: a subscribed column, or an important
    /// article of any column they may see.
    func follows(_ article: Article, _ user: UserRecord) -> Bool {
        guard let column = news.columns[article.column] else { return false }
        return isSubscribed(column, user) || (article.important && canSee(column, user))
    }

    /// A column the user may see; others are reported as missing, so their existence does not leak.
    func visibleColumn(_ id: String, _ user: UserRecord) throws(HubError) -> NewsColumn {
        guard let column = news.columns[id], canSee(column, user) else {
            throw HubError(.columnNotFound, "Column '\(id)' does not exist or is not visible to you.")
        }
        return column
    }

    func editableColumn(_ id: String, _ user: UserRecord) throws(HubError) -> NewsColumn {
        let column = try visibleColumn(id, user)
        guard isEditor(column, user) else { throw .forbidden("the column's editors and school admins") }
        return column
    }

    /// An article the user may read: published in a column they see, or any state for its column's editors.
    func visibleArticle(_ id: Int64, _ user: UserRecord) throws(HubError) -> (Article, NewsColumn) {
        guard let article = news.articles[id], let column = news.columns[article.column],
            (article.isPublished && canSee(column, user)) || isEditor(column, user)
        else {
            throw HubError(.articleNotFound, "Article \(id) does not exist or is not visible to you.")
        }
        return (article, column)
    }

    /// An article the user may edit: its column's editors and school admins.
    func editableArticle(_ id: Int64, _ user: UserRecord) throws(HubError) -> (Article, NewsColumn) {
        let (article, column) = try visibleArticle(id, user)
        guard isEditor(column, user) else { throw .forbidden("the column's editors and school admins") }
        return (article, column)
    }

    func requireVersion(_ ifMatch: Int64?, _ current: Int64) throws(HubError) {
        if let ifMatch, ifMatch != current {
            throw HubError(
                .versionMismatch,
                "It was changed by someone else (now version \(current)); reload it and apply your change again."
            )
        }
    }

    // MARK: Loading

    func loadNews(_ snapshot: NewsSnapshot) {
        for doc in snapshot.docs {
            switch doc.kind {
            case .column: if let column = NewsColumn.restore(doc) { news.columns[column.id] = column }
            case .preferences: news.preferences[doc.id] = NewsPreferences.restore(doc)
            case .feedState: news.feedStates[doc.id] = doc.body
            case .recipients:
                if let id = Int64(doc.id), let list = try? JSONParser.parse(doc.body).arrayValue {
                    news.recipients[id] = list.compactMap(\.stringValue)
                }
            case .deadLetter: news.deadLetters[doc.id] = doc.body
            }
        }
        for record in snapshot.articles {
            guard let article = Article.restore(record) else { continue }
            article.counters = snapshot.counters[article.id] ?? ArticleCounters()
            news.add(article)
            news.lastArticleID = max(news.lastArticleID, article.id)
        }
    }
}
