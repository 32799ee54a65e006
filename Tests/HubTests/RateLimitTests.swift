import JSON
import Testing

@testable import Hub

@Suite struct TokenBucketTests {
    @Test func burstThenSustainedRateAndRefusalsCostNothing() {
        let limit = RateLimit(perSecond: 2, burst: 3)
        var bucket = TokenBucket(limit, now: 0)
        for _ in 0..<3 { #expect(bucket.take(limit, now: 0) == nil) }
        #expect(bucket.take(limit, now: 0) == 0.5)
        // Refused takes did not drain it further: half a second later exactly one token is back.
        #expect(bucket.take(limit, now: 0) == 0.5)
        #expect(bucket.take(limit, now: 500) == nil)
        #expect(bucket.take(limit, now: 500) != nil)
        // Refill stops at the burst.
        let full = bucket.isFull(limit, now: 60_000)
        #expect(full)
        for _ in 0..<3 { #expect(bucket.take(limit, now: 60_000) == nil) }
        #expect(bucket.take(limit, now: 60_000) != nil)
    }

    @Test func aClockThatStepsBackNeitherRefillsNorDrains() {
        let limit = RateLimit(perSecond: 1, burst: 1)
        var bucket = TokenBucket(limit, now: 10_000)
        #expect(bucket.take(limit, now: 10_000) == nil)
        #expect(bucket.take(limit, now: 5_000) == 1)
        #expect(bucket.take(limit, now: 11_000) == nil)
    }
}

@Suite struct HubRateLimitTests {
    static func limited() -> HubConfiguration {
        var configuration = HubConfiguration()
        configuration.rateLimits.posts = RateLimit(perSecond: 1, burst: 3)
        configuration.rateLimits.answers = RateLimit(perSecond: 1, burst: 1)
        configuration.rateLimits.reminders = RateLimit(perSecond: 1.0 / 3600, burst: 1)
        return configuration
    }

    func send(_ h: HubHarness, _ session: Session, _ group: GroupID, _ id: String) -> JSONValue {
        h.request(
            session,
            [
                "type": "send", "group": .int(group.rawValue), "clientMsgId": .string(id), "kind": "text",
                "body": ["text": .string("message \(id)")],
            ]
        )
    }

    @Test func sendsPastTheBurstAreRefusedWithRetryAfterAndNothingIsStored() {
        let h = HubHarness(configuration: Self.limited())
        let group = h.group("class:se2301")
        let s1 = h.connect("S1")
        for i in 0..<3 { #expect(send(h, s1, group, "m\(i)").isOK) }
        let refused = send(h, s1, group, "m3")
        #expect(refused.errorCode == "rate_limited")
        #expect(refused["error"]?["retryAfter"]?.doubleValue == 1)
        // A retry of an accepted message is answered as before and costs nothing.
        let retry = send(h, s1, group, "m1")
        #expect(retry.isOK)
        #expect(retry.data?["duplicate"] == true)
        // Others are not affected.
        #expect(send(h, h.connect("S2"), group, "other").isOK)
        h.advance(seconds: 1)
        #expect(send(h, s1, group, "m3").isOK)
        #expect(send(h, s1, group, "m4").errorCode == "rate_limited")
        // Exactly the accepted messages are in the group: m0, m1, m2, other, m3.
        let s3 = h.connect("S3")
        let sync = h.request(s3, ["type": "sync", "cursors": [["group": .int(group.rawValue), "seq": 0]]])
        let page = sync.data?["groups"]?[0]
        let texts = (page?["messages"]?.arrayValue ?? []).compactMap { $0["body"]?["text"]?.stringValue }
        #expect(
            texts.filter { $0.hasPrefix("message") }
                == ["message m0", "message m1", "message m2", "message other", "message m3"]
        )
    }

    @Test func answersAndRemindersHaveTheirOwnBuckets() {
        let h = HubHarness(configuration: Self.limited())
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        var tasks: [Int64] = []
        for i in 0..<2 {
            let published = h.request(
                counselor,
                [
                    "type": "task.publish", "group": .int(group.rawValue), "clientMsgId": .string("t\(i)"),
                    "task": ["title": .string("任务\(i)")],
                ]
            )
            tasks.append(published.data!["task"]!.int64Value!)
        }
        let s1 = h.connect("S1")
        #expect(h.request(s1, ["type": "task.complete", "task": .int(tasks[0])]).isOK)
        #expect(h.request(s1, ["type": "task.complete", "task": .int(tasks[1])]).errorCode == "rate_limited")
        // Posting is a different bucket.
        #expect(send(h, s1, group, "still-ok").isOK)
        #expect(h.request(counselor, ["type": "task.remind", "task": .int(tasks[0])]).isOK)
        let second = h.request(counselor, ["type": "task.remind", "task": .int(tasks[1])])
        #expect(second.errorCode == "rate_limited")
        #expect((second["error"]?["retryAfter"]?.doubleValue ?? 0) > 3000)
    }

    @Test func aRetriedPublishIsNotCharged() {
        var configuration = HubConfiguration()
        configuration.rateLimits.posts = RateLimit(perSecond: 0.001, burst: 1)
        let h = HubHarness(configuration: configuration)
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let publish: JSONObject = [
            "type": "card.publish", "group": .int(group.rawValue), "clientMsgId": "c1",
            "card": ["type": "notice", "title": "停水通知"],
        ]
        #expect(h.request(counselor, publish).isOK)
        #expect(h.request(counselor, publish).data?["duplicate"] == true)
    }

    @Test func idleUsersBucketsAreForgotten() {
        let h = HubHarness(configuration: Self.limited())
        let group = h.group("class:se2301")
        let s1 = h.connect("S1")
        #expect(send(h, s1, group, "a").isOK)
        #expect(h.hub.queue.sync { h.hub.rateBuckets.count } == 1)
        h.advance(seconds: 61)
        h.hub.queue.sync { h.hub.tick() }
        #expect(h.hub.queue.sync { h.hub.rateBuckets.count } == 0)
    }
}
