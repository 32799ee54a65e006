import Foundation
import Glibc
import JSON
import Testing

/// Every card kind end to end: real WebSocket clients over loopback against a full server with the sample class.
/// The counselor T1 (admin of 软件2301班) publishes; the students S1–S4 answer on their own connections; S5, a
/// student of no class, is the outsider. Times are the server's wall clock: deadlines are set a little ahead, and
/// the tests wait for the server's clock (ping replies) to pass them, never for a fixed time.
@Suite struct CardsEndToEndTests {
    // MARK: Notices

    @Test func noticeToBeConfirmed() throws {
        let room = try Classroom()
        let now = try room.serverNow()
        let definition: JSONObject = [
            "type": "notice", "title": "寒假离校安全须知", "body": "离校前请关好门窗、拔掉电源。", "mustConfirm": true,
            "deadline": .int(now + 600_000),
        ]
        let card = try room.publish(definition, clientMsgID: "notice-1")
        // Every member, the publisher included, gets the card message; the outsider gets nothing.
        for client in room.members {
            let push = try room.waitForCardMessage(card, on: client)
            #expect(
                push["message"]?["body"]
                    == [
                        "card": .int(card), "type": "notice", "title": "寒假离校安全须知", "closesAt": .int(now + 600_000),
                    ]
            )
            #expect(push["message"]?["sender"] == "T1")
        }
        // Publishing again with the same clientMsgId (a lost reply) publishes nothing.
        let retry = try room.counselor.request([
            "type": "card.publish", "group": .int(room.group), "clientMsgId": "notice-1", "card": .object(definition),
        ])
        #expect(retry["data"] == ["card": .int(card), "duplicate": true])

        // Bad answers: a mistyped confirm, a field a notice does not have.
        try room.expectError("S1", card, ["confirm": "yes"], "invalid_request")
        try room.expectError("S1", card, ["choices": [0]], "invalid_request")
        // Not a member of the group; the publisher, who is no recipient.
        try room.expectError("S5", card, [:], "not_member")
        try room.expectError("T1", card, [:], "not_recipient")

        let confirmed = try room.respond("S1", card, ["confirm": true])
        #expect(confirmed["ok"] == true && confirmed["data"]?["card"] == .int(card))
        #expect(confirmed["data"]?["late"] == false && confirmed["data"]?["submittedAt"]?.int64Value ?? 0 >= now)
        // Once only: the notice does not allow changes.
        try room.expectError(
            "S1",
            card,
            [:],
            "already_responded",
            message: "You already responded, and this card does not allow changes."
        )

        // The publisher's live statistics: counts only.
        let first = try room.waitForStats(card, responded: 1)
        #expect(
            first == [
                "type": "card.stats", "card": .int(card), "group": .int(room.group), "recipients": 4, "responded": 1,
                "results": [:],
            ]
        )
        #expect(try room.respond("S2", card, [:])["ok"] == true)  // an empty response confirms too
        _ = try room.waitForStats(card, responded: 2)

        let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])
        #expect(
            stats["data"]
                == [
                    "card": .int(card), "type": "notice", "anonymous": false, "recipients": 4, "responded": 2,
                    "respondents": ["S1", "S2"], "missing": ["S3", "S4"], "results": [:],
                ]
        )
        #expect(try room["S1"].request(["type": "card.stats", "card": .int(card)]).errorCode == "forbidden")
        let mine = try room["S1"].request(["type": "card.get", "card": .int(card)])
        #expect(mine["data"]?["myResponse"]?["confirm"] == true)

        // A notice without mustConfirm asks for nothing.
        let plain = try room.publish(["type": "notice", "title": "周五班会改到 302"], clientMsgID: "notice-2")
        try room.expectError("S3", plain, [:], "invalid_request", message: "This notice does not ask for confirmation.")
        try room.expectNoStatsPushesToMembers()

        // Someone who joins later is not a recipient.
        #expect(
            try room.counselor.request(["type": "group.addMembers", "group": .int(room.group), "users": ["S5"]]).isOK
        )
        try room.expectError("S5", card, [:], "not_recipient")
    }

    // MARK: Questionnaires

    static let questions: JSONValue = [
        ["kind": "single", "title": "你最常去哪个食堂？", "options": ["一食堂", "二食堂", "清真食堂"]],
        ["kind": "multiple", "title": "希望增加哪些菜品？", "options": ["面食", "粥品", "轻食沙拉", "夜宵"], "min": 1, "max": 2],
        ["kind": "text", "title": "一句话评价", "maxLength": 20],
        ["kind": "rating", "title": "总体评分", "scale": 5],
        ["kind": "text", "title": "其他建议", "required": false],
    ]

    @Test func questionnaireWithEveryKindOfQuestion() throws {
        let room = try Classroom()
        let now = try room.serverNow()
        let card = try room.publish(
            [
                "type": "questionnaire", "title": "食堂满意度调查", "description": "结果用于和后勤处沟通。",
                "deadline": .int(now + 600_000), "questions": Self.questions,
            ],
            clientMsgID: "survey-1"
        )
        _ = try room.waitForCardMessage(card, on: room["S1"])
        let definition = try room["S1"].request(["type": "card.get", "card": .int(card)])["data"]?["definition"]
        // Defaults written out: required true, min/max, text maxLength 500, rating scale.
        #expect(definition?["questions"]?[0]?["required"] == true)
        #expect(definition?["questions"]?[4]?["maxLength"] == 500)
        #expect(definition?["anonymous"] == false)

        // Bad answers, each refused before anything is stored.
        let bad: [(JSONValue, String)] = [
            (["answers": [0, [1], "好", 4]], "Give one answer (or null) per question, 5 in all."),
            (["answers": ["0", [1], "好", 4, .null]], "Answer with the index of one option (0 to 2)."),
            (["answers": [3, [1], "好", 4, .null]], "Answer with the index of one option (0 to 2)."),
            (["answers": [0, [0, 1, 2], "好", 4, .null]], "Choose 1 to 2 different options."),
            (["answers": [0, [], "好", 4, .null]], "Choose 1 to 2 different options."),
            (["answers": [0, [1, 1], "好", 4, .null]], "Choose 1 to 2 different options."),
            (["answers": [0, 1, "好", 4, .null]], "Answer with an array of option indexes."),
            (
                ["answers": [0, [1], .string(String(repeating: "好", count: 21)), 4, .null]],
                "Answer with 1 to 20 characters."
            ),
            (["answers": [0, [1], "", 4, .null]], "Answer with 1 to 20 characters."),
            (["answers": [0, [1], "好", 6, .null]], "Rate from 1 to 5."),
            (["answers": [0, [1], "好", 0, .null]], "Rate from 1 to 5."),
            (["answers": [0, [1], "好", 4.5, .null]], "Rate from 1 to 5."),
            (["answers": [0, .null, "好", 4, .null]], "Question '希望增加哪些菜品？' needs an answer."),
            (["answers": [.null, [1], "好", 4, .null]], "Question '你最常去哪个食堂？' needs an answer."),
        ]
        for (response, message) in bad {
            try room.expectError("S1", card, response.objectValue ?? [:], "invalid_request", message: message)
        }
        try room.expectError("S1", card, ["answers": [0, [1], "好", 4, .null], "extra": 1], "invalid_request")
        try room.expectError("S1", card, ["choices": [0]], "invalid_request")
        try room.expectError("S5", card, ["answers": [0, [1], "好", 4, .null]], "not_member")

        // Good answers: the optional question left out (null), or answered.
        #expect(try room.respond("S1", card, ["answers": [1, [0, 3], "夜宵太少", 4, .null]])["ok"] == true)
        #expect(try room.respond("S2", card, ["answers": [0, [1], "还行", 3, "晚上九点以后希望还有热菜。"]])["ok"] == true)
        try room.expectError("S2", card, ["answers": [0, [1], "还行", 3, .null]], "already_responded")

        let push = try room.waitForStats(card, responded: 2)
        let expectedResults: JSONValue = [
            "questions": [
                ["answered": 2, "counts": [1, 1, 0]],
                ["answered": 2, "counts": [1, 1, 0, 1]],
                ["answered": 2, "texts": ["夜宵太少", "还行"]],
                ["answered": 2, "distribution": [0, 0, 1, 1, 0], "average": 3.5],
                ["answered": 1, "texts": ["晚上九点以后希望还有热菜。"]],
            ]
        ]
        #expect(push["results"] == expectedResults, "\(push)")
        #expect(room.identities(in: push).isEmpty, "a card.stats push names people: \(push)")

        // card.stats, for the publisher: texts with their authors (a named questionnaire).
        let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])["data"]
        #expect(stats?["respondents"] == ["S1", "S2"] && stats?["missing"] == ["S3", "S4"])
        #expect(
            stats?["results"]?["questions"]?[2]?["texts"] == [
                ["user": "S1", "text": "夜宵太少"], ["user": "S2", "text": "还行"],
            ]
        )
        let mine = try room["S1"].request(["type": "card.get", "card": .int(card)])["data"]?["myResponse"]
        #expect(mine?["answers"] == [1, [0, 3], "夜宵太少", 4, .null])

        // The export: one column per question, one row per recipient.
        let csv = try room.export(card, format: "csv")
        #expect(csv.status == 200)
        let lines = csv.text.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.first == "学号/工号,姓名,是否提交,提交时间(北京时间),迟到,1. 你最常去哪个食堂？,2. 希望增加哪些菜品？,3. 一句话评价,4. 总体评分,5. 其他建议")
        #expect(lines.contains { $0.hasPrefix("S1,学生1,是,") && $0.hasSuffix(",否,二食堂,面食；夜宵,夜宵太少,4,") })
        #expect(lines.contains("S3,学生3,否,,否,,,,,"))
        try room.expectNoStatsPushesToMembers()
    }

    // MARK: Votes

    @Test func namedVoteClosedByItsPublisher() throws {
        let room = try Classroom()
        let card = try room.publish(
            [
                "type": "vote", "title": "班级春游去哪里？", "options": ["香山", "颐和园", "奥林匹克森林公园"], "multiple": true,
                "maxChoices": 2,
            ],
            clientMsgID: "vote-1"
        )
        _ = try room.waitForCardMessage(card, on: room["S3"])
        // Results are shown to members after they voted (resultsVisibility afterVote, the default).
        let before = try room["S1"].request(["type": "card.get", "card": .int(card)])["data"]
        #expect(before?["results"] == nil && before?["myResponse"] == .null)

        try room.expectError(
            "S1",
            card,
            ["choices": [0, 1, 2]],
            "invalid_request",
            message: "Choose 1 to 2 option(s)."
        )
        try room.expectError("S1", card, ["choices": []], "invalid_request", message: "Choose 1 to 2 option(s).")
        try room.expectError(
            "S1",
            card,
            ["choices": [1, 1]],
            "invalid_request",
            message: "Choose each option at most once."
        )
        try room.expectError("S1", card, ["choices": [3]], "invalid_request")
        try room.expectError("S1", card, ["choices": ["香山"]], "invalid_request")
        try room.expectError("S1", card, ["choices": 1], "invalid_request")
        try room.expectError("S1", card, [:], "invalid_request")
        try room.expectError("S1", card, ["choices": [0], "comment": "x"], "invalid_request")
        try room.expectError("S5", card, ["choices": [0]], "not_member")
        try room.expectError("T1", card, ["choices": [0]], "not_recipient")

        #expect(try room.respond("S1", card, ["choices": [1]])["ok"] == true)
        #expect(try room.respond("S2", card, ["choices": [2, 0]])["ok"] == true)
        try room.expectError("S2", card, ["choices": [1]], "already_responded")
        let push = try room.waitForStats(card, responded: 2)
        #expect(push["results"] == ["counts": [1, 1, 1]])
        let after = try room["S1"].request(["type": "card.get", "card": .int(card)])["data"]
        #expect(after?["myResponse"]?["choices"] == [1] && after?["results"] == ["counts": [1, 1, 1]])
        let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])["data"]
        #expect(stats?["results"] == ["counts": [1, 1, 1], "voters": [["S2"], ["S1"], ["S2"]]])

        // Only the publisher and the group's managers close a card.
        #expect(try room["S1"].request(["type": "card.close", "card": .int(card)]).errorCode == "forbidden")
        let closed = try room.counselor.request(["type": "card.close", "card": .int(card)])
        #expect(closed["ok"] == true && closed["data"] == [:])
        for client in room.members {
            let notice = try room.waitForPush(client, "card_closed message") {
                $0["type"] == "message" && $0["message"]?["body"]?["event"] == "card_closed"
            }
            #expect(notice["message"]?["body"] == ["event": "card_closed", "card": .int(card), "by": "T1"])
            #expect(notice["message"]?["kind"] == "system" && notice["message"]?["sender"] == .null)
        }
        try room.expectError(
            "S3",
            card,
            ["choices": [0]],
            "card_closed",
            message: "The card no longer accepts responses."
        )
        let closedCard = try room["S3"].request(["type": "card.get", "card": .int(card)])["data"]
        #expect(closedCard?["open"] == false && closedCard?["closedAt"]?.int64Value != nil)
        // Members who did not vote see the results once the vote is closed.
        #expect(closedCard?["results"] == ["counts": [1, 1, 1]])
        // Closing again changes nothing and writes no second message.
        #expect(try room.counselor.request(["type": "card.close", "card": .int(card)])["data"] == [:])
        _ = try room["S4"].request(["type": "ping"])
        // (Its first card_closed message was taken from the buffer above.)
        let second = room["S4"].pushes.filter { $0["message"]?["body"]?["event"] == "card_closed" }
        #expect(second.isEmpty, "\(second)")

        // The export of a named vote names the voters (the anonymous test relies on this check).
        let csv = try room.export(card, format: "csv")
        #expect(csv.text.contains("S1,学生1,是,") && csv.text.contains("S2,学生2,是,"))
        #expect(csv.text.contains("香山；奥林匹克森林公园"))
        #expect(!room.identities(in: .string(csv.text)).isEmpty)
        try room.expectNoStatsPushesToMembers()
    }

    @Test func anonymousVoteNamesNobody() throws {
        let room = try Classroom()
        let options: JSONValue = ["周五晚上", "周六上午", "周日下午"]
        // Anonymous answers cannot be edited: they are linked to nobody.
        let refused = try room.counselor.request([
            "type": "card.publish", "group": .int(room.group), "clientMsgId": "anon-0",
            "card": ["type": "vote", "title": "班会时间", "options": options, "anonymous": true, "allowEdit": true],
        ])
        #expect(refused.errorCode == "invalid_request")
        let card = try room.publish(
            ["type": "vote", "title": "班会时间", "options": options, "anonymous": true, "resultsVisibility": "always"],
            clientMsgID: "anon-1"
        )
        _ = try room.waitForCardMessage(card, on: room["S1"])
        try room.expectError("S1", card, ["choices": [0, 1]], "invalid_request", message: "Choose 1 to 1 option(s).")
        try room.expectError("S5", card, ["choices": [0]], "not_member")
        for (user, choice) in [("S1", 0), ("S2", 1), ("S3", 1)] {
            #expect(try room.respond(user, card, ["choices": [.int(Int64(choice))]])["ok"] == true)
        }
        try room.expectError("S1", card, ["choices": [2]], "already_responded")

        // The live statistics and card.stats: counts, and who took part — never who chose what.
        let push = try room.waitForStats(card, responded: 3)
        #expect(push["results"] == ["counts": [1, 2, 0]])
        #expect(room.identities(in: push).isEmpty, "\(push)")
        let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])["data"]
        #expect(stats?["anonymous"] == true && stats?["results"] == ["counts": [1, 2, 0]])
        #expect(stats?["respondents"] == ["S1", "S2", "S3"] && stats?["missing"] == ["S4"])
        let results = stats?["results"] ?? .null
        #expect(room.identities(in: results).isEmpty)
        // A member's own response shows that they answered, not what.
        let mine = try room["S2"].request(["type": "card.get", "card": .int(card)])["data"]
        #expect(mine?["myResponse"]?.objectValue?.keys == ["submittedAt"])
        #expect(mine?["results"] == ["counts": [1, 2, 0]])

        // The exports: numbered answers, no identity column, no identity anywhere in the answers.
        let json = try room.export(card, format: "json")
        #expect(json.status == 200)
        let table = try JSONParser.parse(json.body)
        #expect(table["columns"] == ["序号", "选择"])
        let rows = table["rows"]?.arrayValue ?? []
        #expect(rows.compactMap { $0[0]?.stringValue } == ["1", "2", "3"])
        #expect(rows.compactMap { $0[1]?.stringValue }.sorted() == ["周五晚上", "周六上午", "周六上午"])
        #expect(rows.allSatisfy { $0.arrayValue?.count == 2 })
        for part in [table["columns"], table["rows"], table["summary"]?["results"]] {
            let found = room.identities(in: part ?? .null)
            #expect(found.isEmpty, "\(found) in \(part ?? .null)")
        }
        #expect(table["summary"]?["results"] == ["counts": [1, 2, 0]])
        #expect(table["summary"]?["definition"]?["anonymous"] == true)
        // The summary's only people are the documented participation lists (who took part, not what they chose).
        var summary = table["summary"]?.objectValue ?? [:]
        #expect(summary["respondents"] == ["S1", "S2", "S3"] && summary["missing"] == ["S4"])
        _ = summary.removeValue(forKey: "respondents")
        _ = summary.removeValue(forKey: "missing")
        #expect(room.identities(in: .object(summary)).isEmpty, "\(summary)")

        let csv = try room.export(card, format: "csv")
        #expect(csv.status == 200 && csv.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let lines = csv.text.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "序号,选择")
        #expect(lines.dropFirst().map { $0.prefix(2) } == ["1,", "2,", "3,"])
        #expect(
            lines.dropFirst().map { $0.split(separator: ",").last.map(String.init) ?? "" }.sorted() == [
                "周五晚上", "周六上午", "周六上午",
            ]
        )
        #expect(room.identities(in: .string(csv.text)).isEmpty, "\(csv.text)")
        try room.expectNoStatsPushesToMembers()
    }

    /// The README promises that anonymous answers are linked to nobody, "not in replies, pushes, exports or the
    /// database". Not even by time: an anonymous answer's row must not carry the millisecond of the respondent's own
    /// row.
    @Test func anonymousAnswersAreNotLinkedInTheDatabase() throws {
        let room = try Classroom()
        let card = try room.publish(
            ["type": "vote", "title": "评优", "options": ["甲", "乙"], "anonymous": true],
            clientMsgID: "anon-db"
        )
        for (user, choice) in [("S1", 0), ("S2", 1), ("S3", 1)] {
            let reply = try room.respond(user, card, ["choices": [.int(Int64(choice))]])
            #expect(reply["ok"] == true)
            // One answer per millisecond, as when students answer at their own pace.
            try room.waitForServerClock(past: reply["data"]?["submittedAt"]?.int64Value ?? 0)
        }
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
            rows = db.execute("SELECT user_id, body, updated_at FROM record_entries WHERE kind = 'card' AND record_id = ?",
                              (int(sys.argv[2]),)).fetchall()
            print(json.dumps([[user, json.loads(bytes(body)), at] for user, body, at in rows]))
            """
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, room.server.dataDirectory + "/yizhan.db", String(card)]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let rows = try JSONParser.parse(Array(data)).arrayValue ?? []
        let anonymous = rows.filter { $0[0]?.stringValue?.hasPrefix("anon:") == true }
        let named = rows.filter { $0[0]?.stringValue?.hasPrefix("anon:") == false }
        #expect(anonymous.count == 3 && named.count == 3, "\(rows)")
        // No identity in the anonymous rows themselves.
        #expect(room.identities(in: .array(anonymous)).isEmpty, "\(anonymous)")
        // Nothing in a member's row may point at one anonymous answer: not the time either.
        var linked: [String] = []
        for answer in anonymous {
            let time = answer[2]?.int64Value
            for row in named where row[2]?.int64Value == time || row[1]?["submittedAt"]?.int64Value == time {
                linked.append("\(row[0]?.stringValue ?? "?") chose \(answer[1]?["answer"]?["choices"] ?? .null)")
            }
        }
        #expect(linked.isEmpty, "anonymous answers linked to members by their time: \(linked.sorted())")
    }

    // MARK: Check-ins

    @Test func checkInWithCodePlaceAndLateWindow() throws {
        let room = try Classroom()
        let now = try room.serverNow()
        let endsAt = now + 3_000
        let lateUntil = endsAt + 1_500
        let place: JSONValue = ["latitude": 39.999, "longitude": 116.326, "radius": 100]
        let card = try room.publish(
            [
                "type": "checkin", "title": "周日晚点名", "startsAt": .int(now - 60_000), "endsAt": .int(endsAt),
                "lateUntil": .int(lateUntil), "code": "4821", "location": place,
            ],
            clientMsgID: "checkin-1"
        )
        let message = try room.waitForCardMessage(card, on: room["S1"])
        #expect(message["message"]?["body"]?["closesAt"] == .int(lateUntil))
        // Members see that a code is needed, not the code; the publisher sees it.
        let seen = try room["S1"].request(["type": "card.get", "card": .int(card)])["data"]?["definition"]
        #expect(seen?["requiresCode"] == true && seen?["code"] == nil)
        let managed = try room.counselor.request(["type": "card.get", "card": .int(card)])["data"]?["definition"]
        #expect(managed?["code"] == "4821")

        let here: JSONValue = ["latitude": 39.9991, "longitude": 116.3261]
        try room.expectError(
            "S1",
            card,
            ["code": "1234", "location": here],
            "wrong_code",
            message: "The check-in code is wrong; ask the counselor for the code on the screen."
        )
        try room.expectError("S1", card, ["location": here], "wrong_code")
        try room.expectError("S1", card, ["code": 4821, "location": here], "invalid_request")
        try room.expectError(
            "S1",
            card,
            ["code": "4821", "location": ["latitude": 40.001, "longitude": 116.326]],
            "too_far",
            message: "You are 222 m from the check-in place; it accepts 100 m."
        )
        try room.expectError("S1", card, ["code": "4821"], "invalid_request")
        try room.expectError("S1", card, ["code": "4821", "location": ["latitude": 39.999]], "invalid_request")
        try room.expectError(
            "S1",
            card,
            ["code": "4821", "location": ["latitude": 95.0, "longitude": 116.326]],
            "invalid_request"
        )
        try room.expectError("S5", card, ["code": "4821", "location": here], "not_member")
        try room.expectError("T1", card, ["code": "4821", "location": here], "not_recipient")

        let onTime = try room.respond("S1", card, ["code": "4821", "location": here])
        #expect(onTime["ok"] == true && onTime["data"]?["late"] == false, "\(onTime)")
        try room.expectError("S1", card, ["code": "4821", "location": here], "already_responded")
        _ = try room.waitForStats(card, responded: 1)

        // Past endsAt, within the late window: accepted, marked late.
        try room.waitForServerClock(past: endsAt)
        let late = try room.respond(
            "S2",
            card,
            ["code": "4821", "location": ["latitude": 39.999, "longitude": 116.3262]]
        )
        #expect(late["ok"] == true && late["data"]?["late"] == true, "\(late)")
        let theirs = try room["S2"].request(["type": "card.get", "card": .int(card)])["data"]?["myResponse"]
        #expect(theirs?["late"] == true && theirs?["distance"]?.doubleValue.map { $0 > 0 && $0 < 100 } == true)
        // Past the late window: closed.
        try room.waitForServerClock(past: lateUntil)
        try room.expectError("S3", card, ["code": "4821", "location": here], "card_closed")

        let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])["data"]
        #expect(
            stats
                == [
                    "card": .int(card), "type": "checkin", "anonymous": false, "recipients": 4, "responded": 2,
                    "respondents": ["S1"], "late": ["S2"], "missing": ["S3", "S4"], "results": [:],
                ]
        )
        let csv = try room.export(card, format: "csv")
        let lines = csv.text.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.first == "学号/工号,姓名,是否提交,提交时间(北京时间),迟到,距离(米)")
        // 学号/工号, 姓名, 是否提交, 提交时间, 迟到, 距离(米): S1 on time, S2 late, both within the radius.
        let rows = Dictionary(
            lines.dropFirst().map { $0.components(separatedBy: ",") }.filter { $0.count == 6 }.map { ($0[0], $0) },
            uniquingKeysWith: { first, _ in first }
        )
        #expect(rows["S1"]?[2] == "是" && rows["S1"]?[4] == "否" && Double(rows["S1"]?[5] ?? "").map { $0 < 100 } == true)
        #expect(rows["S2"]?[2] == "是" && rows["S2"]?[4] == "是" && Double(rows["S2"]?[5] ?? "").map { $0 < 100 } == true)
        #expect(rows["S3"] == ["S3", "学生3", "否", "", "否", ""])
        // The code stays out of the export.
        let json = try JSONParser.parse(try room.export(card, format: "json").body)
        #expect(json["summary"]?["definition"]?["code"] == nil && json["summary"]?["late"] == ["S2"])

        // A check-in that has not started yet.
        let later = try room.publish(
            [
                "type": "checkin", "title": "下周点名", "startsAt": .int(now + 600_000), "endsAt": .int(now + 1_200_000),
            ],
            clientMsgID: "checkin-2"
        )
        try room.expectError(
            "S1",
            later,
            [:],
            "not_open_yet",
            message: "The check-in opens at \(now + 600_000) (ms since 1970)."
        )
        try room.expectNoStatsPushesToMembers()
    }

    // MARK: Deadlines

    @Test func answersAfterTheDeadlineAreRefused() throws {
        let room = try Classroom()
        let now = try room.serverNow()
        let deadline = now + 2_500
        let notice = try room.publish(
            ["type": "notice", "title": "确认返校时间", "mustConfirm": true, "deadline": .int(deadline)],
            clientMsgID: "late-1"
        )
        let survey = try room.publish(
            [
                "type": "questionnaire", "title": "返校交通方式", "deadline": .int(deadline),
                "questions": [["kind": "single", "title": "交通方式", "options": ["火车", "飞机", "汽车"]]],
            ],
            clientMsgID: "late-2"
        )
        let vote = try room.publish(
            ["type": "vote", "title": "返校后第一次班会", "options": ["周一", "周二"], "deadline": .int(deadline)],
            clientMsgID: "late-3"
        )
        // A deadline in the past is refused at publishing.
        let past = try room.counselor.request([
            "type": "card.publish", "group": .int(room.group), "clientMsgId": "late-4",
            "card": ["type": "vote", "title": "过期", "options": ["a", "b"], "deadline": .int(now - 60_000)],
        ])
        #expect(past.errorCode == "invalid_request")

        #expect(try room.respond("S1", notice, [:])["ok"] == true)
        #expect(try room.respond("S1", survey, ["answers": [0]])["ok"] == true)
        #expect(try room.respond("S1", vote, ["choices": [1]])["ok"] == true)
        try room.waitForServerClock(past: deadline)
        let late: [(Int64, JSONObject)] = [(notice, [:]), (survey, ["answers": [1]]), (vote, ["choices": [0]])]
        for (card, response) in late {
            try room.expectError("S2", card, response, "card_closed", message: "The card no longer accepts responses.")
            let state = try room["S2"].request(["type": "card.get", "card": .int(card)])["data"]
            #expect(state?["open"] == false && state?["closedAt"] == nil && state?["myResponse"] == JSONValue.null)
            let stats = try room.counselor.request(["type": "card.stats", "card": .int(card)])["data"]
            #expect(stats?["respondents"] == ["S1"] && stats?["responded"] == 1)
        }
        // Closing a card past its deadline records the end in the group.
        #expect(try room.counselor.request(["type": "card.close", "card": .int(vote)]).isOK)
        let closed = try room.waitForPush(room["S2"], "card_closed message") {
            $0["message"]?["body"]?["event"] == "card_closed"
        }
        #expect(closed["message"]?["body"]?["card"] == .int(vote))
    }
}

/// The sample class group on real WebSockets: the counselor T1 (an admin of the group), the students S1–S4, and
/// S5, a student outside the class. Every connection has synced, so the class group is live on each.
final class Classroom {
    let server: HubTestServer
    let group: Int64
    let counselor: HubClient
    let clients: [String: HubClient]
    static let students = ["S1", "S2", "S3", "S4"]
    /// Everyone the directory knows of the sample, with their names.
    static let people = ["T1": "李老师", "A1": "管理员", "S5": "外班", "S1": "学生1", "S2": "学生2", "S3": "学生3", "S4": "学生4"]

    init() throws {
        server = try HubTestServer()
        group = server.group("class:se2301")
        counselor = try server.connect("T1", roles: ["counselor"])
        var clients = ["T1": counselor]
        for user in Self.students + ["S5"] { clients[user] = try server.connect(user) }
        self.clients = clients
        for client in clients.values { #expect(try client.request(["type": "sync"]).isOK) }
    }

    /// Drops the connections first, so that the server's graceful shutdown does not wait for their close frames.
    deinit {
        for client in clients.values { client.disconnect() }
        server.shutdown()
    }

    subscript(user: String) -> HubClient { clients[user]! }

    /// The members' connections: the counselor and the four students.
    var members: [HubClient] { [counselor] + Self.students.map { self[$0] } }

    /// The server's clock (ms since 1970), from a ping.
    func serverNow() throws -> Int64 {
        try #require(try counselor.request(["type": "ping"])["data"]?["ts"]?.int64Value)
    }

    /// Waits until the server's clock is past `time`, asking it (ping) every few milliseconds.
    func waitForServerClock(past time: Int64) throws {
        while true {
            let now = try serverNow()
            if now > time { return }
            // Pacing between pings only: the condition is the server's answer.
            usleep(UInt32(min(20, time - now + 1)) * 1000)
        }
    }

    /// Publishes a card as the counselor in the class group; returns its id.
    func publish(_ card: JSONObject, clientMsgID: String) throws -> Int64 {
        let reply = try counselor.request([
            "type": "card.publish", "group": .int(group), "clientMsgId": .string(clientMsgID), "card": .object(card),
        ])
        #expect(reply.isOK, "\(reply)")
        return try #require(reply["data"]?["card"]?.int64Value)
    }

    func respond(_ user: String, _ card: Int64, _ response: JSONObject) throws -> JSONValue {
        try self[user].request(["type": "card.respond", "card": .int(card), "response": .object(response)])
    }

    func expectError(
        _ user: String,
        _ card: Int64,
        _ response: JSONObject,
        _ code: String,
        message: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let reply = try respond(user, card, response)
        #expect(
            reply.errorCode == code,
            "\(user) answered \(JSONValue.object(response)): \(reply)",
            sourceLocation: sourceLocation
        )
        if let message {
            #expect(reply["error"]?["message"]?.stringValue == message, "\(reply)", sourceLocation: sourceLocation)
        }
    }

    /// The next pushed frame on `client` that matches (already received, or read now).
    func waitForPush(_ client: HubClient, _ what: String, _ matches: (JSONValue) -> Bool) throws -> JSONValue {
        if let index = client.pushes.firstIndex(where: matches) { return client.pushes.remove(at: index) }
        while let frame = try client.nextFrame() {
            if matches(frame) { return frame }
            client.pushes.append(frame)
        }
        throw CardsTestFailure(description: "no \(what) arrived")
    }

    func waitForCardMessage(_ card: Int64, on client: HubClient) throws -> JSONValue {
        try waitForPush(client, "card message for card \(card)") {
            $0["type"] == "message" && $0["message"]?["kind"] == "card" && $0["message"]?["body"]?["card"] == .int(card)
        }
    }

    /// The counselor's coalesced `card.stats` push once `responded` have answered.
    func waitForStats(_ card: Int64, responded: Int) throws -> JSONValue {
        try waitForPush(counselor, "card.stats push with \(responded) responses") {
            $0["type"] == "card.stats" && $0["card"] == .int(card) && $0["responded"] == .int(Int64(responded))
        }
    }

    /// Plain members and the outsider never get statistics. A ping's reply comes after everything the hub sent the
    /// connection before it, so their buffers are complete.
    func expectNoStatsPushesToMembers(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for user in Self.students + ["S5"] {
            _ = try self[user].request(["type": "ping"])
            let stats = self[user].pushes.filter { $0["type"] == "card.stats" }
            #expect(stats.isEmpty, "\(user) got \(stats)", sourceLocation: sourceLocation)
        }
        let outsider = self["S5"].pushes.filter {
            $0["message"]?["group"] == .int(group) && $0["message"]?["kind"] == "card"
        }
        #expect(outsider.isEmpty, "the outsider got card messages: \(outsider)", sourceLocation: sourceLocation)
    }

    /// The user ids and names of the sample in `value` (strings equal to one, or, in a text, containing one).
    func identities(in value: JSONValue) -> Set<String> {
        switch value {
        case .string(let text):
            return Set(
                Self.people.flatMap { [$0.key, $0.value] }.filter {
                    text == $0 || (text.count > 8 && text.contains($0))
                }
            )
        case .array(let items): return items.reduce(into: []) { $0.formUnion(identities(in: $1)) }
        case .object(let object):
            return object.pairs.reduce(into: []) { found, pair in
                found.formUnion(identities(in: pair.value))
                found.formUnion(identities(in: .string(pair.key)))
            }
        default: return []
        }
    }

    /// `GET /v1/cards/{card}/export` as the counselor.
    func export(_ card: Int64, format: String) throws -> HTTPTestClient.Response {
        let client = try HTTPTestClient(port: server.port)
        return try #require(
            try client.request(
                "GET",
                "/v1/cards/\(card)/export?format=\(format)",
                headers: ["Authorization: Bearer \(server.token("T1", roles: ["counselor"]))"]
            )
        )
    }
}

struct CardsTestFailure: Error, CustomStringConvertible {
    let description: String
}
