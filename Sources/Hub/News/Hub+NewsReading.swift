import Foundation
import JSON

extension Hub {
    /// `GET /v1/news/feed`: the newest published articles of the user's subscribed columns (and important ones of
    /// every column they see), newest first, with read state, the unread total and unread per column over the
    /// last `unreadWindowDays`. Fan-out on read: nothing is stored per subscriber.
    func feed(
        _ user: UserRecord,
        cursor: String?,
        limit: Int,
        unreadOnly: Bool,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let after = try parseCursor(cursor)
        var follows = FollowCache()
        let window = unreadWindow(user, &follows)
        var page: [Article] = []
        var more = false
        if !unreadOnly {
            for article in news.published(after: after) where follows.check(article, user, self) {
                if page.count == limit {
                    more = true
                    break
                }
                page.append(article)
            }
        }
        let ids = Array(Set(window.map(\.id) + page.map(\.id)))
        store.readViewed(
            user: user.id,
            articles: ids,
            completion: hop { [self] result in
                guard case .success(let viewed) = result else { return completion(.failure(.storage)) }
                var unreadByColumn: [String: Int64] = [:]
                for article in window where !viewed.contains(article.id) {
                    unreadByColumn[article.column, default: 0] += 1
                }
                if unreadOnly {
                    let unread = window.filter { article in
                        !viewed.contains(article.id) && (after.map { cursor in article.sortKey < cursor } ?? true)
                    }
                    page = Array(unread.prefix(limit))
                    more = unread.count > limit
                }
                let body = articleList(page, viewed: viewed) { writer in
                    writer.key("nextCursor")
                    if more, let last = page.last { writer.string(last.sortKey.encoded) } else { writer.null() }
                    writer.key("unread")
                    writer.int(unreadByColumn.values.reduce(0, +))
                    writer.key("unreadByColumn")
                    writer.beginObject()
                    for (column, count) in unreadByColumn.sorted(by: { $0.key < $1.key }) {
                        writer.key(column)
                        writer.int(count)
                    }
                    writer.endObject()
                }
                completion(.success(.json(body)))
            }
        )
    }

    /// The articles the user follows published in the last `unreadWindowDays`, newest first: what unread counts
    /// and "mark all read" cover.
    func unreadWindow(_ user: UserRecord, _ follows: inout FollowCache) -> [Article] {
        let windowStart = clock() - Int64(configuration.news.unreadWindowDays) * 86_400_000
        var window: [Article] = []
        for article in news.published(after: nil) {
            guard (article.publishedAt ?? 0) >= windowStart else { break }
            if follows.check(article, user, self) { window.append(article) }
        }
        return window
    }

    /// `GET /v1/news/columns/:id/articles` ("more"): everything published in the column, pinned first on the first
    /// page; its editors also see drafts, scheduled and retracted articles.
    func columnArticles(
        _ id: String,
        cursor: String?,
        limit: Int,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let column = try visibleColumn(id, user)
        let after = try parseCursor(cursor)
        var list: [Article]
        if isEditor(column, user) {
            list = news.articles.values.filter { $0.column == id }.sorted { $0.sortKey > $1.sortKey }
            if let after { list = list.filter { $0.sortKey < after } }
        } else {
            list = news.published(after: after).filter { $0.column == id }
        }
        // Pinned articles lead the first page and are left out of every page in their date position.
        let pinned = after == nil ? list.filter { $0.pinned && $0.isPublished } : []
        list.removeAll { $0.pinned && $0.isPublished }
        let more = list.count > limit
        let page = pinned + list.prefix(limit)
        store.readViewed(
            user: user.id,
            articles: page.map(\.id),
            completion: hop { [self] result in
                guard case .success(let viewed) = result else { return completion(.failure(.storage)) }
                let body = articleList(page, viewed: viewed) { writer in
                    writer.key("column")
                    writer.raw(describe(column, for: user))
                    writer.key("nextCursor")
                    if more, let last = list.prefix(limit).last {
                        writer.string(last.sortKey.encoded)
                    } else {
                        writer.null()
                    }
                }
                completion(.success(.json(body)))
            }
        )
    }

    /// `GET /v1/news/articles/:id`: the article with its body; opening a published article records a view.
    func openArticle(
        _ id: Int64,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, _) = try visibleArticle(id, user)
        store.readArticle(
            id,
            viewer: user.id,
            completion: hop { [self] result in
                guard case .success(let read) = result else { return completion(.failure(.storage)) }
                func answer(read isRead: Bool) {
                    completion(
                        .success(
                            .json(articleJSON(article, content: read.content, read: isRead), version: article.version)
                        )
                    )
                }
                // Editors previewing a draft leave no view.
                guard article.isPublished else { return answer(read: read.viewedBefore) }
                let first = countReader(article, user.id, viewedBefore: read.viewedBefore)
                article.counters.views += 1
                write(
                    [.recordArticleView(article: id, user: user.id, at: clock(), view: true)],
                    undo: [{ [self] in uncountReader(article, user.id, first: first, views: 1) }]
                ) { result in
                    if case .success = result { answer(read: true) } else { answer(read: read.viewedBefore) }
                }
            }
        )
    }

    /// `POST …/read`: marks a published article read without opening it.
    func markRead(
        _ id: Int64,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, _) = try visibleArticle(id, user)
        guard article.isPublished else { throw .invalid("Only a published article can be marked read.") }
        markRead([article], user: user) { result in
            completion(result.map { _ in .json(JSONValue.object(["read": true]).encoded()) })
        }
    }

    /// `POST /v1/news/feed/read-all`: every unread article of the feed's window marked read.
    func readAll(_ user: UserRecord, completion: @escaping (Result<RESTResponse, HubError>) -> Void) {
        var follows = FollowCache()
        let window = unreadWindow(user, &follows)
        markRead(window, user: user) { result in
            completion(result.map { .json(JSONValue.object(["marked": .int(Int64($0))]).encoded()) })
        }
    }

    /// Records reads of those of `articles` the user has not read; answers how many.
    private func markRead(
        _ articles: [Article],
        user: UserRecord,
        completion: @escaping (Result<Int, HubError>) -> Void
    ) {
        store.readViewed(
            user: user.id,
            articles: articles.map(\.id),
            completion: hop { [self] result in
                guard case .success(let viewed) = result else { return completion(.failure(.storage)) }
                let unread = articles.filter {
                    !viewed.contains($0.id) && news.recentReads[Self.readKey($0.id, user.id)] == nil
                }
                guard !unread.isEmpty else { return completion(.success(0)) }
                for article in unread { _ = countReader(article, user.id, viewedBefore: false) }
                let now = clock()
                let ops = unread.map { WriteOp.recordArticleView(article: $0.id, user: user.id, at: now, view: false) }
                let undo = { [self] in
                    for article in unread { uncountReader(article, user.id, first: true, views: 0) }
                }
                write(ops, undo: [undo]) { result in
                    guard case .success = result else { return completion(.failure(.storage)) }
                    completion(.success(unread.count))
                }
            }
        )
    }

    static func readKey(_ article: Int64, _ user: UserID) -> String { "\(article)\u{0}\(user)" }

    /// Counts the user as a reader of the article unless the store or a read in the last minute already did;
    /// answers whether this read was the first.
    func countReader(_ article: Article, _ user: UserID, viewedBefore: Bool) -> Bool {
        let key = Self.readKey(article.id, user)
        let first = !viewedBefore && news.recentReads[key] == nil
        news.recentReads[key] = clock()
        if first { article.counters.readers += 1 }
        return first
    }

    func uncountReader(_ article: Article, _ user: UserID, first: Bool, views: Int64) {
        article.counters.views -= views
        if first {
            article.counters.readers -= 1
            news.recentReads[Self.readKey(article.id, user)] = nil
        }
    }

    /// `GET /v1/news/search?q=`: published articles whose title or body contains the text (Chinese too: trigram
    /// index, substring match for one or two characters), limited to columns the caller may see.
    func search(
        _ text: String,
        limit: Int,
        user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw .invalid("Parameter 'q' must not be empty.") }
        guard query.count <= 100 else { throw .invalid("Parameter 'q' has more than 100 characters.") }
        store.searchArticles(
            query,
            limit: 1000,
            completion: hop { [self] result in
                guard case .success(let ids) = result else { return completion(.failure(.storage)) }
                var found: [Article] = []
                for id in ids {
                    guard let article = news.articles[id], article.isPublished,
                        let column = news.columns[article.column], canSee(column, user)
                    else { continue }
                    found.append(article)
                    if found.count == limit { break }
                }
                completion(.success(.json(articleList(found, viewed: nil))))
            }
        )
    }

    /// `{"articles": [...], …fields}`: articles without bodies, with `read` when `viewed` is known.
    func articleList(
        _ articles: [Article],
        viewed: Set<Int64>?,
        _ fields: (inout JSONWriter) -> Void = { _ in }
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + articles.count * 400)
        writer.beginObject()
        writer.key("articles")
        writer.beginArray()
        for article in articles {
            writer.raw(articleJSON(article, content: nil, read: viewed.map { $0.contains(article.id) }))
        }
        writer.endArray()
        fields(&writer)
        writer.endObject()
        return writer.bytes
    }

    /// The hot score: distinct readers plus a fifth of the views, halving every `hotHalfLife` since publication.
    func hotScore(_ article: Article, now: Timestamp) -> Double {
        let age = Double(max(0, now - (article.publishedAt ?? now))) / 1000
        let weight = Double(article.counters.readers) + 0.2 * Double(article.counters.views)
        return weight * Foundation.pow(0.5, age / configuration.news.hotHalfLife)
    }

    /// `GET /v1/news/hot` (热点): the highest-scoring articles of the window among the columns the caller may see.
    func hotList(_ user: UserRecord, limit: Int) -> [UInt8] {
        let now = clock()
        let start = now - Int64(configuration.news.hotWindowDays) * 86_400_000
        var scored: [(Article, Double)] = []
        var visible: [String: Bool] = [:]
        for article in news.published(after: nil) {
            guard (article.publishedAt ?? 0) >= start else { break }
            let sees = visible[article.column] ?? (news.columns[article.column].map { canSee($0, user) } ?? false)
            visible[article.column] = sees
            if sees { scored.append((article, hotScore(article, now: now))) }
        }
        scored.sort { ($0.1, $0.0.id) > ($1.1, $1.0.id) }
        var writer = JSONWriter(capacity: 256 + limit * 400)
        writer.beginObject()
        writer.key("articles")
        writer.beginArray()
        for (article, score) in scored.prefix(limit) {
            writer.raw(
                articleJSON(article, content: nil) { item in
                    item.key("hot")
                    item.double((score * 100).rounded() / 100)
                    item.key("views")
                    item.int(article.counters.views)
                    item.key("readers")
                    item.int(article.counters.readers)
                }
            )
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// Up to three columns the user may see and does not follow, by the hot scores of their recent articles.
    func recommendedColumns(_ user: UserRecord) -> [(NewsColumn, Double)] {
        let now = clock()
        let start = now - Int64(configuration.news.hotWindowDays) * 86_400_000
        var scores: [String: Double] = [:]
        for article in news.published(after: nil) {
            guard (article.publishedAt ?? 0) >= start else { break }
            scores[article.column, default: 0] += hotScore(article, now: now) + 0.01
        }
        return news.columns.values
            .filter { !$0.archived && inAudience($0, user) && !isSubscribed($0, user) && (scores[$0.id] ?? 0) > 0 }
            .map { ($0, scores[$0.id]!) }
            .sorted { ($0.1, $1.0.id) > ($1.1, $0.0.id) }
            .prefix(3)
            .map { $0 }
    }

    func parseCursor(_ cursor: String?) throws(HubError) -> ArticleCursor? {
        guard let cursor else { return nil }
        guard let parsed = ArticleCursor(cursor) else {
            throw .invalid("Parameter 'cursor' is not a cursor this server handed out.")
        }
        return parsed
    }
}

/// Per-request memo of which columns a user follows, so a feed walk checks each column once.
struct FollowCache {
    private var subscribed: [String: Bool] = [:]
    private var visible: [String: Bool] = [:]

    mutating func check(_ article: Article, _ user: UserRecord, _ hub: Hub) -> Bool {
        guard let column = hub.news.columns[article.column] else { return false }
        let isSubscribed = subscribed[column.id] ?? hub.isSubscribed(column, user)
        subscribed[column.id] = isSubscribed
        if isSubscribed { return true }
        guard article.important else { return false }
        let sees = visible[column.id] ?? hub.canSee(column, user)
        visible[column.id] = sees
        return sees
    }
}
