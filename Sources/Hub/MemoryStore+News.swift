/// The news tables of `MemoryStore`.
struct MemoryNewsTables {
    var docs: [String: NewsDoc] = [:]
    var articles: [Int64: ArticleRecord] = [:]
    var contents: [Int64: ArticleContent] = [:]
    /// article → user → (first view, views)
    var reads: [Int64: [UserID: (first: Timestamp, views: Int64)]] = [:]
    /// Community-services documents (kept here too: the memory store's other REST-era tables).
    var community: [String: CommunityDoc] = [:]
    /// item → (stock, held), checked like the SQLite table's CHECK constraint.
    var stock_: [String: (stock: Int64, held: Int64)] = [:]

    /// venue → booking → slot, checked like the SQLite trigger.
    var slots: [String: [Int64: (start: Int64, end: Int64)]] = [:]
    var overlap = false

    /// Whether every item holds between nothing and its stock.
    var stockIsConsistent: Bool { stock_.values.allSatisfy { $0.held >= 0 && $0.held <= $0.stock } }

    private static func key(_ kind: NewsDocKind, _ id: String) -> String { kind.rawValue + "\u{0}" + id }

    /// Applies a news write; false for any other op.
    mutating func apply(_ op: WriteOp) -> Bool {
        switch op {
        case .putNewsDoc(let doc): docs[Self.key(doc.kind, doc.id)] = doc
        case .deleteNewsDoc(let kind, let id): docs[Self.key(kind, id)] = nil
        case .upsertArticle(var record):
            if let content = record.content { contents[record.id] = content }
            record.content = nil
            articles[record.id] = record
        case .recordArticleView(let article, let user, let at, let view):
            var entry = reads[article]?[user] ?? (at, 0)
            if view { entry.views += 1 }
            reads[article, default: [:]][user] = entry
        case .putCommunityDoc(let doc): community[doc.kind + "\u{0}" + doc.id] = doc
        case .setStock(let item, let stock): stock_[item, default: (0, 0)].stock = stock
        case .holdStock(let item, let delta): stock_[item, default: (0, 0)].held += delta
        case .holdSlot(let venue, let booking, let start, let end):
            if slots[venue, default: [:]].contains(where: {
                $0.key != booking && $0.value.start < end && start < $0.value.end
            }) {
                overlap = true
            }
            slots[venue, default: [:]][booking] = (start, end)
        case .releaseSlot(let venue, let booking): slots[venue]?[booking] = nil
        default: return false
        }
        return true
    }

    var snapshot: NewsSnapshot {
        var counters: [Int64: ArticleCounters] = [:]
        for (article, readers) in reads {
            counters[article] = ArticleCounters(
                views: readers.values.reduce(0) { $0 + $1.views },
                readers: Int64(readers.count)
            )
        }
        return NewsSnapshot(
            docs: docs.values.sorted { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) },
            articles: articles.values.sorted { $0.id < $1.id },
            counters: counters
        )
    }

    func search(_ text: String, limit: Int) -> [Int64] {
        let needle = text.lowercased()
        return articles.values.filter { record in
            record.title.lowercased().contains(needle)
                || (contents[record.id]?.text.lowercased().contains(needle) ?? false)
        }.map(\.id).sorted(by: >).prefix(limit).map { $0 }
    }
}

extension MemoryStore {
    public func readArticle(
        _ id: Int64,
        viewer: UserID,
        completion: @escaping @Sendable (Result<ArticleRead, StoreError>) -> Void
    ) {
        queue.async { [self] in
            completion(
                .success(ArticleRead(content: news.contents[id], viewedBefore: news.reads[id]?[viewer] != nil))
            )
        }
    }

    public func readViewed(
        user: UserID,
        articles: [Int64],
        completion: @escaping @Sendable (Result<Set<Int64>, StoreError>) -> Void
    ) {
        queue.async { [self] in
            completion(.success(Set(articles.filter { news.reads[$0]?[user] != nil })))
        }
    }

    public func readReaders(
        _ article: Int64,
        completion: @escaping @Sendable (Result<[UserID: Int64], StoreError>) -> Void
    ) {
        queue.async { [self] in
            completion(.success((news.reads[article] ?? [:]).mapValues(\.first)))
        }
    }

    public func searchArticles(
        _ text: String,
        limit: Int,
        completion: @escaping @Sendable (Result<[Int64], StoreError>) -> Void
    ) {
        queue.async { [self] in completion(.success(news.search(text, limit: limit))) }
    }
}
