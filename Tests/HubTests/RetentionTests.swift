import JSON
import Synchronization
import Testing

@testable import Hub

@Suite struct RetentionPolicyTests {
    @Test func rulesParseAndTheFirstMatchWins() {
        #expect(RetentionPolicy.Rule("inbox:*=180") == .init(groupKind: .inbox, messageKind: nil, days: 180))
        #expect(RetentionPolicy.Rule("*:video=90") == .init(groupKind: nil, messageKind: .video, days: 90))
        #expect(RetentionPolicy.Rule(" office : * = forever") == .init(groupKind: .office, messageKind: nil, days: nil))
        for bad in ["", "inbox=3", "inbox:*", "dorm:*=3", "*:sticker=3", "*:*=0", "*:*=-1", "*:*=x", "a:b:c=1"] {
            #expect(RetentionPolicy.Rule(bad) == nil, "\(bad)")
        }
        var policy = RetentionPolicy()
        policy.rules = [RetentionPolicy.Rule("*:video=90")!, RetentionPolicy.Rule("office:*=forever")!]
        #expect(policy.days(.class, .text) == 365)
        #expect(policy.days(.office, .video) == 90)
        #expect(policy.days(.office, .text) == nil)
        #expect(RetentionPolicy.MonthDay("02-29") == .init(month: 2, day: 29))
        #expect(RetentionPolicy.MonthDay("02-30") == nil)
        #expect(RetentionPolicy.MonthDay("13-01") == nil)
    }

    @Test func theAcademicYearEndsAtLocalMidnightAfterItsLastDay() {
        let beijing = LocalCalendar(utcOffsetSeconds: 8 * 3600)
        let end = RetentionPolicy.MonthDay(month: 8, day: 31)
        // 2026-09-01 00:00 in Beijing is 2026-08-31 16:00 UTC.
        let boundary2026: Int64 = 1_788_192_000_000
        #expect(beijing.lastAcademicYearEnd(before: boundary2026, end: end) == boundary2026)
        #expect(beijing.lastAcademicYearEnd(before: boundary2026 - 1, end: end) == boundary2026 - 365 * 86_400_000)
        #expect(beijing.lastAcademicYearEnd(before: 1_795_392_000_000, end: end) == boundary2026)
        #expect(beijing.minuteOfDay(boundary2026 + 90 * 60_000) == 90)
        #expect(LocalCalendar.civil(fromDays: LocalCalendar.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
    }

    @Test func aPlanCoversEveryKindWithAFiniteRetention() {
        var policy = RetentionPolicy()
        policy.rules = [RetentionPolicy.Rule("inbox:*=forever")!]
        policy.records = .days(10)
        let plan = policy.plan(now: 100 * 86_400_000, calendar: LocalCalendar(utcOffsetSeconds: 0))
        #expect(plan.messageCutoffs.count == (GroupKind.allCases.count - 1) * MessageKind.allCases.count)
        #expect(plan.expires(.class, .text, createdAt: 100 * 86_400_000 - 366 * 86_400_000))
        #expect(!plan.expires(.class, .text, createdAt: 0))
        #expect(plan.recordsClosedBefore == Timestamp(90 * 86_400_000))
        #expect(plan.unsentUploadsBefore == 93 * 86_400_000)
    }
}

@Suite struct HubRetentionTests {
    static func configuration() -> HubConfiguration {
        var configuration = HubHarness.defaultConfiguration
        configuration.retention.messageDays = 30
        configuration.retention.rules = [RetentionPolicy.Rule("*:image=7")!]
        configuration.retention.records = .days(10)
        return configuration
    }

    func purge(_ h: HubHarness) -> PurgeReport {
        let report = Mutex<PurgeReport?>(nil)
        h.hub.queue.sync {
            h.hub.purge { result in report.withLock { $0 = try? result.get() } }
        }
        h.settle()
        h.hub.queue.sync {}
        return report.withLock { $0 } ?? PurgeReport()
    }

    func register(_ h: HubHarness, _ id: String, sha256: Character) {
        let object = ObjectRecord(
            id: id,
            sha256: String(repeating: sha256, count: 64),
            size: 10,
            mime: "image/png",
            name: "photo.png",
            owner: "S1",
            createdAt: h.now
        )
        h.hub.queue.sync { h.hub.registerObject(object) { _ in } }
        h.settle()
    }

    func messages(_ h: HubHarness, _ session: Session, _ group: GroupID) -> [JSONValue] {
        let reply = h.request(session, ["type": "sync", "cursors": [["group": .int(group.rawValue), "seq": 0]]])
        return reply.data?["groups"]?[0]?["messages"]?.arrayValue ?? []
    }

    @Test func expiredMessagesKeepTheirSeqAndLoseContentSenderAndFiles() {
        let h = HubHarness(configuration: Self.configuration())
        let group = h.group("class:se2301")
        let s1 = h.connect("S1")
        register(h, "img1", sha256: "b")
        register(h, "img2", sha256: "c")
        let send: (String, JSONObject) -> JSONValue = { id, body in
            var fields: JSONObject = [
                "type": "send", "group": .int(group.rawValue), "clientMsgId": .string(id), "body": .object(body),
            ]
            fields["kind"] = body["object"] == nil ? "text" : "image"
            return h.request(s1, fields)
        }
        #expect(send("t1", ["text": "第一条"]).isOK)
        #expect(send("i1", ["object": "img1"]).isOK)
        // img2 is sent twice: once now, once later, so its file must survive the first purge.
        #expect(send("i2", ["object": "img2"]).isOK)
        h.advance(seconds: 8 * 86_400)
        #expect(send("i2-again", ["object": "img2"]).isOK)
        let first = purge(h)
        #expect(first.messagesExpired == 2)
        #expect(Set(first.objectsDeleted) == ["img1"])
        #expect(first.unreferencedFiles == [String(repeating: "b", count: 64)])
        let s2 = h.connect("S2")
        let after = messages(h, s2, group).filter { $0["kind"] == "image" || $0["kind"] == "text" }
        #expect(after.map { $0["expired"]?.boolValue ?? false } == [false, true, true, false])
        #expect(after[1]["sender"] == .null)
        #expect(after[1]["body"] == nil)
        #expect(after[1]["clientMsgId"] == nil)
        // Dense seqs: nothing disappeared.
        let seqs = messages(h, s2, group).compactMap { $0["seq"]?.int64Value }
        #expect(seqs == Array(seqs.first!...seqs.last!))
        // The store agrees, and the expired message cannot be recalled.
        #expect(h.store.messages(of: group).filter(\.expired).count == 2)
        let expiredSeq = after[1]["seq"]!.int64Value!
        #expect(
            h.request(s1, ["type": "recall", "group": .int(group.rawValue), "seq": .int(expiredSeq)]).errorCode
                == "message_not_found"
        )
        // img1 is gone (not even its uploader can fetch it); img2 still serves the newer message.
        h.hub.queue.sync {
            #expect(h.hub.downloadableObject("img1", user: "S1", roles: []) == nil)
            #expect(h.hub.downloadableObject("img2", user: "S2", roles: []) != nil)
        }
        // Running again changes nothing.
        #expect(purge(h) == PurgeReport())
        // 30 days later the text and the second image go too.
        h.advance(seconds: 31 * 86_400)
        let second = purge(h)
        #expect(second.messagesExpired >= 2)
        #expect(second.objectsDeleted == ["img2"])
    }

    @Test func endedCardsAndTasksGoWithTheirAnswersAndAnnouncements() {
        let h = HubHarness(configuration: Self.configuration())
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let published = h.request(
            counselor,
            [
                "type": "card.publish", "group": .int(group.rawValue), "clientMsgId": "c1",
                "card": ["type": "vote", "title": "班会时间", "options": ["周一", "周三"], "deadline": .int(h.now + 60_000)],
            ]
        )
        let card = published.data!["card"]!.int64Value!
        let s1 = h.connect("S1")
        #expect(h.request(s1, ["type": "card.respond", "card": .int(card), "response": ["choices": [0]]]).isOK)
        h.advance(seconds: 5 * 86_400)
        // Ended five days ago: kept (records are kept ten days).
        #expect(purge(h).recordsDeleted == 0)
        h.advance(seconds: 6 * 86_400)
        let report = purge(h)
        #expect(report.recordsDeleted == 1)
        #expect(report.entriesDeleted == 1)
        #expect(h.request(counselor, ["type": "card.get", "card": .int(card)]).errorCode == "card_not_found")
        let announcement = messages(h, counselor, group).first { $0["kind"] == "card" }
        #expect(announcement?["expired"] == true)
        // A retried publish with the same clientMsgId is a new card now, not the purged one.
        #expect(
            h.request(
                counselor,
                [
                    "type": "card.publish", "group": .int(group.rawValue), "clientMsgId": "c1",
                    "card": ["type": "notice", "title": "新通知"],
                ]
            ).data?["duplicate"] == nil
        )
    }
}
