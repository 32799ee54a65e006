import JSON
import Testing

@testable import Hub

/// The group's state applies to the group services as to `send`: mutes to what posts (cards, tasks, library
/// files), freeze and dissolve to every write.
@Suite struct ServiceStateTests {
    func register(_ h: HubHarness, _ id: String, owner: UserID) {
        let object = ObjectRecord(
            id: id,
            sha256: String(repeating: "b", count: 64),
            size: 10,
            mime: "application/pdf",
            name: "名单.pdf",
            owner: owner,
            createdAt: h.now
        )
        h.hub.queue.sync { h.hub.registerObject(object) { _ in } }
        h.settle()
    }

    func card(_ h: HubHarness, _ session: Session, id: String) -> JSONValue {
        h.request(
            session,
            [
                "type": "card.publish", "group": .int(h.group("class:se2301").rawValue), "clientMsgId": .string(id),
                "card": ["type": "notice", "title": "通知"],
            ]
        )
    }

    func file(_ h: HubHarness, _ session: Session, _ object: String) -> JSONValue {
        h.request(
            session,
            ["type": "file.add", "group": .int(h.group("class:se2301").rawValue), "object": .string(object)]
        )
    }

    @Test func mutesApplyToCardsTasksAndLibraryFiles() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let g = JSONValue.int(group.rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        let student = h.connect("S1")
        register(h, "s1doc", owner: "S1")
        register(h, "t1doc", owner: "T1")
        #expect(h.request(counselor, ["type": "group.settings", "group": g, "allowMemberCards": true]).isOK)
        #expect(
            h.request(
                counselor,
                ["type": "group.muteMember", "group": g, "user": "S1", "until": .int(h.now + 3_600_000)]
            )
            .isOK
        )
        let messages = h.store.messages(of: group).count
        #expect(card(h, student, id: "a").errorCode == "muted")
        #expect(file(h, student, "s1doc").errorCode == "muted")
        #expect(h.request(counselor, ["type": "group.unmuteMember", "group": g, "user": "S1"]).isOK)
        #expect(h.request(counselor, ["type": "group.muteAll", "group": g, "muted": true]).isOK)
        #expect(card(h, student, id: "b").errorCode == "group_muted")
        #expect(file(h, student, "s1doc").errorCode == "group_muted")
        #expect(h.store.messages(of: group).count == messages + 2)  // the unmute and mute-all notices only
        #expect(h.hub.queue.sync { h.hub.cards.isEmpty && h.hub.groupFiles.isEmpty })
        // Owners and admins post through mute-all, as with send…
        #expect(card(h, counselor, id: "c").isOK)
        #expect(file(h, counselor, "t1doc").isOK)
        // …but not when muted themselves (a school admin may mute a class's counselor).
        let admin = h.connect("A1", roles: [.admin])
        #expect(
            h.request(admin, ["type": "group.muteMember", "group": g, "user": "T1", "until": .int(h.now + 60_000)]).isOK
        )
        #expect(card(h, counselor, id: "d").errorCode == "muted")
        let task: JSONObject = ["type": "task.publish", "group": g, "clientMsgId": "e", "task": ["title": "体检"]]
        #expect(h.request(counselor, task).errorCode == "muted")
        // A retry of what was published before the mute still gets its original.
        #expect(card(h, counselor, id: "c").data?["duplicate"] == true)
        // School admins are not members: never muted.
        #expect(h.request(admin, task).isOK)
    }

    @Test func frozenAndDissolvedGroupsAcceptNoServiceWrites() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let g = JSONValue.int(group.rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        let notice = h.request(
            counselor,
            [
                "type": "card.publish", "group": g, "clientMsgId": "n",
                "card": ["type": "notice", "title": "x", "mustConfirm": true],
            ]
        ).data!["card"]!
        let task = h.request(
            counselor,
            ["type": "task.publish", "group": g, "clientMsgId": "t", "task": ["title": "x"]]
        )
        .data!["task"]!
        #expect(h.request(s1, ["type": "task.complete", "task": task]).isOK)
        #expect(h.request(counselor, ["type": "group.freeze", "group": g, "frozen": true]).isOK)
        let messages = h.store.messages(of: group).count
        #expect(h.request(s2, ["type": "card.respond", "card": notice, "response": [:]]).errorCode == "group_frozen")
        #expect(h.request(counselor, ["type": "card.close", "card": notice]).errorCode == "group_frozen")
        #expect(h.request(s2, ["type": "task.complete", "task": task]).errorCode == "group_frozen")
        #expect(h.request(s1, ["type": "task.undo", "task": task]).errorCode == "group_frozen")
        #expect(h.request(counselor, ["type": "task.remind", "task": task]).errorCode == "group_frozen")
        #expect(
            h.request(counselor, ["type": "task.excuse", "task": task, "user": "S3", "excused": true]).errorCode
                == "group_frozen"
        )
        #expect(h.store.messages(of: group).count == messages)
        #expect(h.hub.queue.sync { h.hub.groupID(forExternalKey: "inbox:S2") } == nil)  // no reminder went out
        #expect(h.request(counselor, ["type": "group.freeze", "group": g, "frozen": false]).isOK)
        #expect(h.request(s2, ["type": "card.respond", "card": notice, "response": [:]]).isOK)
        let admin = h.connect("A1", roles: [.admin])
        #expect(h.request(admin, ["type": "group.dissolve", "group": g]).isOK)
        #expect(
            h.request(s1, ["type": "card.respond", "card": notice, "response": [:]]).errorCode == "group_dissolved"
        )
        #expect(h.request(counselor, ["type": "card.close", "card": notice]).errorCode == "group_dissolved")
        #expect(h.request(counselor, ["type": "task.remind", "task": task]).errorCode == "group_dissolved")
        #expect(h.hub.queue.sync { h.hub.cards[1]?.closedAt == nil })
    }

    @Test func automaticRemindersDueWhileFrozenAreDropped() {
        let h = HubHarness()
        let g = JSONValue.int(h.group("class:se2301").rawValue)
        let counselor = h.connect("T1", roles: [.counselor])
        let task: JSONValue = ["title": "缴费", "deadline": .int(h.now + 7_200_000), "reminders": [3600]]
        #expect(h.request(counselor, ["type": "task.publish", "group": g, "clientMsgId": "t", "task": task]).isOK)
        #expect(h.request(counselor, ["type": "group.freeze", "group": g, "frozen": true]).isOK)
        h.advance(seconds: 3601)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.store.pendingJobs.isEmpty)
        #expect(h.hub.queue.sync { h.hub.groupID(forExternalKey: "inbox:S1") } == nil)
    }
}
