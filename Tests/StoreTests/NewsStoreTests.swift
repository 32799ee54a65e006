import Hub
import Testing

@testable import Store

/// The news tables on SQLite: what the hub loads at start-up, the reads it asks for, and job ids that are never
/// reused (webhook receivers de-duplicate deliveries by them).
@Suite struct NewsStoreTests {
    static func article(_ id: Int64, _ title: String, text: String?, external: String? = nil) -> ArticleRecord {
        ArticleRecord(
            id: id,
            column: "notice",
            externalID: external,
            title: title,
            meta: Array(#"{"title":"\#(title)","cover":"obj\#(id)"}"#.utf8),
            content: text.map { ArticleContent(html: "<p>\($0)</p>", text: $0) }
        )
    }

    @Test func articlesReadsSearchAndJobIdsSurviveAReopen() async throws {
        try await withTemporaryDirectory { directory in
            do {
                let store = try SQLiteStore(directory: directory)
                try await store.committed([
                    .putNewsDoc(NewsDoc(kind: .column, id: "notice", body: Array(#"{"name":"通知"}"#.utf8))),
                    .upsertArticle(Self.article(1, "寒假放假安排", text: "一月十七日起放假", external: "jw-1")),
                    .upsertArticle(Self.article(2, "选课通知", text: "选课系统开放")),
                    .recordArticleView(article: 1, user: "S1", at: 10, view: true),
                    .recordArticleView(article: 1, user: "S1", at: 20, view: true),
                    .recordArticleView(article: 1, user: "S2", at: 30, view: false),
                    .upsertJob(JobRecord(id: 7, dueAt: 100, kind: "news.webhook", body: Array("{}".utf8))),
                ])
                // A meta-only change keeps the body and its search entry.
                try await store.committed([
                    .upsertArticle(Self.article(1, "寒假放假安排（更新）", text: nil, external: "jw-1")),
                    .deleteJob(7),
                ])
                store.close()
            }
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let snapshot = try store.loadSnapshot(recentPerGroup: 0)
            #expect(snapshot.lastJobID == 7)
            #expect(snapshot.news.docs.map(\.id) == ["notice"])
            #expect(snapshot.news.articles.map(\.title) == ["寒假放假安排（更新）", "选课通知"])
            #expect(snapshot.news.articles.allSatisfy { $0.content == nil })
            #expect(snapshot.news.counters[1] == ArticleCounters(views: 2, readers: 2))
            let read = try await withCheckedThrowingContinuation { continuation in
                store.readArticle(1, viewer: "S2") { continuation.resume(with: $0) }
            }
            #expect(read.content?.text == "一月十七日起放假")
            #expect(read.viewedBefore)
            let viewed = try await withCheckedThrowingContinuation { continuation in
                store.readViewed(user: "S1", articles: [1, 2]) { continuation.resume(with: $0) }
            }
            #expect(viewed == [1])
            let readers = try await withCheckedThrowingContinuation { continuation in
                store.readReaders(1) { continuation.resume(with: $0) }
            }
            #expect(readers == ["S1": 10, "S2": 30])
            for (query, expected) in [("十七日", [Int64(1)]), ("更新", [1]), ("选课", [2]), ("课", [2]), ("\"", [])] {
                let found = try await withCheckedThrowingContinuation { continuation in
                    store.searchArticles(query, limit: 10) { continuation.resume(with: $0) }
                }
                #expect(found == expected, "\(query)")
            }
        }
    }
}

/// The store's own guarantees behind the community services: no two held slots of a venue overlap, stock is never
/// held beyond what there is, whatever the hub sends.
@Suite struct CommunityStoreTests {
    @Test func overlapsAndOverholdingAreRefusedWholeBatches() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.holdSlot(venue: "court", booking: 1, start: 100, end: 200)])
            let clash = await store.commit([
                .putCommunityDoc(CommunityDoc(kind: "booking", id: "2", body: Array("{}".utf8))),
                .holdSlot(venue: "court", booking: 2, start: 150, end: 250),
            ])
            #expect(throws: StoreError.self) { try clash.get() }
            try await store.committed([
                .holdSlot(venue: "court", booking: 3, start: 200, end: 300),
                .holdSlot(venue: "hall", booking: 4, start: 150, end: 250),
                .releaseSlot(venue: "court", booking: 1),
            ])
            try await store.committed([.holdSlot(venue: "court", booking: 5, start: 100, end: 200)])
            try await store.committed([.setStock(item: "umbrella", stock: 2), .holdStock(item: "umbrella", delta: 2)])
            let over = await store.commit([.holdStock(item: "umbrella", delta: 1)])
            #expect(throws: StoreError.self) { try over.get() }
            let under = await store.commit([.holdStock(item: "umbrella", delta: -3)])
            #expect(throws: StoreError.self) { try under.get() }
            let shrink = await store.commit([.setStock(item: "umbrella", stock: 1)])
            #expect(throws: StoreError.self) { try shrink.get() }
            // Nothing of the refused batches was kept.
            let snapshot = try store.loadSnapshot(recentPerGroup: 0)
            #expect(snapshot.community.isEmpty)
        }
    }
}
