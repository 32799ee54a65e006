import Hub

extension SQLiteStore {
    /// The news part of the start-up snapshot: documents, article metadata (no bodies) and per-article counters.
    static func news(_ db: SQLiteDatabase) throws(SQLiteError) -> NewsSnapshot {
        var snapshot = NewsSnapshot()
        let docs = try db.statement("SELECT kind, id, body FROM news_docs ORDER BY kind, id")
        defer { docs.reset() }
        while try docs.step() {
            guard let kind = NewsDocKind(rawValue: docs.text(at: 0)) else { continue }
            snapshot.docs.append(NewsDoc(kind: kind, id: docs.text(at: 1), body: docs.blob(at: 2)))
        }
        let articles = try db.statement(
            "SELECT id, column_id, external_id, title, meta FROM news_articles ORDER BY id"
        )
        defer { articles.reset() }
        while try articles.step() {
            snapshot.articles.append(
                ArticleRecord(
                    id: articles.int64(at: 0),
                    column: articles.text(at: 1),
                    externalID: articles.optionalText(at: 2),
                    title: articles.text(at: 3),
                    meta: articles.blob(at: 4),
                    content: nil
                )
            )
        }
        let counters = try db.statement(
            "SELECT article_id, sum(views), count(*) FROM news_reads GROUP BY article_id"
        )
        defer { counters.reset() }
        while try counters.step() {
            snapshot.counters[counters.int64(at: 0)] = ArticleCounters(
                views: counters.int64(at: 1),
                readers: counters.int64(at: 2)
            )
        }
        return snapshot
    }

    static func communityDocs(_ db: SQLiteDatabase) throws(SQLiteError) -> [CommunityDoc] {
        let select = try db.statement("SELECT kind, id, body FROM community_docs ORDER BY kind, id")
        defer { select.reset() }
        var docs: [CommunityDoc] = []
        while try select.step() {
            docs.append(CommunityDoc(kind: select.text(at: 0), id: select.text(at: 1), body: select.blob(at: 2)))
        }
        return docs
    }

    /// Runs `body` in a read transaction on the reader connection, on the reader queue.
    private func newsRead<Value: Sendable>(
        _ completion: @escaping @Sendable (Result<Value, StoreError>) -> Void,
        _ body: @escaping @Sendable (SQLiteDatabase) throws(SQLiteError) -> Value
    ) {
        readerQueue.async { [self] in
            guard let db = reader else { return completion(.failure(Self.closedError)) }
            do throws(SQLiteError) {
                try db.execute("BEGIN")
                let value = try body(db)
                try db.execute("COMMIT")
                completion(.success(value))
            } catch {
                db.rollbackIfNeeded()
                completion(.failure(error.storeError))
            }
        }
    }

    public func readArticle(
        _ id: Int64,
        viewer: UserID,
        completion: @escaping @Sendable (Result<ArticleRead, StoreError>) -> Void
    ) {
        newsRead(completion) { (db) throws(SQLiteError) in
            let select = try db.statement("SELECT html, text FROM news_articles WHERE id = ?1")
            defer { select.reset() }
            select.bind(id, at: 1)
            let content = try select.step() ? ArticleContent(html: select.text(at: 0), text: select.text(at: 1)) : nil
            let viewed = try db.statement("SELECT 1 FROM news_reads WHERE article_id = ?1 AND user_id = ?2")
            defer { viewed.reset() }
            viewed.bind(id, at: 1)
            viewed.bind(viewer, at: 2)
            return ArticleRead(content: content, viewedBefore: try viewed.step())
        }
    }

    /// One index range read of the user's reads from the oldest article asked about.
    public func readViewed(
        user: UserID,
        articles: [Int64],
        completion: @escaping @Sendable (Result<Set<Int64>, StoreError>) -> Void
    ) {
        guard let oldest = articles.min() else { return completion(.success([])) }
        let wanted = Set(articles)
        newsRead(completion) { (db) throws(SQLiteError) in
            let select = try db.statement(
                "SELECT article_id FROM news_reads WHERE user_id = ?1 AND article_id >= ?2"
            )
            defer { select.reset() }
            select.bind(user, at: 1)
            select.bind(oldest, at: 2)
            var found: Set<Int64> = []
            while try select.step() {
                let id = select.int64(at: 0)
                if wanted.contains(id) { found.insert(id) }
            }
            return found
        }
    }

    public func readReaders(
        _ article: Int64,
        completion: @escaping @Sendable (Result<[UserID: Int64], StoreError>) -> Void
    ) {
        newsRead(completion) { (db) throws(SQLiteError) in
            let select = try db.statement("SELECT user_id, first_at FROM news_reads WHERE article_id = ?1")
            defer { select.reset() }
            select.bind(article, at: 1)
            var readers: [UserID: Int64] = [:]
            while try select.step() { readers[select.text(at: 0)] = select.int64(at: 1) }
            return readers
        }
    }

    /// Trigram full-text search for three characters or more; shorter text (one or two Chinese characters, say)
    /// has no trigram, so it falls back to a substring scan.
    public func searchArticles(
        _ text: String,
        limit: Int,
        completion: @escaping @Sendable (Result<[Int64], StoreError>) -> Void
    ) {
        newsRead(completion) { (db) throws(SQLiteError) in
            let select: SQLiteStatement
            if text.count >= 3 {
                select = try db.statement(
                    "SELECT rowid FROM news_search WHERE news_search MATCH ?1 ORDER BY rank LIMIT ?2"
                )
                // One phrase, quotes doubled: the user's text is never FTS query syntax.
                select.bind("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"", at: 1)
            } else {
                select = try db.statement(
                    """
                    SELECT id FROM news_articles WHERE instr(title, ?1) > 0 OR instr(text, ?1) > 0
                    ORDER BY id DESC LIMIT ?2
                    """
                )
                select.bind(text, at: 1)
            }
            defer { select.reset() }
            select.bind(limit, at: 2)
            var ids: [Int64] = []
            while try select.step() { ids.append(select.int64(at: 0)) }
            return ids
        }
    }
}
