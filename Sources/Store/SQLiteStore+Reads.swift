import Hub

extension SQLiteStore {
    /// Reads on the reader queue, all queries in one read transaction (one consistent view); see
    /// `HubStore.readMessages`. With both `after` and `before`, returns the first `limit` messages between them.
    public func readMessages(
        _ queries: [MessageQuery],
        completion: @escaping @Sendable (Result<[[StoredMessage]], StoreError>) -> Void
    ) {
        readerQueue.async { [self] in
            completion(read(queries))
        }
    }

    /// One record with its entries, on the reader queue.
    public func readRecord(
        _ kind: RecordKind,
        id: Int64,
        completion: @escaping @Sendable (Result<RecordWithEntries?, StoreError>) -> Void
    ) {
        readerQueue.async { [self] in
            guard let db = reader else { return completion(.failure(Self.closedError)) }
            do throws(SQLiteError) {
                try db.execute("BEGIN")
                defer { db.rollbackIfNeeded() }
                let select = try db.statement(
                    "SELECT kind, id, group_id, body, created_at, closed_at FROM records WHERE kind = ?1 AND id = ?2"
                )
                defer { select.reset() }
                select.bind(kind.rawValue, at: 1)
                select.bind(id, at: 2)
                guard try select.step() else {
                    try db.execute("COMMIT")
                    return completion(.success(nil))
                }
                let record = try select.record()
                let entries = try Self.entries(db, kind, id)
                try db.execute("COMMIT")
                completion(.success(RecordWithEntries(record: record, entries: entries)))
            } catch {
                completion(.failure(error.storeError))
            }
        }
    }

    /// Reader queue only.
    func read(_ queries: [MessageQuery]) -> Result<[[StoredMessage]], StoreError> {
        guard let db = reader else { return .failure(Self.closedError) }
        do throws(SQLiteError) {
            try db.execute("BEGIN")
            var results: [[StoredMessage]] = []
            results.reserveCapacity(queries.count)
            for query in queries {
                results.append(try Self.messages(query, db))
            }
            try db.execute("COMMIT")
            return .success(results)
        } catch {
            db.rollbackIfNeeded()
            return .failure(error.storeError)
        }
    }

    /// One query's messages, ascending, through the (group_id, seq) primary key.
    static func messages(_ query: MessageQuery, _ db: SQLiteDatabase) throws(SQLiteError) -> [StoredMessage] {
        guard query.limit > 0 else { return [] }
        var list: [StoredMessage] = []
        list.reserveCapacity(min(query.limit, 1024))
        if let after = query.after {
            let select = try db.statement(
                """
                SELECT group_id, seq, sender, client_msg_id, kind, body, reply_to, mentions, mention_all, created_at,
                       recalled
                FROM messages WHERE group_id = ?1 AND seq > ?2 AND seq < ?3 ORDER BY seq LIMIT ?4
                """
            )
            defer { select.reset() }
            select.bind(query.group.rawValue, at: 1)
            select.bind(after, at: 2)
            select.bind(query.before ?? Int64.max, at: 3)
            select.bind(query.limit, at: 4)
            while try select.step() {
                list.append(try select.storedMessage())
            }
        } else {
            try newest(query.group, before: query.before ?? Int64.max, limit: query.limit, db, into: &list)
        }
        return list
    }

    /// The `limit` newest messages of `group` with seq < `before`, appended to `list` ascending.
    static func newest(
        _ group: GroupID,
        before: Int64,
        limit: Int,
        _ db: SQLiteDatabase,
        into list: inout [StoredMessage]
    ) throws(SQLiteError) {
        let select = try db.statement(
            """
            SELECT group_id, seq, sender, client_msg_id, kind, body, reply_to, mentions, mention_all, created_at,
                   recalled
            FROM messages WHERE group_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3
            """
        )
        defer { select.reset() }
        select.bind(group.rawValue, at: 1)
        select.bind(before, at: 2)
        select.bind(limit, at: 3)
        let start = list.count
        while try select.step() {
            list.append(try select.storedMessage())
        }
        list[start...].reverse()
    }
}
