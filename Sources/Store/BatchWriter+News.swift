import Hub

extension BatchWriter {
    // MARK: News center

    func put(_ doc: NewsDoc) throws(SQLiteError) {
        try putDocument(
            "INSERT INTO news_docs (kind, id, body) VALUES (?1, ?2, ?3) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
            kind: doc.kind.rawValue,
            id: doc.id,
            body: doc.body
        )
    }

    func put(_ doc: CommunityDoc) throws(SQLiteError) {
        try putDocument(
            """
            INSERT INTO community_docs (kind, id, body) VALUES (?1, ?2, ?3)
            ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body
            """,
            kind: doc.kind,
            id: doc.id,
            body: doc.body
        )
    }

    /// One (kind, id) → body upsert of a documents table (`sql` names the table; statements are cached per literal).
    private func putDocument(_ sql: StaticString, kind: String, id: String, body: [UInt8]) throws(SQLiteError) {
        let upsert = try db.statement(sql)
        defer { upsert.reset() }
        upsert.bind(kind, at: 1)
        upsert.bind(id, at: 2)
        upsert.bind(body, at: 3)
        try upsert.step()
    }

    func setStock(_ item: String, _ stock: Int64) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO community_stock (item_id, stock) VALUES (?1, ?2)
            ON CONFLICT (item_id) DO UPDATE SET stock = excluded.stock
            """
        )
        defer { upsert.reset() }
        upsert.bind(item, at: 1)
        upsert.bind(stock, at: 2)
        try upsert.step()
    }

    func holdStock(_ item: String, _ delta: Int64) throws(SQLiteError) {
        let update = try db.statement("UPDATE community_stock SET held = held + ?2 WHERE item_id = ?1")
        defer { update.reset() }
        update.bind(item, at: 1)
        update.bind(delta, at: 2)
        try update.step()
    }

    func holdSlot(_ venue: String, _ booking: Int64, _ start: Int64, _ end: Int64) throws(SQLiteError) {
        let insert = try db.statement(
            "INSERT OR REPLACE INTO community_slots (venue_id, booking_id, starts_at, ends_at) VALUES (?1, ?2, ?3, ?4)"
        )
        defer { insert.reset() }
        insert.bind(venue, at: 1)
        insert.bind(booking, at: 2)
        insert.bind(start, at: 3)
        insert.bind(end, at: 4)
        try insert.step()
    }

    func releaseSlot(_ venue: String, _ booking: Int64) throws(SQLiteError) {
        let delete = try db.statement("DELETE FROM community_slots WHERE venue_id = ?1 AND booking_id = ?2")
        defer { delete.reset() }
        delete.bind(venue, at: 1)
        delete.bind(booking, at: 2)
        try delete.step()
    }

    func deleteDoc(_ kind: NewsDocKind, _ id: String) throws(SQLiteError) {
        let delete = try db.statement("DELETE FROM news_docs WHERE kind = ?1 AND id = ?2")
        defer { delete.reset() }
        delete.bind(kind.rawValue, at: 1)
        delete.bind(id, at: 2)
        try delete.step()
    }

    /// The row, its search entry (rebuilt from the stored text when only meta changed) and its object references.
    func upsert(_ article: ArticleRecord) throws(SQLiteError) {
        if let content = article.content {
            let upsert = try db.statement(
                """
                INSERT INTO news_articles (id, column_id, external_id, title, meta, html, text)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (id) DO UPDATE SET column_id = excluded.column_id, title = excluded.title,
                    meta = excluded.meta, html = excluded.html, text = excluded.text
                """
            )
            defer { upsert.reset() }
            bindArticle(upsert, article)
            upsert.bind(content.html, at: 6)
            upsert.bind(content.text, at: 7)
            try upsert.step()
        } else {
            let upsert = try db.statement(
                """
                INSERT INTO news_articles (id, column_id, external_id, title, meta) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (id) DO UPDATE SET column_id = excluded.column_id, title = excluded.title,
                    meta = excluded.meta
                """
            )
            defer { upsert.reset() }
            bindArticle(upsert, article)
            try upsert.step()
        }
        let statements: [StaticString] = [
            "DELETE FROM news_search WHERE rowid = ?1",
            "INSERT INTO news_search (rowid, title, text) SELECT id, title, text FROM news_articles WHERE id = ?1",
            "DELETE FROM news_object_refs WHERE article_id = ?1",
        ]
        for sql in statements {
            let statement = try db.statement(sql)
            defer { statement.reset() }
            statement.bind(article.id, at: 1)
            try statement.step()
        }
        let insert = try db.statement("INSERT OR IGNORE INTO news_object_refs (object_id, article_id) VALUES (?1, ?2)")
        defer { insert.reset() }
        for object in ObjectReferences.ids(in: article.meta) {
            insert.bind(object, at: 1)
            insert.bind(article.id, at: 2)
            try insert.step()
            insert.reset()
        }
    }

    private func bindArticle(_ statement: SQLiteStatement, _ article: ArticleRecord) {
        statement.bind(article.id, at: 1)
        statement.bind(article.column, at: 2)
        statement.bind(article.externalID, at: 3)
        statement.bind(article.title, at: 4)
        statement.bind(article.meta, at: 5)
    }

    func recordView(article: Int64, user: UserID, at: Timestamp, view: Bool) throws(SQLiteError) {
        let upsert = try db.statement(
            """
            INSERT INTO news_reads (article_id, user_id, first_at, last_at, views) VALUES (?1, ?2, ?3, ?3, ?4)
            ON CONFLICT (article_id, user_id) DO UPDATE SET last_at = excluded.last_at, views = views + excluded.views
            """
        )
        defer { upsert.reset() }
        upsert.bind(article, at: 1)
        upsert.bind(user, at: 2)
        upsert.bind(at, at: 3)
        upsert.bind(view ? 1 : 0, at: 4)
        try upsert.step()
    }
}
