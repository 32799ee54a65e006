import JSON
import Testing

@testable import Hub

@Suite struct TaskTests {
    func publish(
        _ h: HubHarness,
        _ session: Session,
        _ group: GroupID,
        _ task: JSONValue,
        id: String = "t1"
    ) -> JSONValue {
        h.request(
            session,
            ["type": "task.publish", "group": .int(group.rawValue), "clientMsgId": .string(id), "task": task]
        )
    }

    @Test func progressAndOneClickRemind() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let task = publish(h, counselor, group, ["title": "提交体检表", "deadline": .int(h.now + 86_400_000)]).data!["task"]!
            .int64Value!
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        _ = h.request(s2, ["type": "sync"])
        #expect(h.request(s1, ["type": "task.complete", "task": .int(task), "note": "已交"]).isOK)
        let progress = h.request(counselor, ["type": "task.progress", "task": .int(task)])
        #expect(progress.data?["done"] == 1)
        #expect(progress.data?["unfinished"] == ["S2", "S3"])
        _ = h.output.take(s1)
        _ = h.output.take(s2)
        let reminded = h.request(counselor, ["type": "task.remind", "task": .int(task)])
        #expect(reminded.data?["reminded"] == 2)
        // Live on the unfinished member's devices, nothing for the one who finished.
        let pushes = h.output.take(s2).filter { $0["type"] == "message" && $0["message"]?["kind"] == "reminder" }
        #expect(pushes.count == 1)
        #expect(pushes.first?["message"]?["body"]?["title"] == "提交体检表")
        #expect(!h.output.take(s1).contains { $0["message"]?["kind"] == "reminder" })
        // Stored for offline members: S3 finds it in their inbox.
        let s3 = h.connect("S3")
        let conversations = h.request(s3, ["type": "conversations"]).data!["conversations"]!.arrayValue!
        let inbox = conversations.first { $0["kind"] == "inbox" }
        #expect(inbox?["unread"] == 1)
        #expect(inbox?["last"]?["kind"] == "reminder")
        // Rate limit.
        #expect(h.request(counselor, ["type": "task.remind", "task": .int(task)]).errorCode == "rate_limited")
        h.advance(seconds: 601)
        #expect(h.request(counselor, ["type": "task.remind", "task": .int(task)]).isOK)
        // Inboxes are read-only.
        let box = GroupID(inbox!["group"]!.int64Value!)
        #expect(
            h.request(
                s3,
                [
                    "type": "send", "group": .int(box.rawValue), "clientMsgId": "x", "kind": "text",
                    "body": ["text": "hi"],
                ]
            ).errorCode == "forbidden"
        )
    }

    @Test func automaticRemindersFireOnceEvenAcrossARestart() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let deadline = h.now + 2 * 3_600_000
        let task = publish(h, counselor, group, ["title": "缴费", "deadline": .int(deadline), "reminders": [3600]]).data![
            "task"
        ]!.int64Value!
        #expect(h.store.pendingJobs.count == 1)
        h.hub = h.makeHub()  // restart before it is due
        h.advance(seconds: 3601)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.store.pendingJobs.isEmpty)
        let reminders = { (user: UserID) -> Int in
            let box = h.hub.queue.sync { h.hub.groupID(forExternalKey: "inbox:" + user) }
            return box.map { h.store.messages(of: $0).filter { $0.message.kind == .reminder }.count } ?? 0
        }
        #expect(reminders("S1") == 1)
        h.hub = h.makeHub()  // restart after: nothing is sent twice
        h.advance(seconds: 60)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(reminders("S1") == 1)
        _ = task
    }

    @Test func excusedMembersAreNotReminded() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let task = publish(h, counselor, group, ["title": "x"]).data!["task"]!.int64Value!
        #expect(h.request(counselor, ["type": "task.excuse", "task": .int(task), "user": "S1", "excused": true]).isOK)
        #expect(h.request(counselor, ["type": "task.remind", "task": .int(task)]).data?["reminded"] == 2)
        let student = h.connect("S2")
        #expect(
            h.request(student, ["type": "task.excuse", "task": .int(task), "user": "S3", "excused": true]).errorCode
                == "forbidden"
        )
        #expect(h.request(student, ["type": "task.remind", "task": .int(task)]).errorCode == "forbidden")
    }

    @Test func onlyCurrentMembersAndSchoolAdminsExcuseAndRemind() {
        let h = HubHarness()
        let teacher = h.connect("P1", roles: [.teacher])
        let office = h.request(teacher, ["type": "group.create", "name": "助教群", "members": ["T2", "S1", "S2"]]).data![
            "group"
        ]!
        #expect(h.request(teacher, ["type": "group.setAdmin", "group": office, "user": "T2", "admin": true]).isOK)
        let assistant = h.connect("T2", roles: [.counselor])
        let task = h.request(
            assistant,
            ["type": "task.publish", "group": office, "clientMsgId": "t", "task": ["title": "批改作业"]]
        ).data!["task"]!
        #expect(h.request(assistant, ["type": "group.leave", "group": office]).isOK)
        // The publisher who left is an outsider now, like anyone else who is not a member.
        for outsider in [assistant, h.connect("S4")] {
            #expect(
                h.request(outsider, ["type": "task.excuse", "task": task, "user": "S1", "excused": true]).errorCode
                    == "not_member"
            )
            #expect(h.request(outsider, ["type": "task.remind", "task": task]).errorCode == "not_member")
        }
        let admin = h.connect("A1", roles: [.admin])
        #expect(h.request(admin, ["type": "task.excuse", "task": task, "user": "S1", "excused": true]).isOK)
        #expect(h.request(admin, ["type": "task.remind", "task": task]).data?["reminded"] == 2)  // P1 and S2
    }

    @Test func statusesChangeOnlyFromWhereTheyMayChange() {
        let h = HubHarness()
        let counselor = h.connect("T1", roles: [.counselor])
        let task = JSONValue.int(
            publish(h, counselor, h.group("class:se2301"), ["title": "x"]).data!["task"]!.int64Value!
        )
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        func state(_ session: Session) -> JSONValue? {
            h.request(session, ["type": "task.get", "task": task]).data?["myStatus"]?["state"]
        }
        func excuse(_ user: String, _ excused: Bool) -> JSONValue {
            h.request(
                counselor,
                ["type": "task.excuse", "task": task, "user": .string(user), "excused": .bool(excused)]
            )
        }
        // An excuse is the watchers' to take back, not the member's.
        #expect(excuse("S1", true).isOK)
        #expect(h.request(s1, ["type": "task.undo", "task": task]).errorCode == "invalid_request")
        #expect(state(s1) == "excused")
        // Undo of nothing done changes nothing.
        #expect(h.request(s2, ["type": "task.undo", "task": task]).data?["state"] == "todo")
        // Taking back an excuse never touches a completion; excusing does not discard one.
        #expect(h.request(s2, ["type": "task.complete", "task": task, "note": "已交"]).isOK)
        #expect(excuse("S2", false).isOK)
        #expect(excuse("S2", true).errorCode == "invalid_request")
        let status = h.request(s2, ["type": "task.get", "task": task]).data?["myStatus"]
        #expect(status?["state"] == "done")
        #expect(status?["note"] == "已交")
        #expect(h.request(s2, ["type": "task.undo", "task": task]).data?["state"] == "todo")
        #expect(excuse("S1", false).isOK)
        #expect(state(s1) == "todo")
    }

    @Test func studentsCannotPublishTasks() {
        let h = HubHarness()
        let student = h.connect("S1")
        #expect(publish(h, student, h.group("class:se2301"), ["title": "x"]).errorCode == "forbidden")
    }
}
