import Auth
import Foundation
import Gateway
import Glibc
import JSON
import TestSupport
import Testing

@Suite struct ServiceRoutesTests {
    func get(
        _ server: HubTestServer,
        _ path: String,
        token: String
    ) throws -> (status: String, headers: String, body: [UInt8]) {
        let client = try TestSocket(port: server.port)
        try client.send(
            "GET \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        )
        let bytes = client.receiveAll()
        let split = bytes.firstRange(of: Array("\r\n\r\n".utf8))!
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
        return (String(head.prefix(12)), head, Array(bytes[split.upperBound...]))
    }

    func post(_ server: HubTestServer, _ path: String, token: String, body: String) throws -> String {
        let client = try TestSocket(port: server.port)
        try client.send(
            "POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        return String(decoding: client.receiveAll(), as: UTF8.self)
    }

    @Test func cardResultsExportAsExcelFriendlyCSVAndAsJSON() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let counselor = try server.connect("T1", roles: ["counselor"])
        let card = try counselor.request([
            "type": "card.publish", "group": .int(group), "clientMsgId": "c1",
            "card": ["type": "questionnaire", "title": "意见征集", "questions": [["kind": "text", "title": "建议"]]],
        ])["data"]!["card"]!.int64Value!
        let student = try server.connect("S1")
        #expect(
            try student.request(["type": "card.respond", "card": .int(card), "response": ["answers": ["=1+1 多开自习室"]]])
                .isOK
        )
        let csv = try get(server, "/v1/cards/\(card)/export", token: server.token("T1", roles: ["counselor"]))
        #expect(csv.status == "HTTP/1.1 200")
        #expect(csv.headers.contains("text/csv; charset=utf-8"))
        #expect(csv.headers.contains("filename*=UTF-8''%E6%84%8F%E8%A7%81%E5%BE%81%E9%9B%86.csv"))
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: csv.body.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("学号/工号,姓名,是否提交,提交时间(北京时间),迟到,1. 建议\r\n"))
        #expect(text.contains("S1,学生1,是,"))
        #expect(text.contains(",'=1+1 多开自习室\r\n"))  // a formula stays text in Excel
        let json = try get(
            server,
            "/v1/cards/\(card)/export?format=json",
            token: server.token("T1", roles: ["counselor"])
        )
        let value = try JSONParser.parse(json.body)
        #expect(value["summary"]?["responded"] == 1)
        #expect(try get(server, "/v1/cards/\(card)/export", token: server.token("S1")).status == "HTTP/1.1 403")
        #expect(
            try get(server, "/v1/cards/999/export", token: server.token("T1", roles: ["counselor"])).status
                == "HTTP/1.1 404"
        )
    }

    @Test func anonymousExportsCarryNoIdentities() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let counselor = try server.connect("T1", roles: ["counselor"])
        let card = try counselor.request([
            "type": "card.publish", "group": .int(group), "clientMsgId": "c1",
            "card": ["type": "vote", "title": "评优", "options": ["甲", "乙"], "anonymous": true],
        ])["data"]!["card"]!.int64Value!
        for user in ["S1", "S2"] {
            #expect(
                try server.connect(user).request([
                    "type": "card.respond", "card": .int(card), "response": ["choices": [0]],
                ]).isOK
            )
        }
        let csv = try get(server, "/v1/cards/\(card)/export", token: server.token("T1", roles: ["counselor"]))
        let text = String(decoding: csv.body, as: UTF8.self)
        #expect(!text.contains("S1") && !text.contains("S2") && !text.contains("学生"))
        #expect(text.contains("序号,选择"))
    }

    @Test func campusSystemsPostAppMessagesWithAScopedServiceToken() throws {
        let server = try HubTestServer()
        let now = Int64(time(nil))
        let service = server.service.authority.mint(
            TokenClaims(subject: "jwc", kind: .service, scopes: ["messages:send"], issuedAt: now, expiresAt: now + 600)
        )
        let unscoped = server.service.authority.mint(
            TokenClaims(subject: "x", kind: .service, issuedAt: now, expiresAt: now + 600)
        )
        let student = try server.connect("S1")
        #expect(try student.request(["type": "sync"]).isOK)
        let body =
            #"{"to":{"users":["S1"],"classes":["se2301"]},"title":"选课提醒","summary":"选课将于周五截止","externalId":"x-1"}"#
        let first = try post(server, "/v1/apps/messages", token: service, body: body)
        #expect(first.hasPrefix("HTTP/1.1 200 "))
        #expect(first.contains(#""delivered":2"#))
        #expect(try post(server, "/v1/apps/messages", token: service, body: body).contains(#""duplicates":2"#))
        #expect(try post(server, "/v1/apps/messages", token: unscoped, body: body).hasPrefix("HTTP/1.1 403 "))
        #expect(
            try post(server, "/v1/apps/messages", token: server.token("S1"), body: body).contains("token_wrong_kind")
        )
        #expect(
            try post(server, "/v1/apps/messages", token: service, body: #"{"to":{},"title":"x"}"#).hasPrefix(
                "HTTP/1.1 422 "
            )
        )
        let pushes = try student.messages(count: 2)
        #expect(pushes.allSatisfy { $0["message"]?["kind"] == "app" && $0["message"]?["body"]?["title"] == "选课提醒" })
    }
}
