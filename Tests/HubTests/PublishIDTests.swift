import JSON
import Testing

@testable import Hub

/// Cards, tasks and messages share the publisher's `clientMsgId`s: a retry returns the original, another kind of
/// thing under a used id is refused, and memory never differs from the store.
@Suite struct PublishIDTests {
    func publish(_ h: HubHarness, _ session: Session, _ type: String, _ definition: JSONValue, id: String) -> JSONValue
    {
        let field = type == "card.publish" ? "card" : "task"
        return h.request(
            session,
            [
                "type": .string(type), "group": .int(h.group("class:se2301").rawValue), "clientMsgId": .string(id),
                field: definition,
            ]
        )
    }

    func records(_ h: HubHarness) -> [ServiceRecord] {
        (try? h.store.loadSnapshot(recentPerGroup: 0).records.map(\.record)) ?? []
    }

    @Test func aTaskCannotTakeACardsClientMsgID() {
        let h = HubHarness()
        let counselor = h.connect("T1", roles: [.counselor])
        let notice: JSONValue = ["type": "notice", "title": "停水通知"]
        #expect(publish(h, counselor, "card.publish", notice, id: "c").data?["card"] == 1)
        #expect(publish(h, counselor, "task.publish", ["title": "体检"], id: "t").data?["task"] == 1)
        let messages = h.store.messages(of: h.group("class:se2301")).count
        // Card 1 and task 1 both exist: the task under the card's id is not "task 1, duplicate".
        let reused = publish(h, counselor, "task.publish", ["title": "缴费"], id: "c")
        #expect(reused.errorCode == "invalid_request", "\(reused)")
        #expect(publish(h, counselor, "card.publish", notice, id: "t").errorCode == "invalid_request")
        #expect(h.store.messages(of: h.group("class:se2301")).count == messages)
        #expect(h.hub.queue.sync { (h.hub.cards.count, h.hub.tasks.count) } == (1, 1))
        #expect(records(h).count == 2)
        // Retries of each still find their own.
        let retry = publish(h, counselor, "task.publish", ["title": "体检"], id: "t")
        #expect(retry.data?["task"] == 1)
        #expect(retry.data?["duplicate"] == true)
        #expect(publish(h, counselor, "card.publish", notice, id: "c").data?["duplicate"] == true)
    }

    @Test func aPublishCannotTakeAMessagesClientMsgID() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let sent = h.request(
            counselor,
            ["type": "send", "group": .int(group.rawValue), "clientMsgId": "m", "kind": "text", "body": ["text": "hi"]]
        )
        #expect(sent.isOK)
        let messages = h.store.messages(of: group).count
        // The hub remembers the ack: refused before anything is written.
        #expect(
            publish(h, counselor, "card.publish", ["type": "notice", "title": "x"], id: "m").errorCode
                == "invalid_request"
        )
        #expect(records(h).isEmpty)
        // After a restart only the store knows the id: the publish is refused all the same, and what the batch
        // wrote with it (the record, its reminder jobs) is withdrawn.
        h.hub = h.makeHub()
        let again = h.connect("T1", roles: [.counselor])
        let task: JSONValue = ["title": "体检", "deadline": .int(h.now + 7_200_000), "reminders": [3600]]
        let refused = publish(h, again, "task.publish", task, id: "m")
        #expect(refused.errorCode == "invalid_request", "\(refused)")
        #expect(refused["error"]?["message"]?.stringValue?.contains("a message") == true)
        #expect(h.store.messages(of: group).count == messages)
        #expect(h.store.pendingJobs.isEmpty)
        #expect(h.hub.queue.sync { h.hub.tasks.isEmpty && h.hub.publishedByClientID.isEmpty })
        #expect(records(h).count == 1 && records(h).allSatisfy { $0.closedAt != nil })
        h.hub = h.makeHub()
        #expect(h.hub.queue.sync { h.hub.tasks.isEmpty })
        // A new id publishes normally (under the next id: the withdrawn one is not reused).
        let fresh = publish(h, h.connect("T1", roles: [.counselor]), "task.publish", task, id: "m2")
        #expect(fresh.data?["task"] == 2, "\(fresh)")
        #expect(h.store.pendingJobs.count == 1)
    }

    @Test func aRetryTheHubNoLongerHoldsIsAnsweredFromTheStore() {
        let h = HubHarness()
        let counselor = h.connect("T1", roles: [.counselor])
        let notice: JSONValue = ["type": "notice", "title": "x"]
        #expect(publish(h, counselor, "card.publish", notice, id: "c").data?["card"] == 1)
        #expect(h.request(counselor, ["type": "card.close", "card": 1]).isOK)
        h.advance(seconds: 10)
        // Started with closed records left in the store, and a ring too short to hold the card's message.
        var configuration = HubHarness.defaultConfiguration
        configuration.recentMessages = 1
        h.hub = h.makeHub(configuration: configuration, recordsClosedAfter: h.now)
        #expect(h.hub.queue.sync { h.hub.cards.isEmpty })
        let retry = publish(h, h.connect("T1", roles: [.counselor]), "card.publish", notice, id: "c")
        #expect(retry.data?["card"] == 1, "\(retry)")
        #expect(retry.data?["duplicate"] == true)
        #expect(h.hub.queue.sync { h.hub.cards.isEmpty })
        // The same id for a task names the card's message: refused.
        let task = publish(h, h.connect("T1", roles: [.counselor]), "task.publish", ["title": "x"], id: "c")
        #expect(task.errorCode == "invalid_request")
        #expect(task["error"]?["message"]?.stringValue?.contains("a card") == true)
    }
}
