import Dispatch
import Foundation
import Hub
import JSON
import Synchronization
import Testing

/// The suggestion box over real HTTP on SQLite: the permission matrix, anonymity, If-Match, refusals that change
/// nothing, exports.
@Suite struct CommunityEndToEndTests {
    typealias News = NewsEndToEndTests

    static func server() throws -> HubTestServer {
        let server = try HubTestServer()
        var directory = Directory.sample
        directory.users += [
            UserRecord(id: "H1", name: "后勤办事员", roles: [.staff]),
            UserRecord(id: "D1", name: "接诉即办中心", roles: [.staff]),
        ]
        try server.importDirectory(directory)
        let settings = try News.call(
            server,
            "PUT",
            "/v1/community/suggestions/settings",
            token: server.token("A1", roles: ["admin"]),
            body: [
                "dispatchers": ["D1"],
                "departments": ["logistics": ["name": "后勤处", "handlers": ["H1"]]],
                "categories": ["dorm": ["department": "logistics", "deadlineHours": 48]],
            ]
        )
        #expect(settings.status == 200, "\(settings.text)")
        return server
    }

    @Test func permissionsAnonymityAndConcurrentEdits() throws {
        let server = try Self.server()
        let student = server.token("S1")
        let handler = server.token("H1", roles: ["staff"])
        let dispatcher = server.token("D1", roles: ["staff"])
        let admin = server.token("A1", roles: ["admin"])
        let submitted = try News.call(
            server,
            "POST",
            "/v1/community/suggestions",
            token: student,
            body: ["category": "dorm", "text": "3号楼热水不稳定", "anonymous": true]
        )
        #expect(submitted.status == 201, "\(submitted.text)")
        let id = try #require(News.json(submitted)["id"]?.int64Value)
        // What each role gets.
        let asHandler = try News.call(server, "GET", "/v1/community/suggestions/\(id)", token: handler)
        #expect(asHandler.status == 200)
        #expect(!asHandler.text.contains("S1"))
        #expect(News.json(asHandler)["submitter"] == .null)
        #expect(
            try News.call(server, "GET", "/v1/community/suggestions/\(id)", token: server.token("S2")).status == 404
        )
        #expect(try News.call(server, "GET", "/v1/community/suggestions/settings", token: student).status == 403)
        #expect(
            try News.call(server, "POST", "/v1/community/suggestions/\(id)/reveal", token: dispatcher).status == 403
        )
        let revealed = try News.call(server, "POST", "/v1/community/suggestions/\(id)/reveal", token: admin)
        #expect(News.json(revealed)["submitter"] == "S1")
        // Two handlers answering at once: the second, with the old ETag, is refused.
        let etag = try #require(asHandler.header("ETag"))
        let first = try News.call(
            server,
            "POST",
            "/v1/community/suggestions/\(id)/reply",
            token: handler,
            body: ["comment": "已安排维修"],
            headers: ["If-Match: \(etag)"]
        )
        #expect(first.status == 200, "\(first.text)")
        let second = try News.call(
            server,
            "POST",
            "/v1/community/suggestions/\(id)/reply",
            token: handler,
            body: ["comment": "重复答复"],
            headers: ["If-Match: \(etag)"]
        )
        #expect(second.status == 412)
        #expect(News.json(second)["error"]?["code"] == "version_mismatch")
        // Refusals say why and change nothing.
        let again = try News.call(
            server,
            "POST",
            "/v1/community/suggestions/\(id)/reply",
            token: handler,
            body: ["comment": "又一次"]
        )
        #expect(again.status == 409)
        #expect(News.json(again)["error"]?["code"] == "invalid_transition")
        #expect(
            try News.call(server, "POST", "/v1/community/suggestions/\(id)/satisfied", token: handler, body: [:]).status
                == 403
        )
        #expect(
            try News.call(server, "POST", "/v1/community/suggestions", token: student, body: ["category": "dorm"])
                .status == 422
        )
        #expect(try News.call(server, "GET", "/v1/community/suggestions/abc", token: student).status == 404)
        let unchanged = News.json(try News.call(server, "GET", "/v1/community/suggestions/\(id)", token: student))
        #expect(unchanged["state"] == "replied")
        #expect(unchanged["version"] == 3)
        // The student closes the loop; the statistics show it, without identities.
        let rated = try News.call(
            server,
            "POST",
            "/v1/community/suggestions/\(id)/satisfied",
            token: student,
            body: [:]
        )
        #expect(News.json(rated)["state"] == "closed")
        let csv = try News.call(server, "GET", "/v1/community/suggestions/stats?format=csv", token: dispatcher)
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(csv.text.contains("dorm,宿舍,logistics,后勤处,1,0,0,"))
        #expect(!csv.text.contains("S1"))
        let list = News.json(try News.call(server, "GET", "/v1/community/suggestions?state=closed", token: handler))
        #expect(list["suggestions"]?.arrayValue?.count == 1)
        #expect(try News.call(server, "GET", "/v1/community/suggestions?state=lost", token: handler).status == 422)
    }
}

extension CommunityEndToEndTests {
    /// Twenty students ask for the last umbrellas at the same moment, many times over: exactly the stock is lent.
    @Test func parallelBorrowingNeverOversells() throws {
        let server = try HubTestServer()
        var directory = Directory.sample
        directory.users += (1...20).map { UserRecord(id: "P\($0)", name: "学生\($0)", roles: [.student]) }
        directory.users.append(UserRecord(id: "M1", name: "物资管理员", roles: [.staff]))
        try server.importDirectory(directory)
        let admin = server.token("A1", roles: ["admin"])
        for round in 1...5 {
            let item = "umbrella-\(round)"
            let created = try News.call(
                server,
                "POST",
                "/v1/community/items",
                token: admin,
                body: ["id": .string(item), "name": "雨伞", "stock": 3, "managers": ["M1"], "maxDays": 3]
            )
            #expect(created.status == 201, "\(created.text)")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let body: JSONValue = [
                "item": .string(item), "quantity": 1, "from": .int(now + 3_600_000), "until": .int(now + 86_400_000),
            ]
            let statuses = Mutex<[Int]>([])
            let tokens = (1...20).map { server.token("P\($0)") }
            let port = server.port
            let bytes = body.encoded()
            DispatchQueue.concurrentPerform(iterations: 20) { index in
                let client = try? HTTPTestClient(port: port)
                let answer = try? client?.request(
                    "POST",
                    "/v1/community/borrowings",
                    headers: ["Authorization: Bearer \(tokens[index])", "Content-Type: application/json"],
                    body: bytes
                )
                statuses.withLock { $0.append(answer?.status ?? 0) }
            }
            let all = statuses.withLock { $0 }
            #expect(all.filter { $0 == 201 }.count == 3, "round \(round): \(all)")
            #expect(all.filter { $0 == 422 }.count == 17, "round \(round): \(all)")
            let items = News.json(try News.call(server, "GET", "/v1/community/items", token: admin))
            #expect(items["items"]?.arrayValue?.first { $0["id"] == .string(item) }?["available"] == 0)
        }
    }
}

extension CommunityEndToEndTests {
    /// Two students book the same slot at the same moment, many times over: exactly one wins each time, also in the
    /// store.
    @Test func concurrentBookingsOfOneSlotLetExactlyOneWin() throws {
        let server = try HubTestServer()
        let admin = server.token("A1", roles: ["admin"])
        let created = try News.call(
            server,
            "POST",
            "/v1/community/venues",
            token: admin,
            body: [
                "id": "court", "name": "篮球场", "managers": ["T1"], "opens": "00:00", "closes": "24:00",
                "maxMinutes": 60, "advanceDays": 30, "needsApproval": false,
            ]
        )
        #expect(created.status == 201, "\(created.text)")
        let tokens = [server.token("S1"), server.token("S2")]
        let port = server.port
        let start = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3_600_000
        for round in 0..<10 {
            let body: JSONValue = [
                "venue": "court", "start": .int(start + Int64(round) * 3_600_000),
                "end": .int(start + Int64(round) * 3_600_000 + 3_600_000), "purpose": "训练",
            ]
            let bytes = body.encoded()
            let statuses = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let answer = try? HTTPTestClient(port: port).request(
                    "POST",
                    "/v1/community/bookings",
                    headers: ["Authorization: Bearer \(tokens[index])", "Content-Type: application/json"],
                    body: bytes
                )
                statuses.withLock { $0.append(answer?.status ?? 0) }
            }
            #expect(statuses.withLock { $0.sorted() } == [201, 409], "round \(round)")
        }
        let calendar = try News.call(server, "GET", "/v1/community/bookings.ics", token: tokens[0])
        #expect(calendar.header("Content-Type") == "text/calendar; charset=utf-8")
        #expect(calendar.text.hasPrefix("BEGIN:VCALENDAR"))
    }
}

extension CommunityEndToEndTests {
    /// Every role against every community service over HTTP: student, another student, counselor, another class's
    /// counselor, venue/item manager, department handler, dispatcher, school admin.
    @Test func thePermissionMatrix() throws {
        let server = try HubTestServer()
        var directory = Directory.sample
        directory.orgUnits.append(
            OrgUnitRecord(id: "se2302", kind: .class, name: "软件2302班", parentID: "school", counselors: ["T2"])
        )
        directory.users += [
            UserRecord(id: "T2", name: "王老师", roles: [.counselor]),
            UserRecord(id: "VM", name: "场地物资管理员", roles: [.staff]),
            UserRecord(id: "H1", name: "后勤办事员", roles: [.staff]),
            UserRecord(id: "D1", name: "接诉即办中心", roles: [.staff]),
        ]
        try server.importDirectory(directory)
        let roles: [String: [String]] = [
            "S1": ["student"], "S2": ["student"], "T1": ["counselor"], "T2": ["counselor"], "VM": ["staff"],
            "H1": ["staff"], "D1": ["staff"], "A1": ["admin"],
        ]
        var tokens: [String: String] = [:]
        for (user, list) in roles { tokens[user] = server.token(user, roles: list) }
        func call(
            _ user: String,
            _ method: String,
            _ path: String,
            _ body: JSONValue? = nil
        ) throws -> HTTPTestClient.Response {
            try News.call(server, method, path, token: tokens[user]!, body: body ?? (method == "GET" ? nil : [:]))
        }
        func id(_ response: HTTPTestClient.Response) throws -> Int64 {
            try #require(News.json(response)["id"]?.int64Value, "\(response.status) \(response.text)")
        }
        // The fixtures, made by the people who may make them.
        #expect(
            try call(
                "A1",
                "PUT",
                "/v1/community/suggestions/settings",
                [
                    "dispatchers": ["D1"], "departments": ["logistics": ["name": "后勤处", "handlers": ["H1"]]],
                    "categories": ["dorm": ["department": "logistics"]],
                ]
            ).status == 200
        )
        let suggestion = try id(
            try call("S1", "POST", "/v1/community/suggestions", ["category": "dorm", "text": "热水"])
        )
        let venue: JSONValue = [
            "id": "room", "name": "活动室", "managers": ["VM"], "opens": "00:00", "closes": "24:00", "advanceDays": 30,
        ]
        #expect(try call("A1", "POST", "/v1/community/venues", venue).status == 201)
        let start = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3_600_000
        let booking = try id(
            try call(
                "S1",
                "POST",
                "/v1/community/bookings",
                ["venue": "room", "start": .int(start), "end": .int(start + 3_600_000), "purpose": "班会"]
            )
        )
        let item: JSONValue = ["id": "ball", "name": "篮球", "stock": 5, "managers": ["VM"], "maxDays": 3]
        #expect(try call("A1", "POST", "/v1/community/items", item).status == 201)
        let borrowing = try id(
            try call(
                "S1",
                "POST",
                "/v1/community/borrowings",
                ["item": "ball", "quantity": 1, "from": .int(start), "until": .int(start + 86_400_000)]
            )
        )
        let upload = try #require(
            try HTTPTestClient(port: server.port).request(
                "POST",
                "/v1/files?name=consent.txt",
                headers: ["Authorization: Bearer \(tokens["S1"]!)"],
                body: Array("监护人同意".utf8)
            )
        )
        let consent = try #require(News.json(upload)["object"]?.stringValue, "\(upload.text)")
        let today = String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(8 * 3600)).prefix(10))
        let registration = try id(
            try call(
                "S1",
                "POST",
                "/v1/community/housing",
                [
                    "address": "学院路1号", "district": "海淀区", "reason": "family", "from": .string(today),
                    "until": .string(today), "emergencyContact": ["name": "父亲", "phone": "139"],
                    "consent": .string(consent),
                ]
            )
        )
        // The matrix: who, method, path, expected status. Refusals come before the allowed calls that change state.
        let matrix: [(String, String, String, Int)] = [
            ("S1", "GET", "/v1/community/suggestions/settings", 403),
            ("H1", "GET", "/v1/community/suggestions/settings", 403),
            ("D1", "GET", "/v1/community/suggestions/settings", 200),
            ("A1", "GET", "/v1/community/suggestions/settings", 200),
            ("D1", "PUT", "/v1/community/suggestions/settings", 403),
            ("S1", "GET", "/v1/community/suggestions/\(suggestion)", 200),
            ("S2", "GET", "/v1/community/suggestions/\(suggestion)", 404),
            ("T1", "GET", "/v1/community/suggestions/\(suggestion)", 404),
            ("VM", "GET", "/v1/community/suggestions/\(suggestion)", 404),
            ("H1", "GET", "/v1/community/suggestions/\(suggestion)", 200),
            ("D1", "GET", "/v1/community/suggestions/\(suggestion)", 200),
            ("S1", "POST", "/v1/community/suggestions/\(suggestion)/reveal", 403),
            ("H1", "POST", "/v1/community/suggestions/\(suggestion)/reveal", 403),
            ("D1", "POST", "/v1/community/suggestions/\(suggestion)/reveal", 403),
            ("A1", "POST", "/v1/community/suggestions/\(suggestion)/reveal", 200),
            ("S1", "GET", "/v1/community/suggestions/stats", 403),
            ("VM", "GET", "/v1/community/suggestions/stats", 403),
            ("H1", "GET", "/v1/community/suggestions/stats", 200),
            ("D1", "GET", "/v1/community/suggestions/stats", 200),
            ("VM", "POST", "/v1/community/venues", 403), ("S1", "POST", "/v1/community/venues", 403),
            ("S2", "GET", "/v1/community/bookings/\(booking)", 404),
            ("T1", "GET", "/v1/community/bookings/\(booking)", 404),
            ("VM", "GET", "/v1/community/bookings/\(booking)", 200),
            ("S1", "POST", "/v1/community/bookings/\(booking)/approve", 403),
            ("H1", "POST", "/v1/community/bookings/\(booking)/approve", 404),
            ("VM", "POST", "/v1/community/bookings/\(booking)/approve", 200),
            ("VM", "POST", "/v1/community/items", 403),
            ("S1", "POST", "/v1/community/borrowings/\(borrowing)/approve", 403),
            ("S2", "GET", "/v1/community/borrowings/\(borrowing)", 404),
            ("VM", "POST", "/v1/community/borrowings/\(borrowing)/approve", 200),
            ("S2", "GET", "/v1/community/housing/\(registration)", 404),
            ("VM", "GET", "/v1/community/housing/\(registration)", 404),
            ("T2", "GET", "/v1/community/housing/\(registration)", 404),
            ("T1", "GET", "/v1/community/housing/\(registration)", 200),
            ("A1", "GET", "/v1/community/housing/\(registration)", 200),
            ("S1", "POST", "/v1/community/housing/\(registration)/approve", 403),
            ("T2", "POST", "/v1/community/housing/\(registration)/approve", 404),
            ("T1", "POST", "/v1/community/housing/\(registration)/approve", 200),
            ("S1", "GET", "/v1/community/housing/stats", 403), ("VM", "GET", "/v1/community/housing/stats", 403),
            ("T1", "GET", "/v1/community/housing/stats", 200),
            ("S1", "GET", "/v1/community/records/stats", 403), ("T1", "GET", "/v1/community/records/stats", 403),
            ("A1", "GET", "/v1/community/records/stats", 200), ("S1", "GET", "/v1/community/records", 200),
        ]
        for (user, method, path, expected) in matrix {
            let answer = try call(user, method, path)
            #expect(answer.status == expected, "\(user) \(method) \(path): \(answer.status) \(answer.text.prefix(200))")
        }
        // The student's history now holds the approvals of all three requests.
        let records = News.json(try call("S1", "GET", "/v1/community/records"))["records"]?.arrayValue ?? []
        #expect(records.filter { $0["action"] == "approve" }.count == 3)
        // A body over the HTTP limit is refused before it reaches the hub.
        let huge = try HTTPTestClient(port: server.port).request(
            "POST",
            "/v1/community/suggestions",
            headers: ["Authorization: Bearer \(tokens["S1"]!)", "Content-Type: application/json"],
            body: [UInt8](repeating: 0x20, count: 2 << 20)
        )
        #expect(huge?.status == 413)
    }
}

extension CommunityEndToEndTests {
    /// The whole closed loop over HTTP on SQLite, with the hub's clock moved past the deadline: submission, the
    /// overdue escalation to the supervisor (a job run by the server's own timer), the reply, an unsatisfied rating
    /// that reopens it, a second reply and satisfaction — across a restart in the middle.
    @Test func theClosedLoopWithAnOverdueEscalationAndAReopen() throws {
        let offset = Atomic<Int64>(0)
        let clock: @Sendable () -> Int64 = {
            Int64(Date().timeIntervalSince1970 * 1000) + offset.load(ordering: .relaxed)
        }
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yizhan-loop-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var server = try HubTestServer({ $0.clock = clock }, dataDirectory: dataDirectory)
        var directory = Directory.sample
        directory.users += [
            UserRecord(id: "H1", name: "后勤办事员", roles: [.staff]),
            UserRecord(id: "SUP", name: "后勤处长", roles: [.staff]),
        ]
        try server.importDirectory(directory)
        #expect(
            try News.call(
                server,
                "PUT",
                "/v1/community/suggestions/settings",
                token: server.token("A1", roles: ["admin"]),
                body: [
                    "departments": ["logistics": ["name": "后勤处", "handlers": ["H1"], "supervisors": ["SUP"]]],
                    "categories": ["dorm": ["department": "logistics", "deadlineHours": 1]],
                ]
            ).status == 200
        )
        let submitted = try News.call(
            server,
            "POST",
            "/v1/community/suggestions",
            token: server.token("S1"),
            body: ["category": "dorm", "text": "宿舍门禁坏了", "anonymous": true]
        )
        let id = try #require(News.json(submitted)["id"]?.int64Value)
        // A restart, then an hour and a minute later: the server's timer escalates it, once.
        server.shutdown()
        server = try HubTestServer({ $0.clock = clock }, dataDirectory: dataDirectory, importSample: false)
        let supervisor = try server.connect("SUP", roles: ["staff"])
        _ = try supervisor.request(["type": "sync"])
        offset.store(61 * 60_000, ordering: .relaxed)
        let handler = server.token("H1", roles: ["staff"])
        var item = JSONValue.null
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            item = News.json(try News.call(server, "GET", "/v1/community/suggestions/\(id)", token: handler))
            if item["escalated"] == true { break }
            usleep(50_000)
        }
        #expect(item["escalated"] == true, "\(item)")
        #expect(item["overdue"] == true)
        let notice = try #require(try supervisor.nextFrame())
        #expect(notice["message"]?["body"]?["title"] == "建议已超时未答复，请督办")
        #expect(!notice.jsonString.contains("S1"))
        // Dropped, so that the graceful shutdown does not wait for its close frame.
        supervisor.disconnect()
        // Reply, reopen, reply, satisfied.
        let student = server.token("S1")
        for (token, action, body) in [
            (handler, "reply", ["comment": "已报修"] as JSONValue), (student, "unsatisfied", ["comment": "还是坏的"]),
            (handler, "reply", ["comment": "已更换门禁"]), (student, "satisfied", [:]),
        ] {
            let answer = try News.call(
                server,
                "POST",
                "/v1/community/suggestions/\(id)/\(action)",
                token: token,
                body: body
            )
            #expect(answer.status == 200, "\(action): \(answer.text)")
        }
        item = News.json(try News.call(server, "GET", "/v1/community/suggestions/\(id)", token: student))
        #expect(item["state"] == "closed")
        #expect(
            item["history"]?.arrayValue?.compactMap { $0["action"]?.stringValue }
                == ["submit", "dispatch", "escalate", "reply", "unsatisfied", "dispatch", "reply", "satisfied"]
        )
        let stats = News.json(
            try News.call(server, "GET", "/v1/community/suggestions/stats?format=json", token: handler)
        )
        #expect(stats["summary"]?["reopened"] == 1)
        #expect(stats["summary"]?["onTime"] == 0)
        server.shutdown()
    }
}
