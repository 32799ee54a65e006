import Auth
import Foundation
import Glibc
import Hub
import JSON
import Synchronization
import TestSupport
import Testing

@testable import Gateway

/// The news center over real HTTP and WebSocket connections, on SQLite: REST, live pushes, ETags, exports, the
/// service upsert, the signed webhook against a failing endpoint, and feed import from a local feed server.
@Suite struct NewsEndToEndTests {
    static func call(
        _ server: HubTestServer,
        _ method: String,
        _ path: String,
        token: String,
        body: JSONValue? = nil,
        headers: [String] = []
    ) throws -> HTTPTestClient.Response {
        let client = try HTTPTestClient(port: server.port)
        return try #require(
            try client.request(
                method,
                path,
                headers: ["Authorization: Bearer \(token)", "Content-Type: application/json"] + headers,
                body: body.map { $0.encoded() } ?? (method == "GET" ? nil : [])
            )
        )
    }

    static func json(_ response: HTTPTestClient.Response) -> JSONValue {
        (try? JSONParser.parse(response.body)) ?? .null
    }

    static func serviceToken(_ server: HubTestServer, scopes: [String]) -> String {
        let now = Int64(time(nil))
        return server.service.authority.mint(
            TokenClaims(subject: "jwc", kind: .service, scopes: scopes, issuedAt: now, expiresAt: now + 600)
        )
    }

    static func makeColumn(_ server: HubTestServer, _ admin: String, id: String = "notice") throws {
        let created = try call(
            server,
            "POST",
            "/v1/news/columns",
            token: admin,
            body: [
                "id": .string(id), "name": "通知公告", "audience": ["everyone": true], "subscribeByDefault": true,
                "editors": ["T1"],
            ]
        )
        #expect(created.status == 201)
    }

    @Test func restFlowWithLivePushETagsAndExports() throws {
        let server = try HubTestServer()
        let admin = server.token("A1", roles: ["admin", "staff"])
        let editor = server.token("T1", roles: ["counselor"])
        let student = server.token("S1")
        try Self.makeColumn(server, admin)
        let client = try server.connect("S1")
        _ = try client.request(["type": "ping"])
        let published = try Self.call(
            server,
            "POST",
            "/v1/news/articles",
            token: editor,
            body: ["column": "notice", "title": "期末考试安排", "body": "<p>见附件</p>", "publish": true]
        )
        #expect(published.status == 201)
        let id = try #require(Self.json(published)["id"]?.int64Value)
        let push = try #require(try client.nextFrame())
        #expect(push["type"] == "news.article")
        #expect(push["article"]?["id"]?.int64Value == id)

        let feed = Self.json(try Self.call(server, "GET", "/v1/news/feed?limit=5", token: student))
        #expect(feed["articles"]?[0]?["read"] == false)
        #expect(feed["unread"] == 1)
        let opened = try Self.call(server, "GET", "/v1/news/articles/\(id)", token: student)
        #expect(Self.json(opened)["body"] == "<p>见附件</p>")
        #expect(opened.header("ETag") == "\"1\"")
        #expect(Self.json(try Self.call(server, "GET", "/v1/news/feed", token: student))["unread"] == 0)

        // Two editors: the second, with a stale ETag, is refused rather than silently overwriting.
        let stale = try Self.call(
            server,
            "PATCH",
            "/v1/news/articles/\(id)",
            token: editor,
            body: ["title": "期末考试安排（更新）"],
            headers: ["If-Match: \"7\""]
        )
        #expect(stale.status == 412)
        #expect(Self.json(stale)["error"]?["code"] == "version_mismatch")
        let fresh = try Self.call(
            server,
            "PATCH",
            "/v1/news/articles/\(id)",
            token: editor,
            body: ["title": "期末考试安排（更新）"],
            headers: ["If-Match: \"1\""]
        )
        #expect(fresh.status == 200)
        #expect(fresh.header("ETag") == "\"2\"")

        // Bad input changes nothing and says why.
        let unknown = try Self.call(server, "PATCH", "/v1/news/articles/\(id)", token: editor, body: ["colour": "red"])
        #expect(unknown.status == 422)
        let client2 = try HTTPTestClient(port: server.port)
        let broken = try #require(
            try client2.request(
                "POST",
                "/v1/news/articles",
                headers: ["Authorization: Bearer \(editor)"],
                body: Array("{".utf8)
            )
        )
        #expect(broken.status == 400)
        #expect(
            try Self.call(
                server,
                "POST",
                "/v1/news/articles",
                token: student,
                body: ["column": "notice", "title": "x", "body": "y"]
            ).status == 403
        )
        #expect(try Self.call(server, "GET", "/v1/news/feed?limit=0", token: student).status == 400)
        #expect(try HTTPTestClient(port: server.port).request("GET", "/v1/news/articles/\(id)")?.status == 401)

        // Readers and statistics as CSV (UTF-8 with BOM) and JSON.
        let csv = try Self.call(server, "GET", "/v1/news/articles/\(id)/readers?format=csv", token: editor)
        #expect(csv.status == 200)
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(csv.text.contains("S1,学生1,"))
        let stats = Self.json(try Self.call(server, "GET", "/v1/news/stats?format=json", token: admin))
        #expect(stats["rows"]?[0]?[0] == "notice")

        // Campus systems: the scope is required, and re-sending changes nothing.
        let body: JSONValue = ["column": "notice", "title": "教务处通知", "body": "<p>选课开始</p>"]
        let unscoped = Self.serviceToken(server, scopes: ["messages:send"])
        #expect(try Self.call(server, "PUT", "/v1/news/external/jw-7", token: unscoped, body: body).status == 403)
        let scoped = Self.serviceToken(server, scopes: ["news:publish"])
        let first = try Self.call(server, "PUT", "/v1/news/external/jw-7", token: scoped, body: body)
        #expect(first.status == 201)
        let again = try Self.call(server, "PUT", "/v1/news/external/jw-7", token: scoped, body: body)
        #expect(again.status == 200)
        #expect(again.header("ETag") == first.header("ETag"))
        #expect(try Self.call(server, "PUT", "/v1/news/external/jw-7", token: student, body: body).status == 401)
    }

    /// Search text is data, never SQL or FTS query syntax: injection payloads find nothing and break nothing.
    @Test func searchTreatsHostileTextAsText() throws {
        let server = try HubTestServer()
        let admin = server.token("A1", roles: ["admin", "staff"])
        try Self.makeColumn(server, admin)
        let editor = server.token("T1", roles: ["counselor"])
        let body: JSONValue = [
            "column": "notice", "title": "图书馆\"通宵\"开放 100% 通知", "body": "<p>a_b</p>", "publish": true,
        ]
        #expect(try Self.call(server, "POST", "/v1/news/articles", token: editor, body: body).status == 201)
        let student = server.token("S1")
        func search(_ text: String) throws -> [JSONValue]? {
            let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let answer = try Self.call(server, "GET", "/v1/news/search?q=\(query)", token: student)
            #expect(answer.status == 200, "\(text): \(answer.text)")
            return Self.json(answer)["articles"]?.arrayValue
        }
        for payload in [
            "' OR 1=1--", "\"; DROP TABLE news_articles; --", "*", "NEAR(图书 馆)", "title:通宵", "') OR ('1'='1",
            "\\", "%%",
        ] {
            #expect(try search(payload)?.isEmpty == true, "\(payload)")
        }
        // Quotes, percent signs and underscores are matched literally, long or short.
        for literal in ["\"通宵\"", "100%", "%", "a_b", "_", "通宵"] {
            #expect(try search(literal)?.count == 1, "\(literal)")
        }
        #expect(
            Self.json(try Self.call(server, "GET", "/v1/news/feed", token: student))["articles"]?.arrayValue?.count == 1
        )
    }

    @Test func webhookRetriesAFailingEndpointAndSignsEveryAttempt() throws {
        let secret = "0123456789abcdef-webhook"
        let endpoint = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            },
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            },
        ])
        defer { endpoint.stop() }
        let server = try HubTestServer {
            $0.newsWebhookURL = "http://127.0.0.1:\(endpoint.port)/hook"
            $0.newsWebhookSecret = secret
            $0.hub.news.followUpDelay = 0.3
            $0.hub.news.webhookDelay = 0.3
            $0.hub.news.webhookRetryBase = 0.3
        }
        let admin = server.token("A1", roles: ["admin", "staff"])
        try Self.makeColumn(server, admin)
        let published = try Self.call(
            server,
            "POST",
            "/v1/news/articles",
            token: server.token("T1", roles: ["counselor"]),
            body: ["column": "notice", "title": "消防演练", "body": "<p>周五</p>", "publish": true, "important": true]
        )
        let id = try #require(Self.json(published)["id"]?.int64Value)
        _ = try Self.call(server, "GET", "/v1/news/articles/\(id)", token: server.token("S1"))
        // Wait (bounded) for both attempts: the follow-up, the escalation and one retry run on the hub's timer.
        let deadline = Date().addingTimeInterval(30)
        while endpoint.requests.count < 2, Date() < deadline { usleep(50_000) }
        let requests = endpoint.requests
        #expect(requests.count == 2)
        for request in requests {
            func header(_ name: String) -> String? {
                request.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                    .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
            }
            #expect(header("X-Yizhan-Event") == "news.unread")
            let timestamp = try #require(header("X-Yizhan-Timestamp").flatMap { Int64($0) })
            #expect(
                header("X-Yizhan-Signature")
                    == NewsWebhook.signature(secret: Array(secret.utf8), timestamp: timestamp, body: request.body)
            )
            let users = (try? JSONParser.parse(request.body))?["users"]?.arrayValue?.compactMap {
                $0["id"]?.stringValue
            }
            #expect(users?.contains("S2") == true)
            #expect(users?.contains("S1") == false)
        }
        #expect(
            Set(requests.map { $0.head.split(separator: "\r\n").first { $0.hasPrefix("X-Yizhan-Delivery") } }).count
                == 1
        )
        // Delivered: nothing pending, nothing dead.
        let hub = server.service.hub
        var pending: Int64 = -1
        while Date() < deadline {
            let answer = Self.json(try Self.call(server, "GET", "/v1/admin/news/webhooks", token: admin))
            #expect(answer["deliveries"] == [])
            pending = answer["pending"]?.int64Value ?? -1
            if pending == 0 { break }
            usleep(50_000)
        }
        #expect(pending == 0)
        _ = hub
    }

    @Test func feedImportIsConditionalDeduplicatedAndBacksOff() throws {
        let rss = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>学校新闻网</title>
            <item><guid>n-1</guid><title>校运会开幕</title><link>https://news.example.edu.cn/1</link>
            <description>&lt;p&gt;第六十届校运会&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
            <pubDate>Mon, 07 Dec 2026 08:00:00 +0800</pubDate></item>
            <item><guid>n-2</guid><title>图书馆延长开放</title><link>https://news.example.edu.cn/2</link></item>
            <item><guid>n-2</guid><title>图书馆延长开放</title><link>https://news.example.edu.cn/2</link></item>
            </channel></rss>
            """
        let sawConditional = Mutex(false)
        let feedServer = try LoopbackServer([
            { connection in
                connection.readRequest()
                let body = Array(rss.utf8)
                connection.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: \"v1\"\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                )
                connection.write(body)
            },
            { connection in
                let request = connection.readRequest()
                sawConditional.withLock { $0 = request?.head.contains("If-None-Match: \"v1\"") == true }
                connection.write("HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n")
            },
            { connection in
                connection.readRequest()
                let body = Array("<rss><channel><item><title>broken".utf8)
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
                connection.write(body)
            },
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(64 << 20)\r\nConnection: close\r\n\r\n")
                connection.write([UInt8](repeating: 0x20, count: 6 << 20))
            },
            { connection in
                // A server that never answers.
                connection.readRequest()
                connection.waitForClose()
            },
        ])
        defer { feedServer.stop() }
        let server = try HubTestServer {
            $0.newsFeedCheckInterval = 0
            $0.newsFeedTimeout = 1
        }
        let admin = server.token("A1", roles: ["admin", "staff"])
        let created = try Self.call(
            server,
            "POST",
            "/v1/news/columns",
            token: admin,
            body: [
                "id": "site", "name": "学校新闻", "audience": ["everyone": true], "subscribeByDefault": true,
                "feed": ["url": .string("http://127.0.0.1:\(feedServer.port)/rss.xml"), "interval": 60],
            ]
        )
        #expect(created.status == 201)
        let poller = server.service.feedPoller
        let hub = server.service.hub
        var now = Int64(Date().timeIntervalSince1970 * 1000)
        poller.pollDue(now: now)
        let feed = Self.json(try Self.call(server, "GET", "/v1/news/columns/site/articles", token: server.token("S1")))
        let titles = feed["articles"]?.arrayValue?.compactMap { $0["title"]?.stringValue }
        #expect(titles?.sorted() == ["图书馆延长开放", "校运会开幕"])
        let first = try #require(feed["articles"]?.arrayValue?.first { $0["title"] == "校运会开幕" }?["id"]?.int64Value)
        let body = Self.json(try Self.call(server, "GET", "/v1/news/articles/\(first)", token: server.token("S1")))
        #expect(body["body"]?.stringValue?.contains("script") == false)
        #expect(body["link"] == "https://news.example.edu.cn/1")
        // Not due yet: nothing is fetched.
        poller.pollDue(now: now + 1000)
        #expect(feedServer.requests.count == 1)
        // Due: a conditional GET, answered 304.
        now += 61_000
        poller.pollDue(now: now)
        #expect(sawConditional.withLock { $0 })
        // Malformed, too large and silent feeds fail, are recorded, and back off further each time.
        var lastNext: Int64 = 0
        for (round, expected) in ["well-formed", "exceeds", "timed out"].enumerated() {
            let state = hub.queue.sync { hub.dueFeeds(at: nil)[0].state }
            now = max(now + 61_000, state.nextPollAt)
            poller.pollDue(now: now)
            let after = hub.queue.sync { hub.dueFeeds(at: nil)[0].state }
            #expect(after.failures == round + 1)
            #expect(after.lastError?.contains(expected) == true, "\(after.lastError ?? "")")
            #expect(after.nextPollAt - now > lastNext)
            lastNext = after.nextPollAt - now
        }
        // Nothing was duplicated by the polls.
        let again = Self.json(try Self.call(server, "GET", "/v1/news/columns/site/articles", token: server.token("S1")))
        #expect(again["articles"]?.arrayValue?.count == 2)
    }
}
