import JSON
import Testing

@testable import Hub

@Suite struct MessagingTests {
    func text(_ group: GroupID, _ text: String, id: String) -> JSONObject {
        [
            "type": "send", "group": .int(group.rawValue), "clientMsgId": .string(id), "kind": "text",
            "body": ["text": .string(text)],
        ]
    }

    func live(_ h: HubHarness, _ session: Session) {
        #expect(h.request(session, ["type": "sync"]).isOK)
        _ = h.output.take(session)
    }

    @Test func sendIsAckedThenFannedOutToEveryLiveMember() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        let b = h.connect("S2", loop: 1)
        let outsider = h.connect("S4")
        for session in [a, b, outsider] { live(h, session) }
        let reply = h.request(a, text(group, "明天九点开班会", id: "m1"))
        #expect(reply.isOK)
        let seq = reply.data?["seq"]?.int64Value
        #expect(seq != nil)
        #expect(reply.data?["duplicate"] == false)
        let pushed = h.output.take(b).filter { $0["type"] == "message" }
        #expect(pushed.count == 1)
        #expect(pushed.first?["message"]?["seq"]?.int64Value == seq)
        #expect(pushed.first?["message"]?["body"]?["text"] == "明天九点开班会")
        #expect(pushed.first?["message"]?["sender"] == "S1")
        // The sender gets the ack first, then the push; the outsider nothing.
        let own = h.output.take(a)
        #expect(own.first?["type"] == "reply")
        #expect(own.last?["type"] == "message")
        #expect(h.output.take(outsider).isEmpty)
    }

    @Test func retryWithTheSameClientIDReturnsTheOriginalAndStoresOnce() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        let first = h.request(a, text(group, "hello", id: "same"))
        let again = h.request(a, text(group, "hello", id: "same"))
        #expect(again.isOK)
        #expect(again.data?["seq"] == first.data?["seq"])
        #expect(again.data?["duplicate"] == true)
        #expect(h.store.messages(of: group).filter { $0.message.clientMsgID == "same" }.count == 1)
    }

    @Test func seqsAreDenseAcrossSendersAndSystemMessages() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let sessions = ["S1", "S2", "S3"].map { h.connect($0) }
        let counselor = h.connect("T1", roles: [.counselor])
        for i in 0..<30 {
            let session = sessions[i % 3]
            h.hub.queue.sync {
                if case .success(let request) = RequestDecoder.decode(
                    JSONValue.object(text(group, "m\(i)", id: "c\(i)").merging(["id": .string("x\(i)")])).encoded(),
                    configuration: HubConfiguration()
                ) {
                    h.hub.handle(request, from: session)
                }
            }
            if i == 10 {
                _ = h.request(counselor, ["type": "group.rename", "group": .int(group.rawValue), "name": "新名字"])
            }
        }
        h.settle()
        let seqs = h.store.messages(of: group).map(\.seq)
        #expect(seqs == Array(1...Int64(seqs.count)))
        #expect(seqs.count >= 31)
    }

    @Test func syncReturnsWhatWasMissedThenGoesLive() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        for i in 0..<5 { h.request(a, text(group, "before \(i)", id: "b\(i)")) }
        let head = h.hub.queue.sync { h.hub.groups[group]!.lastSeq }
        let b = h.connect("S2")
        let reply = h.request(
            b,
            ["type": "sync", "cursors": [["group": .int(group.rawValue), "seq": .int(head - 3)]]]
        )
        let page = reply.data?["groups"]?[0]
        #expect(page?["messages"]?.arrayValue?.map { $0["seq"]?.int64Value } == [head - 2, head - 1, head])
        #expect(page?["more"] == false)
        _ = h.output.take(b)
        h.request(a, text(group, "after", id: "after"))
        let pushes = h.output.take(b).filter { $0["type"] == "message" }
        #expect(pushes.map { $0["message"]?["seq"]?.int64Value } == [head + 1])
    }

    @Test func syncPagesAndStaysQuietUntilCaughtUp() {
        var configuration = HubHarness.defaultConfiguration
        configuration.recentMessages = 4
        let h = HubHarness(configuration: configuration)
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        for i in 0..<20 { h.request(a, text(group, "m\(i)", id: "p\(i)")) }
        let head = h.hub.queue.sync { h.hub.groups[group]!.lastSeq }
        let b = h.connect("S2")
        var cursor: Int64 = 0
        var received: [Int64] = []
        var rounds = 0
        while true {
            rounds += 1
            let reply = h.request(
                b,
                ["type": "sync", "limit": 6, "cursors": [["group": .int(group.rawValue), "seq": .int(cursor)]]]
            )
            let page = reply.data!["groups"]![0]!
            let seqs = page["messages"]!.arrayValue!.compactMap { $0["seq"]?.int64Value }
            received += seqs
            cursor = seqs.last ?? cursor
            if page["more"] == false { break }
            // Not live yet: a new message is not pushed while pages remain.
            h.request(a, text(group, "during \(rounds)", id: "d\(rounds)"))
            #expect(h.output.take(b).filter { $0["type"] == "message" }.isEmpty)
        }
        let joined = h.hub.queue.sync { h.hub.groups[group]!.members["S2"]!.joinedSeq }
        #expect(received == Array((joined + 1)...h.hub.queue.sync { h.hub.groups[group]!.lastSeq }))
        #expect(received.last! > head)
    }

    @Test func historyPagesBackwards() {
        var configuration = HubHarness.defaultConfiguration
        configuration.recentMessages = 3
        let h = HubHarness(configuration: configuration)
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        for i in 0..<10 { h.request(a, text(group, "h\(i)", id: "h\(i)")) }
        let head = h.hub.queue.sync { h.hub.groups[group]!.lastSeq }
        let newest = h.request(a, ["type": "history", "group": .int(group.rawValue), "limit": 4])
        #expect(newest.data?["messages"]?.arrayValue?.compactMap { $0["seq"]?.int64Value } == Array((head - 3)...head))
        let older = h.request(
            a,
            ["type": "history", "group": .int(group.rawValue), "before": .int(head - 3), "limit": 4]
        )
        #expect(
            older.data?["messages"]?.arrayValue?.compactMap { $0["seq"]?.int64Value } == Array((head - 7)...(head - 4))
        )
    }

    @Test func recallWithinTheWindowAndByAdminsLater() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        let seq = h.request(a, text(group, "oops", id: "r1")).data!["seq"]!.int64Value!
        #expect(h.request(a, ["type": "recall", "group": .int(group.rawValue), "seq": .int(seq)]).isOK)
        let late = h.request(a, text(group, "late", id: "r2")).data!["seq"]!.int64Value!
        h.advance(seconds: 121)
        #expect(
            h.request(a, ["type": "recall", "group": .int(group.rawValue), "seq": .int(late)]).errorCode
                == "recall_window_passed"
        )
        let counselor = h.connect("T1", roles: [.counselor])
        #expect(h.request(counselor, ["type": "recall", "group": .int(group.rawValue), "seq": .int(late)]).isOK)
        let history = h.request(a, ["type": "history", "group": .int(group.rawValue)])
        let recalled = history.data?["messages"]?.arrayValue?.filter { $0["recalled"] == true }.compactMap {
            $0["seq"]?.int64Value
        }
        #expect(recalled == [seq, late])
        #expect(h.store.messages(of: group).first { $0.seq == seq }?.recalled == true)
    }

    @Test func receiptsCountReadersAndArePushedCoalesced() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        live(h, a)
        let seq = h.request(a, text(group, "read me", id: "rr")).data!["seq"]!.int64Value!
        for user in ["S2", "S3"] {
            let session = h.connect(user)
            #expect(h.request(session, ["type": "read", "group": .int(group.rawValue), "seq": .int(seq)]).isOK)
        }
        _ = h.output.take(a)
        h.advance(seconds: 2)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let receipts = h.output.take(a).filter { $0["type"] == "receipts" }
        #expect(receipts.count == 1)
        let update = receipts.first?["updates"]?.arrayValue?.first { $0["seq"]?.int64Value == seq }
        #expect(update?["readCount"] == 2)
        #expect(update?["audience"] == 3)  // S2, S3 and the counselor; the sender is not counted
        let query = h.request(a, ["type": "receipts", "group": .int(group.rawValue), "seq": .int(seq)])
        #expect(query.data?["readers"] == ["S2", "S3"])
        #expect(query.data?["unread"] == ["T1"])
        let other = h.connect("S2")
        #expect(
            h.request(other, ["type": "receipts", "group": .int(group.rawValue), "seq": .int(seq)]).errorCode
                == "forbidden"
        )
    }

    @Test func readCursorsReachTheStoreAndOtherDevices() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let a = h.connect("S1")
        let phone = h.connect("S2")
        let laptop = h.connect("S2", loop: 1)
        let seq = h.request(a, text(group, "x", id: "x")).data!["seq"]!.int64Value!
        _ = h.output.take(laptop)
        h.request(phone, ["type": "read", "group": .int(group.rawValue), "seq": .int(seq + 100)])
        #expect(h.output.take(laptop).contains { $0["type"] == "read" && $0["seq"]?.int64Value == seq })
        h.advance(seconds: 2)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.store.member("S2", of: group)?.readSeq == seq)
    }

    @Test func storageFailureRevertsAndReportsAndNothingIsPushed() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let student = h.connect("S1")
        live(h, student)
        h.store.failNextCommits = 1
        let reply = h.request(counselor, ["type": "group.muteAll", "group": .int(group.rawValue), "muted": true])
        #expect(reply.errorCode == "storage_unavailable")
        #expect(h.hub.queue.sync { h.hub.groups[group]!.record.muteAll } == false)
        #expect(h.output.take(student).filter { $0["type"] == "message" }.isEmpty)
        #expect(h.request(student, text(group, "still allowed", id: "ok")).isOK)
    }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var copy = self
        for (key, value) in other { copy[key] = value }
        return copy
    }
}
