import JSON
import Synchronization
import Testing

@testable import Hub

/// The news center through the hub's REST entry point (`Hub.news`), on the memory store.
@Suite struct NewsTests {
    /// Two colleges, so audiences can exclude someone.
    static let directory = Directory(
        orgUnits: Directory.sample.orgUnits + [
            OrgUnitRecord(id: "ee", kind: .college, name: "电子学院", parentID: "school"),
            OrgUnitRecord(id: "ee2301", kind: .class, name: "电子2301班", parentID: "ee", counselors: ["T2"]),
        ],
        users: Directory.sample.users + [
            UserRecord(id: "E1", name: "周七", roles: [.student], classID: "ee2301"),
            UserRecord(id: "ED", name: "编辑", roles: [.staff], orgUnitID: "cs"),
        ],
        courses: Directory.sample.courses
    )

    /// A harness with columns: `school` (everyone, default), `cs` (college cs, default), `ee` (college ee, default),
    /// `jobs` (students, not default), edited by ED.
    static func harness(_ configure: (inout HubConfiguration) -> Void = { _ in }) -> HubHarness {
        var configuration = HubHarness.defaultConfiguration
        configuration.news.followUpDelay = 0
        configure(&configuration)
        let h = HubHarness(directory: directory, configuration: configuration)
        for (id, audience, byDefault) in [
            ("school", ["everyone": true] as JSONValue, true), ("cs", ["colleges": ["cs"]], true),
            ("ee", ["colleges": ["ee"]], true), ("jobs", ["roles": ["student"]], false),
        ] {
            let created = h.news(
                .createColumn(
                    [
                        "id": .string(id), "name": .string(id + "栏目"), "audience": audience,
                        "subscribeByDefault": .bool(byDefault), "editors": ["ED"],
                    ]
                ),
                as: "A1"
            )
            #expect(created.json?["id"]?.stringValue == id)
        }
        return h
    }

    @discardableResult
    static func publish(
        _ h: HubHarness,
        _ column: String,
        _ title: String,
        important: Bool = false,
        body: String = "<p>正文</p>"
    )
        -> Int64
    {
        let reply = h.news(
            .createArticle(
                [
                    "column": .string(column), "title": .string(title), "body": .string(body), "publish": true,
                    "important": .bool(important),
                ]
            ),
            as: "ED"
        )
        return reply.json!["id"]!.int64Value!
    }

    @Test func audienceIsEnforcedForListingReadingSearchAndPushes() {
        let h = Self.harness()
        let e1 = h.connect("E1")
        let s1 = h.connect("S1")
        let article = Self.publish(h, "ee", "电子学院奖学金评定通知")
        // The ee student gets the push; the cs student does not.
        #expect(
            h.output.take(e1).contains { $0["type"] == "news.article" && $0["article"]?["id"]?.int64Value == article }
        )
        #expect(!h.output.take(s1).contains { $0["type"] == "news.article" })
        let columns = h.news(.listColumns, as: "S1").json?["columns"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(columns == ["cs", "jobs", "school"])
        #expect(h.news(.column("ee"), as: "S1").error?.code == .columnNotFound)
        #expect(h.news(.columnArticles("ee", cursor: nil, limit: 20), as: "S1").error?.code == .columnNotFound)
        #expect(h.news(.article(article), as: "S1").error?.code == .articleNotFound)
        #expect(h.news(.subscribe("ee"), as: "S1").error?.code == .columnNotFound)
        #expect(h.news(.search("奖学金评定", limit: 20), as: "S1").json?["articles"] == [])
        #expect(h.news(.search("奖学金评定", limit: 20), as: "E1").json?["articles"]?.arrayValue?.count == 1)
        #expect(h.news(.feed(cursor: nil, limit: 20, unreadOnly: false), as: "S1").json?["articles"] == [])
        #expect(h.news(.hot(limit: 10), as: "S1").json?["articles"] == [])
        // Students cannot edit, nor make columns.
        #expect(
            h.news(.createArticle(["column": "cs", "title": "x", "body": "y"]), as: "S1").error?.code == .forbidden
        )
        #expect(h.news(.createColumn(["id": "mine", "name": "x"]), as: "ED").error?.code == .forbidden)
        // A user who is not in the directory gets nothing.
        #expect(h.news(.listColumns, as: "nobody").error?.code == .userNotFound)
    }

    @Test func defaultSubscriptionsFollowTheDirectoryAndUsersChooseAndOrder() {
        let h = Self.harness()
        func subscribed(_ user: UserID) -> [String] {
            (h.news(.subscriptions, as: user).json?["columns"]?.arrayValue ?? []).filter { $0["subscribed"] == true }
                .compactMap { $0["id"]?.stringValue }
        }
        #expect(subscribed("S1") == ["cs", "school"])
        // Subscribing to a column outside the defaults, with a recommendation of hot columns in the reply.
        Self.publish(h, "jobs", "招聘会")
        let recommended = h.news(.unsubscribe("cs"), as: "S1").json?["recommended"]?.arrayValue?.compactMap {
            $0["id"]?.stringValue
        }
        // Only columns with recent articles are recommended.
        #expect(recommended == ["jobs"])
        #expect(h.news(.subscribe("jobs"), as: "S1").isSuccess)
        #expect(subscribed("S1") == ["jobs", "school"])
        // Exactly these, in this order.
        #expect(h.news(.setSubscriptions(["columns": ["school", "cs"]]), as: "S1").isSuccess)
        let order = h.news(.subscriptions, as: "S1").json?["columns"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(order == ["school", "cs", "jobs"])
        #expect(subscribed("S1") == ["school", "cs"])
        #expect(h.news(.setSubscriptions(["columns": ["ee"]]), as: "S1").error?.code == .columnNotFound)
        // A student who moves to the other college follows its default column, not the old one.
        var moved = Self.directory
        moved.users = moved.users.map {
            $0.id == "S4" ? UserRecord(id: "S4", name: "赵六", roles: [.student], classID: "ee2301") : $0
        }
        h.importDirectory(moved)
        #expect(subscribed("S4") == ["ee", "school"])
    }

    @Test func feedPagesWithAStableCursorAndTracksReadState() {
        let h = Self.harness()
        var ids: [Int64] = []
        for index in 1...5 {
            ids.append(Self.publish(h, index % 2 == 0 ? "cs" : "school", "通知\(index)"))
            h.advance(seconds: 1)
        }
        Self.publish(h, "ee", "别的学院")
        let first = h.news(.feed(cursor: nil, limit: 2, unreadOnly: false), as: "S1").json!
        #expect(first["articles"]?.arrayValue?.compactMap { $0["id"]?.int64Value } == [ids[4], ids[3]])
        #expect(first["unread"] == 5)
        // A newer article does not shift the next page.
        Self.publish(h, "school", "更新的")
        let cursor = first["nextCursor"]!.stringValue!
        let second = h.news(.feed(cursor: cursor, limit: 2, unreadOnly: false), as: "S1").json!
        #expect(second["articles"]?.arrayValue?.compactMap { $0["id"]?.int64Value } == [ids[2], ids[1]])
        let opened = h.news(.article(ids[2]), as: "S1").json!
        #expect(opened["body"] == "<p>正文</p>")
        let third = h.news(.feed(cursor: cursor, limit: 2, unreadOnly: false), as: "S1").json!
        #expect(third["articles"]?[0]?["read"] == true)
        #expect(third["unread"] == 5)
        #expect(third["unreadByColumn"]?["cs"] == 2)
        let unread = h.news(.feed(cursor: nil, limit: 20, unreadOnly: true), as: "S1").json!
        #expect(unread["articles"]?.arrayValue?.count == 5)
        #expect(h.news(.readAll, as: "S1").json?["marked"] == 5)
        #expect(h.news(.feed(cursor: nil, limit: 20, unreadOnly: false), as: "S1").json?["unread"] == 0)
        #expect(h.news(.feed(cursor: "nonsense", limit: 2, unreadOnly: false), as: "S1").error?.code == .invalidRequest)
        // Views and readers count.
        _ = h.news(.article(ids[2]), as: "S1")
        _ = h.news(.article(ids[2]), as: "S2")
        let hot = h.news(.hot(limit: 1), as: "S1").json!["articles"]![0]!
        #expect(hot["id"]?.int64Value == ids[2])
        #expect(hot["views"] == 3)
        #expect(hot["readers"] == 2)
    }

    @Test func bodiesAreSanitised() {
        let h = Self.harness()
        let id = Self.publish(
            h,
            "school",
            "注入",
            body:
                #"<p onclick="alert(1)">安全</p><script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>"#
        )
        let body = h.news(.article(id), as: "S1").json!["body"]!.stringValue!
        #expect(!body.contains("script"))
        #expect(!body.contains("onclick"))
        #expect(!body.contains("onerror"))
        #expect(!body.contains("javascript:"))
        #expect(body.contains("安全"))
    }

    @Test func scheduledPublicationHappensOnceAcrossARestart() {
        let h = Self.harness()
        let created = h.news(
            .createArticle(
                ["column": "school", "title": "定时发布", "body": "x", "publishAt": .int(h.now + 60_000)]
            ),
            as: "ED"
        ).json!
        #expect(created["state"] == "scheduled")
        let id = created["id"]!.int64Value!
        #expect(h.news(.article(id), as: "S1").error?.code == .articleNotFound)
        h.hub = h.makeHub(
            configuration: {
                var c = HubHarness.defaultConfiguration
                c.news.followUpDelay = 0
                return c
            }()
        )
        let s1 = h.connect("S1")
        h.advance(seconds: 61)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(s1).filter { $0["type"] == "news.article" }.count == 1)
        #expect(h.news(.article(id), as: "S1").json?["state"] == "published")
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(s1).filter { $0["type"] == "news.article" }.isEmpty)
        #expect(h.store.pendingJobs.isEmpty)
    }

    @Test func editsNeedTheCurrentVersionAndRetractionIsPushed() {
        let h = Self.harness()
        let id = Self.publish(h, "school", "原标题")
        let s1 = h.connect("S1")
        #expect(h.news(.updateArticle(id, ["title": "新标题"], ifMatch: 2), as: "ED").error?.code == .versionMismatch)
        let updated = h.news(.updateArticle(id, ["title": "新标题"], ifMatch: 1), as: "ED")
        #expect(updated.version == 2)
        #expect(h.news(.updateArticle(id, ["title": "又改"], ifMatch: 1), as: "ED").error?.code == .versionMismatch)
        #expect(h.news(.updateArticle(id, ["colour": "red"], ifMatch: nil), as: "ED").error?.code == .invalidRequest)
        #expect(h.news(.retract(id), as: "S1").error?.code == .forbidden)
        #expect(h.news(.retract(id), as: "ED").json?["state"] == "retracted")
        #expect(h.output.take(s1).contains { $0["type"] == "news.retracted" && $0["article"]?.int64Value == id })
        #expect(h.news(.article(id), as: "S1").error?.code == .articleNotFound)
    }

    @Test func externalUpsertsAreIdempotent() {
        let h = Self.harness()
        let body: JSONValue = ["column": "school", "title": "教务通知", "body": "<p>选课</p>"]
        let first = h.news(.upsertExternal("jw-1", body), as: .service("jwc"))
        #expect(first.created == true)
        let batches = h.store.committedBatches.count
        let again = h.news(.upsertExternal("jw-1", body), as: .service("jwc"))
        #expect(again.created == false)
        #expect(again.version == first.version)
        #expect(h.store.committedBatches.count == batches)
        let changed = h.news(
            .upsertExternal("jw-1", ["column": "school", "title": "教务通知", "body": "<p>选课延期</p>"]),
            as: .service("jwc")
        )
        #expect(changed.version == 2)
        // Users cannot use the service endpoint, nor services the user ones.
        #expect(h.news(.upsertExternal("jw-2", body), as: "ED").error?.code == .forbidden)
        #expect(h.news(.feed(cursor: nil, limit: 1, unreadOnly: false), as: .service("jwc")).error?.code == .forbidden)
        #expect(h.news(.retractExternal("jw-1"), as: .service("jwc")).json?["state"] == "retracted")
        #expect(h.news(.retractExternal("jw-1"), as: .service("other")).error?.code == .articleNotFound)
    }

    @Test func importantNewsReachesTheWholeAudienceAndIsTrackedAsMustRead() {
        let h = Self.harness()
        let s1 = h.connect("S1")
        // S1 unsubscribes from the college column: an important article reaches them anyway.
        _ = h.news(.unsubscribe("cs"), as: "S1")
        let id = Self.publish(h, "cs", "紧急：停电通知", important: true)
        let frames = h.output.take(s1)
        #expect(frames.contains { $0["type"] == "news.article" })
        let notice = frames.first { $0["type"] == "message" && $0["message"]?["kind"] == "reminder" }
        #expect(notice?["message"]?["body"]?["event"] == "news_important")
        #expect(h.news(.mustRead, as: "S1").json?["articles"]?.arrayValue?.count == 1)
        _ = h.news(.article(id), as: "S1")
        #expect(h.news(.mustRead, as: "S1").json?["articles"] == [])
        let readers = h.news(.readers(id), as: "ED").table!
        // The cs audience: its four students and ED, who works there.
        #expect(readers.summary["recipients"] == 5)
        #expect(readers.summary["read"] == 1)
        #expect(readers.rows.first { $0[0] == "S1" }?[4] == "是")
        #expect(readers.summary["byClass"]?.arrayValue?.first { $0["id"] == "se2301" }?["read"] == 1)
        #expect(h.news(.readers(id), as: "S2").error?.code == .forbidden)
        #expect(h.store.auditLog.last?.action == .newsReadersExport)
        // One-click reminder to the unread, rate-limited.
        let s2 = h.connect("S2")
        _ = h.request(s2, ["type": "sync"])
        let reminded = h.news(.remind(id), as: "ED").json!["reminded"]!.int64Value!
        #expect(reminded == readers.summary["unread"]?.int64Value)
        #expect(h.output.take(s2).contains { $0["message"]?["body"]?["event"] == "news_reminder" })
        let again = h.news(.remind(id), as: "ED").error
        #expect(again?.code == .rateLimited)
        #expect(again?.retryAfter != nil)
    }

    @Test func followUpAndWebhookSurviveRestartsAndFailures() {
        var configuration = HubHarness.defaultConfiguration
        configuration.news.followUpDelay = 3600
        configuration.news.webhookDelay = 600
        configuration.news.webhookAttempts = 3
        configuration.news.webhookRetryBase = 10
        let h = Self.harness { $0 = configuration }
        let id = Self.publish(h, "cs", "体检通知", important: true)
        _ = h.news(.article(id), as: "S1")
        // A restart before the follow-up: it still happens, once.
        h.hub = h.makeHub(configuration: configuration)
        let deliveries = Mutex<[WebhookDelivery]>([])
        let failing = Atomic<Bool>(true)
        h.hub.webhookSender = { delivery, done in
            deliveries.withLock { $0.append(delivery) }
            done(failing.load(ordering: .relaxed) ? "HTTP 500" : nil)
        }
        let s2 = h.connect("S2")
        _ = h.request(s2, ["type": "sync"])
        _ = h.output.take(s2)
        h.advance(seconds: 3601)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let followUps = h.output.take(s2).filter { $0["message"]?["body"]?["event"] == "news_reminder" }
        #expect(followUps.count == 1)
        #expect(followUps.first?["message"]?["body"]?["auto"] == true)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(s2).isEmpty)
        // The escalation: one webhook delivery naming the unread, not S1.
        h.advance(seconds: 601)
        for _ in 0..<3 {
            h.hub.queue.sync { h.hub.tick() }
            h.settle()
        }
        let first = deliveries.withLock { $0 }
        #expect(first.count == 1)
        let users = (try? JSONParser.parse(first[0].body))?["users"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(users?.contains("S2") == true)
        #expect(users?.contains("S1") == false)
        // Retries with back-off, then a dead letter.
        for wait in [11.0, 21.0] {
            h.advance(seconds: wait)
            h.hub.queue.sync { h.hub.tick() }
            h.settle()
            h.settle()
        }
        #expect(deliveries.withLock { $0.count } == 3)
        #expect(Set(deliveries.withLock { $0.map(\.id) }).count == 1)
        let dead = h.news(.deadLetters, as: "A1").json!["deliveries"]!.arrayValue!
        #expect(dead.count == 1)
        #expect(dead[0]["error"] == "HTTP 500")
        #expect(h.news(.deadLetters, as: "S1").error?.code == .forbidden)
        // Nothing lost across a restart: the dead letter is still there and an admin retries it.
        h.hub = h.makeHub(configuration: configuration)
        h.hub.webhookSender = { delivery, done in
            deliveries.withLock { $0.append(delivery) }
            done(nil)
        }
        failing.store(false, ordering: .relaxed)
        let deliveryID = dead[0]["id"]!.stringValue!
        #expect(h.news(.retryDeadLetter(deliveryID), as: "A1").isSuccess)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        h.settle()
        #expect(deliveries.withLock { $0.count } == 4)
        #expect(h.news(.deadLetters, as: "A1").json?["deliveries"] == [])
        #expect(h.store.pendingJobs.isEmpty)
        #expect(h.news(.retryDeadLetter("999"), as: "A1").error?.code == .deliveryNotFound)
    }

    @Test func feedImportsAreIdempotentAndOldItemsAreNotPushed() {
        let h = Self.harness()
        _ = h.news(
            .createColumn(
                [
                    "id": "site", "name": "新闻网", "audience": ["everyone": true], "subscribeByDefault": true,
                    "feed": ["url": "https://news.example.edu.cn/rss.xml"],
                ]
            ),
            as: "A1"
        )
        let s1 = h.connect("S1")
        let items = [
            ImportedItem(key: "n-2", title: "今天的新闻", link: nil, html: "<p>新</p>", published: h.now - 60_000),
            ImportedItem(key: "n-1", title: "上个月的新闻", link: nil, html: "<p>旧</p>", published: h.now - 30 * 86_400_000),
        ]
        func run(_ items: [ImportedItem]) -> (created: Int, updated: Int)? {
            let result = Mutex<(created: Int, updated: Int)?>(nil)
            h.hub.queue.sync {
                h.hub.importFeed(column: "site", items: items, state: FeedPollState()) { outcome in
                    if case .success(let counts) = outcome { result.withLock { $0 = counts } }
                }
            }
            for _ in 0..<10 { h.settle() }
            return result.withLock { $0 }
        }
        #expect(run(items)?.created == 2)
        let pushed = h.output.take(s1).filter { $0["type"] == "news.article" }.compactMap { $0["article"]?["title"] }
        #expect(pushed == ["今天的新闻"])
        #expect(run(items)?.created == 0)
        #expect(run(items)?.updated == 0)
        #expect(
            h.news(.columnArticles("site", cursor: nil, limit: 20), as: "S1").json?["articles"]?.arrayValue?.count == 2
        )
        #expect(h.hub.queue.sync { h.hub.dueFeeds(at: nil).first?.state.imported } == 2)
    }

    @Test func statisticsPerColumnForEditorsAndAdmins() {
        let h = Self.harness()
        let id = Self.publish(h, "cs", "统计")
        _ = h.news(.article(id), as: "S1")
        let table = h.news(.stats, as: "ED").table!
        let cs = table.rows.first { $0[0] == "cs" }!
        #expect(cs[2] == "1")
        #expect(cs[4] == "1")
        #expect(h.news(.stats, as: "S1").error?.code == .forbidden)
    }
}

extension HubHarness {
    /// Runs one news request to completion.
    func news(_ request: NewsRequest, as caller: RESTCaller) -> Result<RESTResponse, HubError> {
        let result = Mutex<Result<RESTResponse, HubError>?>(nil)
        hub.queue.sync { hub.news(request, caller: caller) { outcome in result.withLock { $0 = outcome } } }
        for _ in 0..<100 {
            settle()
            if let outcome = result.withLock({ $0 }) { return outcome }
        }
        fatalError("news request did not complete")
    }

    func news(_ request: NewsRequest, as user: UserID) -> Result<RESTResponse, HubError> {
        news(request, as: RESTCaller.user(user))
    }
}

extension Result where Success == RESTResponse, Failure == HubError {
    var json: JSONValue? {
        guard case .success(.json(let body, _, _)) = self else { return nil }
        return try? JSONParser.parse(body)
    }
    var table: TableExport? {
        guard case .success(.table(let table)) = self else { return nil }
        return table
    }
    var created: Bool? {
        guard case .success(.json(_, let created, _)) = self else { return nil }
        return created
    }
    var version: Int64? {
        guard case .success(.json(_, _, let version)) = self else { return nil }
        return version
    }
    var error: HubError? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
    var isSuccess: Bool { error == nil }
}

extension NewsTests {
    /// Review findings: ids, undo, pagination, counting, visibility.
    @Test func jobIdsAreNotReusedAfterARestart() {
        let h = Self.harness()
        _ = h.news(
            .createArticle(["column": "school", "title": "一", "body": "x", "publishAt": .int(h.now + 1000)]),
            as: "ED"
        )
        h.advance(seconds: 2)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.store.pendingJobs.isEmpty)
        h.hub = h.makeHub(
            configuration: {
                var c = HubHarness.defaultConfiguration
                c.news.followUpDelay = 0
                return c
            }()
        )
        _ = h.news(
            .createArticle(["column": "school", "title": "二", "body": "x", "publishAt": .int(h.now + 1000)]),
            as: "ED"
        )
        #expect(h.store.pendingJobs.map(\.id) == [2])
    }

    @Test func aFailedEditLeavesTheArticleListedOnce() {
        let h = Self.harness()
        let id = Self.publish(h, "school", "原文")
        h.store.failNextCommits = 1
        #expect(h.news(.updateArticle(id, ["title": "改"], ifMatch: nil), as: "ED").error?.code == .storageUnavailable)
        let feed = h.news(.feed(cursor: nil, limit: 20, unreadOnly: false), as: "S1").json!
        #expect(feed["articles"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["原文"])
        #expect(h.news(.retract(id), as: "ED").isSuccess)
        #expect(h.news(.feed(cursor: nil, limit: 20, unreadOnly: false), as: "S1").json?["articles"] == [])
    }

    @Test func pinnedArticlesAppearOnceAcrossPages() {
        let h = Self.harness()
        let pinned = Self.publish(h, "school", "置顶")
        _ = h.news(.updateArticle(pinned, ["pinned": true], ifMatch: nil), as: "ED")
        for index in 1...3 {
            h.advance(seconds: 1)
            Self.publish(h, "school", "普通\(index)")
        }
        var ids: [Int64] = []
        var cursor: String?
        repeat {
            let page = h.news(.columnArticles("school", cursor: cursor, limit: 2), as: "S1").json!
            ids += page["articles"]?.arrayValue?.compactMap { $0["id"]?.int64Value } ?? []
            cursor = page["nextCursor"]?.stringValue
        } while cursor != nil
        #expect(ids.count == 4)
        #expect(Set(ids).count == 4)
        #expect(ids.first == pinned)
    }

    @Test func twoOpensAtOnceCountOneReader() {
        let h = Self.harness()
        let id = Self.publish(h, "school", "并发")
        let results = Mutex<Int>(0)
        h.hub.queue.sync {
            for _ in 0..<2 {
                try? h.hub.openArticle(id, user: h.hub.users["S1"]!) { _ in results.withLock { $0 += 1 } }
            }
        }
        for _ in 0..<20 where results.withLock({ $0 }) < 2 { h.settle() }
        let hot = h.news(.hot(limit: 1), as: "S1").json!["articles"]![0]!
        #expect(hot["views"] == 2)
        #expect(hot["readers"] == 1)
    }

    @Test func mustReadFollowsVisibility() {
        let h = Self.harness()
        let id = Self.publish(h, "cs", "重要", important: true)
        #expect(h.news(.mustRead, as: "S1").json?["articles"]?.arrayValue?.count == 1)
        _ = h.news(.updateColumn("cs", ["archived": true], ifMatch: nil), as: "A1")
        #expect(h.news(.mustRead, as: "S1").json?["articles"] == [])
        // Only ED, a recipient who edits the column and so still sees it, is reminded.
        #expect(h.news(.remind(id), as: "ED").json?["reminded"] == 1)
    }

    @Test func reorderingKeepsChoicesAboutHiddenColumns() {
        let h = Self.harness()
        _ = h.news(.unsubscribe("cs"), as: "S1")
        _ = h.news(.updateColumn("cs", ["archived": true], ifMatch: nil), as: "A1")
        _ = h.news(.setSubscriptions(["columns": ["school"]]), as: "S1")
        _ = h.news(.updateColumn("cs", ["archived": false], ifMatch: nil), as: "A1")
        let columns = h.news(.subscriptions, as: "S1").json?["columns"]?.arrayValue ?? []
        #expect(columns.first { $0["id"] == "cs" }?["subscribed"] == false)
    }

    @Test func campusResendsRescheduleAndRepublishOnlyWhenChanged() {
        let h = Self.harness()
        let body: JSONValue = [
            "column": "school", "title": "讲座", "body": "<p>周五</p>", "publishedAt": .int(h.now + 60_000),
        ]
        _ = h.news(.upsertExternal("talk", body), as: .service("xg"))
        var later = body
        later = ["column": "school", "title": "讲座", "body": "<p>周五</p>", "publishedAt": .int(h.now + 120_000)]
        let moved = h.news(.upsertExternal("talk", later), as: .service("xg")).json!
        #expect(moved["publishAt"]?.int64Value == h.now + 120_000)
        h.advance(seconds: 61)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.news(.upsertExternal("talk", later), as: .service("xg")).json?["state"] == "scheduled")
        h.advance(seconds: 60)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.news(.upsertExternal("talk", later), as: .service("xg")).json?["state"] == "published")
        _ = h.news(.retractExternal("talk"), as: .service("xg"))
        #expect(h.news(.upsertExternal("talk", later), as: .service("xg")).json?["state"] == "retracted")
        let changed: JSONValue = ["column": "school", "title": "讲座（改期）", "body": "<p>周六</p>"]
        #expect(h.news(.upsertExternal("talk", changed), as: .service("xg")).json?["state"] == "published")
    }
}
