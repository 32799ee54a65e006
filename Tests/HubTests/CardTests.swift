import JSON
import Testing

@testable import Hub

@Suite struct CardTests {
    func publish(
        _ h: HubHarness,
        _ session: Session,
        _ group: GroupID,
        _ card: JSONValue,
        id: String = "c1"
    ) -> JSONValue {
        h.request(
            session,
            ["type": "card.publish", "group": .int(group.rawValue), "clientMsgId": .string(id), "card": card]
        )
    }

    func respond(_ h: HubHarness, _ session: Session, _ card: Int64, _ response: JSONValue) -> JSONValue {
        h.request(session, ["type": "card.respond", "card": .int(card), "response": response])
    }

    @Test func voteEndToEnd() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        _ = h.request(s1, ["type": "sync"])
        let published = publish(
            h,
            counselor,
            group,
            ["type": "vote", "title": "班会时间", "options": ["周一", "周三", "周五"], "resultsVisibility": "afterVote"]
        )
        #expect(published.isOK, "\(published)")
        let card = published.data!["card"]!.int64Value!
        // The card is a message in the timeline.
        #expect(h.output.take(s1).contains { $0["type"] == "message" && $0["message"]?["kind"] == "card" })
        // Results hidden before voting, shown after.
        #expect(h.request(s1, ["type": "card.get", "card": .int(card)]).data?["results"] == nil)
        #expect(respond(h, s1, card, ["choices": [1]]).isOK)
        #expect(respond(h, s2, card, ["choices": [1]]).isOK)
        #expect(h.request(s1, ["type": "card.get", "card": .int(card)]).data?["results"]?["counts"] == [0, 2, 0])
        // One response per member unless editing is allowed.
        #expect(respond(h, s1, card, ["choices": [0]]).errorCode == "already_responded")
        // Bad answers.
        let s3 = h.connect("S3")
        #expect(respond(h, s3, card, ["choices": [7]]).errorCode == "invalid_request")
        #expect(respond(h, s3, card, ["choices": [0, 1]]).errorCode == "invalid_request")
        // Statistics for the publisher: named voters, who is missing.
        let stats = h.request(counselor, ["type": "card.stats", "card": .int(card)])
        #expect(stats.data?["responded"] == 2)
        #expect(stats.data?["missing"] == ["S3"])
        #expect(stats.data?["results"]?["voters"]?[1] == ["S1", "S2"])
        #expect(h.request(s1, ["type": "card.stats", "card": .int(card)]).errorCode == "forbidden")
        // The publisher gets one coalesced live update for both votes.
        _ = h.output.take(counselor)
        h.advance(seconds: 2)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let live = h.output.take(counselor).filter { $0["type"] == "card.stats" }
        #expect(live.count == 1)
        #expect(live.first?["responded"] == 2)
        #expect(live.first?["results"]?["counts"] == [0, 2, 0])
    }

    @Test func anonymousAnswersAreNeverLinkedToMembers() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let published = publish(
            h,
            counselor,
            group,
            [
                "type": "questionnaire", "title": "满意度", "anonymous": true,
                "questions": [["kind": "rating", "title": "食堂"], ["kind": "text", "title": "建议", "required": false]],
            ]
        )
        let card = published.data!["card"]!.int64Value!
        let s1 = h.connect("S1")
        #expect(respond(h, s1, card, ["answers": [4, "多一些面食"]]).isOK)
        let stats = h.request(counselor, ["type": "card.stats", "card": .int(card)])
        #expect(stats.data?["results"]?["questions"]?[1]?["texts"] == ["多一些面食"])
        #expect(stats.data?["respondents"] == ["S1"])  // participation is known, answers are not linked
        let stored = h.store.messages(of: group)  // nothing about answers in messages
        #expect(!stored.contains { String(decoding: $0.message.body, as: UTF8.self).contains("面食") })
        // The store holds the answer under a random key, not the member.
        let record = h.hub.queue.sync { h.hub.cards[card]!.entry(for: "S1")! }
        #expect(!String(decoding: record.body, as: UTF8.self).contains("面食"))
        #expect(!h.request(s1, ["type": "card.get", "card": .int(card)]).jsonString.contains("面食"))
    }

    @Test func questionnaireValidatesEveryAnswer() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let card = publish(
            h,
            counselor,
            group,
            [
                "type": "questionnaire", "title": "调查",
                "questions": [
                    ["kind": "single", "title": "年级", "options": ["大一", "大二"]],
                    ["kind": "multiple", "title": "兴趣", "options": ["篮球", "足球", "羽毛球"], "min": 1, "max": 2],
                    ["kind": "text", "title": "备注", "maxLength": 10, "required": false],
                ],
            ]
        ).data!["card"]!.int64Value!
        let s1 = h.connect("S1")
        for bad: JSONValue in [
            ["answers": [0, [0, 1, 2], nil]], ["answers": [2, [0], nil]], ["answers": [0, [0]]],
            ["answers": [nil, [0], nil]], ["answers": [0, [0], "超过十个字的很长很长的备注"]],
        ] {
            #expect(respond(h, s1, card, bad).errorCode == "invalid_request", "\(bad)")
        }
        #expect(respond(h, s1, card, ["answers": [1, [0, 2], nil]]).isOK)
    }

    @Test func lateAndClosedResponsesAreRefused() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let card = publish(
            h,
            counselor,
            group,
            ["type": "notice", "title": "停水通知", "mustConfirm": true, "deadline": .int(h.now + 60_000)]
        ).data!["card"]!.int64Value!
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        #expect(respond(h, s1, card, [:]).isOK)
        h.advance(seconds: 61)
        #expect(respond(h, s2, card, [:]).errorCode == "card_closed")
        let other = publish(h, counselor, group, ["type": "notice", "title": "x", "mustConfirm": true], id: "c2").data![
            "card"
        ]!.int64Value!
        #expect(h.request(counselor, ["type": "card.close", "card": .int(other)]).isOK)
        #expect(respond(h, s2, other, [:]).errorCode == "card_closed")
    }

    @Test func membersWhoJoinedLaterAndOutsidersCannotRespond() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let card = publish(h, counselor, group, ["type": "notice", "title": "x", "mustConfirm": true]).data!["card"]!
            .int64Value!
        #expect(
            h.request(counselor, ["type": "group.addMembers", "group": .int(group.rawValue), "users": ["S4"]]).isOK
        )
        let late = h.connect("S4")
        #expect(respond(h, late, card, [:]).errorCode == "not_recipient")
        let outsider = h.connect("P1", roles: [.teacher])
        #expect(respond(h, outsider, card, [:]).errorCode == "not_member")
    }

    @Test func checkInWindowCodeAndPlace() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let start = h.now + 60_000
        let card = publish(
            h,
            counselor,
            group,
            [
                "type": "checkin", "title": "晚点名", "startsAt": .int(start), "endsAt": .int(start + 600_000),
                "lateUntil": .int(start + 1_200_000), "code": "4821",
                "location": ["latitude": 39.9990, "longitude": 116.3260, "radius": 100],
            ]
        ).data!["card"]!.int64Value!
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        let here: JSONValue = ["latitude": 39.9991, "longitude": 116.3261]
        #expect(respond(h, s1, card, ["code": "4821", "location": here]).errorCode == "not_open_yet")
        h.advance(seconds: 61)
        // Members do not see the code; the counselor does.
        #expect(h.request(s1, ["type": "card.get", "card": .int(card)]).data?["definition"]?["code"] == nil)
        #expect(h.request(counselor, ["type": "card.get", "card": .int(card)]).data?["definition"]?["code"] == "4821")
        #expect(respond(h, s1, card, ["code": "0000", "location": here]).errorCode == "wrong_code")
        #expect(
            respond(h, s1, card, ["code": "4821", "location": ["latitude": 40.01, "longitude": 116.3261]]).errorCode
                == "too_far"
        )
        // Like every other response, a check-in has only the fields it documents.
        #expect(respond(h, s1, card, ["code": "4821", "location": here, "photo": "x"]).errorCode == "invalid_request")
        let precise: JSONValue = ["latitude": 39.9991, "longitude": 116.3261, "accuracy": 5]
        #expect(respond(h, s1, card, ["code": "4821", "location": precise]).errorCode == "invalid_request")
        let onTime = respond(h, s1, card, ["code": "4821", "location": here])
        #expect(onTime.data?["late"] == false)
        h.advance(seconds: 700)
        #expect(respond(h, s2, card, ["code": "4821", "location": here]).data?["late"] == true)
        let stats = h.request(counselor, ["type": "card.stats", "card": .int(card)])
        #expect(stats.data?["late"] == ["S2"])
        #expect(stats.data?["missing"] == ["S3"])
    }

    @Test func membersPublishOnlyWhenTheGroupAllowsIt() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let student = h.connect("S1")
        let card: JSONValue = ["type": "notice", "title": "x"]
        #expect(publish(h, student, group, card).errorCode == "forbidden")
        let counselor = h.connect("T1", roles: [.counselor])
        #expect(
            h.request(counselor, ["type": "group.settings", "group": .int(group.rawValue), "allowMemberCards": true])
                .isOK
        )
        #expect(publish(h, student, group, card).isOK)
        let info = h.request(student, ["type": "group.info", "group": .int(group.rawValue)])
        #expect(info.data?["allowMemberCards"] == true)
    }

    @Test func unknownCardsAreNotFoundAndOldOnesAreClosed() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let s1 = h.connect("S1")
        #expect(respond(h, s1, 99, [:]).errorCode == "card_not_found")
        #expect(h.request(counselor, ["type": "card.close", "card": 99]).errorCode == "card_not_found")
        // A card that ended before the hub started is in the store only: closed, and there is nothing to close.
        let card = publish(h, counselor, group, ["type": "notice", "title": "x", "mustConfirm": true]).data!["card"]!
            .int64Value!
        #expect(h.request(counselor, ["type": "card.close", "card": .int(card)]).isOK)
        h.advance(seconds: 10)
        h.hub = h.makeHub(recordsClosedAfter: h.now)
        let messages = h.store.messages(of: group).count
        #expect(respond(h, h.connect("S2"), card, [:]).errorCode == "card_closed")
        #expect(respond(h, h.connect("P1", roles: [.teacher]), card, [:]).errorCode == "not_member")
        #expect(h.request(h.connect("S3"), ["type": "card.close", "card": .int(card)]).errorCode == "forbidden")
        #expect(h.request(h.connect("T1", roles: [.counselor]), ["type": "card.close", "card": .int(card)]).isOK)
        #expect(h.store.messages(of: group).count == messages)
    }

    @Test func republishingWithTheSameClientIDReturnsTheSameCard() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let card: JSONValue = ["type": "notice", "title": "x"]
        let first = publish(h, counselor, group, card, id: "same")
        let again = publish(h, counselor, group, card, id: "same")
        #expect(again.data?["card"] == first.data?["card"])
        #expect(again.data?["duplicate"] == true)
    }

    @Test func cardsSurviveARestart() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let card = publish(h, counselor, group, ["type": "vote", "title": "x", "options": ["a", "b"]]).data!["card"]!
            .int64Value!
        #expect(respond(h, h.connect("S1"), card, ["choices": [0]]).isOK)
        h.hub = h.makeHub()
        let again = h.connect("T1", roles: [.counselor])
        #expect(h.request(again, ["type": "card.stats", "card": .int(card)]).data?["results"]?["counts"] == [1, 0])
        #expect(respond(h, h.connect("S1"), card, ["choices": [1]]).errorCode == "already_responded")
    }
}
