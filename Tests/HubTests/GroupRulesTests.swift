import JSON
import Testing

@testable import Hub

@Suite struct GroupRulesTests {
    @Test func directoryMembershipsAreManagedByTheDirectory() {
        let h = HubHarness()
        let group = JSONValue.int(h.group("class:se2301").rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        let student = h.connect("S1")
        let admin = h.connect("A1", roles: [.admin])
        #expect(
            h.request(counselor, ["type": "group.removeMembers", "group": group, "users": ["S1"]]).errorCode
                == "directory_managed"
        )
        #expect(h.request(student, ["type": "group.leave", "group": group]).errorCode == "directory_managed")
        #expect(
            h.request(admin, ["type": "group.transferOwner", "group": group, "user": "S1"]).errorCode
                == "directory_managed"
        )
        #expect(h.request(counselor, ["type": "group.dissolve", "group": group]).errorCode == "forbidden")
        #expect(h.request(admin, ["type": "group.dissolve", "group": group]).isOK)
    }

    @Test func aMuteEndsByItselfWithASystemMessage() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let g = JSONValue.int(group.rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        let student = h.connect("S1")
        let until = h.now + 60_000
        #expect(
            h.request(counselor, ["type": "group.muteMember", "group": g, "user": "S1", "until": .int(until)]).isOK
        )
        let send: JSONObject = ["type": "send", "group": g, "clientMsgId": "m", "kind": "text", "body": ["text": "x"]]
        #expect(h.request(student, send).errorCode == "muted")
        h.advance(seconds: 61)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let notice = h.store.messages(of: group).last
        #expect(notice?.message.kind == .system)
        let noticeText = String(decoding: notice?.message.body ?? [], as: UTF8.self)
        #expect(noticeText.contains("\"expired\":true"))
        #expect(h.request(student, send).isOK)
    }

    @Test func aMuteSurvivesARestartAndStillExpires() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let g = JSONValue.int(group.rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        #expect(
            h.request(counselor, ["type": "group.muteMember", "group": g, "user": "S1", "until": .int(h.now + 60_000)])
                .isOK
        )
        h.hub = h.makeHub()
        let student = h.connect("S1")
        let send: JSONObject = ["type": "send", "group": g, "clientMsgId": "m", "kind": "text", "body": ["text": "x"]]
        #expect(h.request(student, send).errorCode == "muted")
        h.advance(seconds: 61)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.request(student, send).isOK)
    }

    @Test func invalidRequestsAreRefusedWithTheirField() {
        let h = HubHarness()
        let g = JSONValue.int(h.group("class:se2301").rawValue)
        let student = h.connect("S1")
        let cases: [(JSONObject, String)] = [
            (
                ["type": "send", "group": g, "clientMsgId": "a", "kind": "text", "body": ["text": ""]],
                "invalid_request"
            ),
            (
                ["type": "send", "group": g, "clientMsgId": "a", "kind": "system", "body": ["event": "x"]],
                "invalid_request"
            ),
            (
                ["type": "send", "group": g, "clientMsgId": "a", "kind": "text", "body": ["text": "x", "extra": 1]],
                "invalid_request"
            ),
            (["type": "send", "group": g, "kind": "text", "body": ["text": "x"]], "invalid_request"),
            (
                ["type": "send", "group": 99_999, "clientMsgId": "a", "kind": "text", "body": ["text": "x"]],
                "group_not_found"
            ),
            (["type": "fly"], "unknown_command"),
            (["type": "read", "group": g], "invalid_request"),
        ]
        for (command, code) in cases {
            #expect(h.request(student, command).errorCode == code, "\(command)")
        }
        #expect(h.store.messages(of: h.group("class:se2301")).allSatisfy { $0.message.kind == .system })
    }

    @Test func mentionsMustBeMembers() {
        let h = HubHarness()
        let g = JSONValue.int(h.group("class:se2301").rawValue)
        let student = h.connect("S1")
        let reply = h.request(
            student,
            [
                "type": "send", "group": g, "clientMsgId": "a", "kind": "text", "body": ["text": "@赵六"],
                "mentions": ["S4"],
            ]
        )
        #expect(reply.errorCode == "invalid_request")
        #expect(
            h.request(
                student,
                [
                    "type": "send", "group": g, "clientMsgId": "b", "kind": "text", "body": ["text": "@李四"],
                    "mentions": ["S2"],
                ]
            ).isOK
        )
    }

    @Test func officeGroupsAreCreatedByStaffNotStudents() {
        let h = HubHarness()
        let student = h.connect("S1")
        #expect(h.request(student, ["type": "group.create", "name": "学习小组"]).errorCode == "forbidden")
        let teacher = h.connect("P1", roles: [.teacher])
        let reply = h.request(teacher, ["type": "group.create", "name": "  教研室  ", "members": ["T1", "NOBODY"]])
        #expect(reply.errorCode == "user_not_found")
        let ok = h.request(teacher, ["type": "group.create", "name": "  教研室  ", "members": ["T1"]])
        let id = GroupID(ok.data!["group"]!.int64Value!)
        #expect(h.hub.queue.sync { h.hub.groups[id]!.record.name } == "教研室")
    }
}
