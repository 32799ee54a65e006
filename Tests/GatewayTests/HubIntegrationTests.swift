import Dispatch
import Foundation
import Gateway
import JSON
import TestSupport
import Testing

@Suite struct HubIntegrationTests {
    func send(_ group: Int64, _ text: String, id: String) -> JSONObject {
        [
            "type": "send", "group": .int(group), "clientMsgId": .string(id), "kind": "text",
            "body": ["text": .string(text)],
        ]
    }

    @Test func twoClientsTalk() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let a = try server.connect("S1")
        let b = try server.connect("S2")
        #expect(try a.request(["type": "sync"]).isOK)
        #expect(try b.request(["type": "sync"]).isOK)
        let ack = try a.request(send(group, "大家好", id: "m1"))
        #expect(ack.isOK)
        let seq = try #require(ack["data"]?["seq"]?.int64Value)
        let received = try b.messages(count: 1)
        #expect(received.first?["message"]?["seq"]?.int64Value == seq)
        #expect(received.first?["message"]?["body"]?["text"] == "大家好")
        #expect(try b.request(["type": "read", "group": .int(group), "seq": .int(seq)]).isOK)
        let receipts = try a.request(["type": "receipts", "group": .int(group), "seq": .int(seq)])
        #expect(receipts["data"]?["readers"] == ["S2"])
    }

    @Test(arguments: [
        ("", "token_missing"),
        ("Authorization: Bearer not.a.token", "token_malformed"),
    ])
    func refusedTokens(header: String, code: String) throws {
        let server = try HubTestServer()
        let client = try TestSocket(port: server.port)
        try client.send(
            "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (header.isEmpty ? "" : header + "\r\n") + "\r\n"
        )
        let response = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 401 "))
        #expect(response.contains("\"code\":\"\(code)\""))
    }

    @Test func expiredAndForgedTokensAreRefused() throws {
        let server = try HubTestServer()
        #expect(throws: (any Error).self) { try HubClient(port: server.port, token: server.token("S1", ttl: -100)) }
        let forged = server.token("S1").dropLast(4) + "AAAA"
        #expect(throws: (any Error).self) { try HubClient(port: server.port, token: String(forged)) }
    }

    @Test func tokenInTheQueryWorksForBrowsers() throws {
        let server = try HubTestServer()
        let socket = try TestWebSocket(port: server.port, path: "/v1/ws?access_token=\(server.token("S1"))")
        try socket.send(text: #"{"id":"1","type":"ping"}"#)
        #expect(socket.receiveText()?.contains("\"ok\":true") == true)
    }

    @Test func aTokenThatExpiresEndsTheConnectionWith4401() throws {
        let server = try HubTestServer()
        let client = try HubClient(port: server.port, token: server.token("S1", ttl: 1))
        #expect(try client.request(["type": "ping"]).isOK)
        // The 30 s verification leeway does not extend a live connection: it ends at `exp`.
        #expect(client.socket.receiveClose() == 4401)
    }

    @Test func unknownUsersAreClosedWith4403() throws {
        let server = try HubTestServer()
        let client = try server.connect("NOBODY")
        #expect(client.socket.receiveClose() == 4403)
    }

    @Test func deniedCommandsStoreNothing() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let counselor = try server.connect("T1", roles: ["counselor"])
        let student = try server.connect("S1")
        let outsider = try server.connect("S5")
        #expect(
            try student.request(["type": "group.muteAll", "group": .int(group), "muted": true]).errorCode == "forbidden"
        )
        #expect(try outsider.request(send(group, "hi", id: "o1")).errorCode == "not_member")
        #expect(try outsider.request(["type": "history", "group": .int(group)]).errorCode == "not_member")
        let until = Int64(Date().timeIntervalSince1970 * 1000) + 600_000
        #expect(
            try counselor.request([
                "type": "group.muteMember", "group": .int(group), "user": "S1", "until": .int(until),
            ]).isOK
        )
        #expect(try student.request(send(group, "hi", id: "m1")).errorCode == "muted")
        #expect(try counselor.request(["type": "group.freeze", "group": .int(group), "frozen": true]).isOK)
        #expect(try counselor.request(send(group, "hi", id: "c1")).errorCode == "group_frozen")
        let history = try counselor.request(["type": "history", "group": .int(group)])
        let kinds = history["data"]?["messages"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
        #expect(!kinds.isEmpty && kinds.allSatisfy { $0 == "system" })
    }

    @Test func idempotentRetryReturnsTheOriginalAck() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let client = try server.connect("S1")
        let first = try client.request(send(group, "once", id: "retry-1"))
        // The client lost the ack, reconnects, retries.
        let again = try server.connect("S1")
        let second = try again.request(send(group, "once", id: "retry-1"))
        #expect(second["data"]?["seq"] == first["data"]?["seq"])
        #expect(second["data"]?["duplicate"] == true)
    }

    @Test func concurrentSendersProduceOneGapFreeOrderEveryoneSees() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let senders = try ["S1", "S2", "S3"].map { try server.connect($0) }
        let watcher = try server.connect("S4")
        #expect(try watcher.request(["type": "sync"]).isOK)
        let perSender = 50
        DispatchQueue.concurrentPerform(iterations: senders.count) { index in
            for i in 0..<perSender {
                _ = try? senders[index].request(send(group, "s\(index)-\(i)", id: "c\(index)-\(i)"))
            }
        }
        let messages = try watcher.messages(count: senders.count * perSender)
        let seqs = messages.compactMap { $0["message"]?["seq"]?.int64Value }
        #expect(seqs.count == senders.count * perSender)
        #expect(seqs == Array(seqs[0]...(seqs[0] + Int64(seqs.count) - 1)))
        // Each sender's messages keep their own order.
        for index in senders.indices {
            let mine = messages.compactMap { $0["message"]?["body"]?["text"]?.stringValue }.filter {
                $0.hasPrefix("s\(index)-")
            }
            #expect(mine == (0..<perSender).map { "s\(index)-\($0)" })
        }
    }

    @Test func resumeAfterReconnectHasNoGapAndNoDuplicateWhileOthersKeepSending() throws {
        let server = try HubTestServer()
        let group = server.group("class:se2301")
        let sender = try server.connect("S1")
        var reader: HubClient? = try server.connect("S2")
        #expect(try reader!.request(["type": "sync"]).isOK)
        var seen: [Int64] = []
        for i in 0..<20 { try sender.request(send(group, "a\(i)", id: "a\(i)")) }
        seen += try reader!.messages(count: 20).compactMap { $0["message"]?["seq"]?.int64Value }
        reader = nil  // connection drops
        let keepSending = DispatchQueue(label: "sender")
        let done = DispatchSemaphore(value: 0)
        keepSending.async {
            for i in 0..<60 { _ = try? sender.request(self.send(group, "b\(i)", id: "b\(i)")) }
            done.signal()
        }
        // Reconnect while messages keep flowing; page through what was missed, then go live.
        let again = try server.connect("S2")
        var cursor = seen.last!
        while true {
            let reply = try again.request([
                "type": "sync", "limit": 7, "cursors": [["group": .int(group), "seq": .int(cursor)]],
            ])
            let page = reply["data"]!["groups"]![0]!
            let seqs = page["messages"]!.arrayValue!.compactMap { $0["seq"]?.int64Value }
            seen += seqs
            cursor = seqs.last ?? cursor
            if page["more"] == false { break }
        }
        done.wait()
        let head = try sender.request(["type": "conversations"])["data"]!["conversations"]![0]!["head"]!.int64Value!
        let live = try again.messages(count: Int(head - cursor))
        seen += live.compactMap { $0["message"]?["seq"]?.int64Value }
        let joined = seen.first! - 1
        #expect(seen == Array((joined + 1)...head))
    }

    @Test func directoryImportOverRESTNeedsAnAdmin() throws {
        let server = try HubTestServer()
        let body = #"{"users":[{"id":"S9","name":"新同学","roles":["student"],"class":"se2301"}]}"#
        func post(_ token: String) throws -> String {
            let client = try TestSocket(port: server.port)
            try client.send(
                "POST /v1/admin/directory HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
            return String(decoding: client.receiveAll(), as: UTF8.self)
        }
        #expect(try post(server.token("S1")).hasPrefix("HTTP/1.1 403 "))
        let ok = try post(server.token("A1", roles: ["admin"]))
        #expect(ok.hasPrefix("HTTP/1.1 200 "))
        #expect(ok.contains("\"membersAdded\":1"))
        let again = try post(server.token("A1", roles: ["admin"]))
        #expect(again.contains("\"membersAdded\":0"))
    }
}
