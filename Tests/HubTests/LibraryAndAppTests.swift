import JSON
import Synchronization
import Testing

@testable import Hub

@Suite struct LibraryAndAppTests {
    func register(_ h: HubHarness, _ id: String, owner: UserID) {
        let object = ObjectRecord(
            id: id,
            sha256: String(repeating: "a", count: 64),
            size: 10,
            mime: "application/pdf",
            name: "课表.pdf",
            owner: owner,
            createdAt: h.now
        )
        h.hub.queue.sync { h.hub.registerObject(object) { _ in } }
        h.settle()
    }

    @Test func libraryFilesAndDownloadRights() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let g = JSONValue.int(group.rawValue)
        register(h, "obj1", owner: "S1")
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        // Not shared yet: only the owner may download.
        #expect(h.hub.queue.sync { h.hub.downloadableObject("obj1", user: "S2", roles: []) } == nil)
        // A refused name takes no file id.
        #expect(
            h.request(s1, ["type": "file.add", "group": g, "object": "obj1", "name": "a/b"]).errorCode
                == "invalid_request"
        )
        let added = h.request(s1, ["type": "file.add", "group": g, "object": "obj1"])
        #expect(added.isOK)
        let file = added.data!["file"]!.int64Value!
        #expect(file == 1)
        #expect(h.hub.queue.sync { h.hub.downloadableObject("obj1", user: "S2", roles: []) } != nil)
        #expect(h.hub.queue.sync { h.hub.downloadableObject("obj1", user: "S4", roles: []) } == nil)
        #expect(h.request(s2, ["type": "file.list", "group": g]).data?["files"]?[0]?["name"] == "课表.pdf")
        #expect(h.request(s2, ["type": "file.rename", "file": .int(file), "name": "x"]).errorCode == "forbidden")
        #expect(
            h.request(s1, ["type": "file.rename", "file": .int(file), "name": "../../新课表.pdf"]).errorCode
                == "invalid_request"
        )
        #expect(h.request(s1, ["type": "file.rename", "file": .int(file), "name": "新课表.pdf"]).isOK)
        let counselor = h.connect("T1", roles: [.counselor])
        #expect(h.request(counselor, ["type": "file.delete", "file": .int(file)]).isOK)
        #expect(h.request(s2, ["type": "file.list", "group": g]).data?["files"] == [])
        // Deleting withdrew the object from the group, in memory and in the store.
        #expect(h.hub.queue.sync { h.hub.downloadableObject("obj1", user: "S2", roles: []) } == nil)
        #expect(try! h.store.loadSnapshot(recentPerGroup: 0).shares.isEmpty)
        let events = h.store.messages(of: group).compactMap {
            try? JSONParser.parse($0.message.body)["event"]?.stringValue
        }
        #expect(events.suffix(3) == ["file_added", "file_renamed", "file_deleted"])
        // Someone else's unshared object cannot be posted.
        register(h, "obj2", owner: "S3")
        #expect(
            h.request(
                s1,
                ["type": "send", "group": g, "clientMsgId": "i", "kind": "image", "body": ["object": "obj2"]]
            ).errorCode == "object_not_found"
        )
    }

    @Test func deletingALibraryFileKeepsWhatTheGroupStillShows() {
        let h = HubHarness()
        let g = JSONValue.int(h.group("class:se2301").rawValue)
        register(h, "obj1", owner: "S1")
        register(h, "obj2", owner: "S1")
        let s1 = h.connect("S1")
        let downloadable = { (object: String) in
            h.hub.queue.sync { h.hub.downloadableObject(object, user: "S2", roles: []) } != nil
        }
        // obj1 is in a message and in the library; obj2 in two library files.
        let body: JSONValue = ["object": "obj1", "name": "课表.pdf"]
        #expect(h.request(s1, ["type": "send", "group": g, "clientMsgId": "f", "kind": "file", "body": body]).isOK)
        let first = h.request(s1, ["type": "file.add", "group": g, "object": "obj1"]).data!["file"]!
        let second = h.request(s1, ["type": "file.add", "group": g, "object": "obj2"]).data!["file"]!
        let third = h.request(s1, ["type": "file.add", "group": g, "object": "obj2", "name": "副本.pdf"]).data!["file"]!
        #expect(h.request(s1, ["type": "file.delete", "file": first]).isOK)
        #expect(h.request(s1, ["type": "file.delete", "file": second]).isOK)
        #expect(downloadable("obj1") && downloadable("obj2"))
        // When the store fails, the share stays as it was.
        h.store.failNextCommits = 1
        #expect(h.request(s1, ["type": "file.delete", "file": third]).errorCode == "storage_unavailable")
        #expect(downloadable("obj2"))
        #expect(h.request(s1, ["type": "file.delete", "file": third]).isOK)
        #expect(!downloadable("obj2"))
        // Recalling the message withdraws obj1 now that nothing else shows it.
        let seq = h.store.messages(of: h.group("class:se2301")).first { $0.message.kind == .file }!.seq
        #expect(h.request(s1, ["type": "recall", "group": g, "seq": .int(seq)]).isOK)
        #expect(!downloadable("obj1"))
    }

    @Test func appMessageBodiesAreCheckedFieldByField() throws {
        func decode(_ body: String) -> Result<AppMessageRequest, JSONFieldError> {
            Result { () throws(JSONFieldError) in try AppMessageRequest.decode(Array(body.utf8)) }
        }
        let good = try decode(
            #"{"to":{"classes":["se2301"]},"title":"成绩","fields":[{"label":"学期","value":"2025-1"}],"externalId":"g1"}"#
        ).get()
        #expect(good.message.fields == [AppMessage.Field(label: "学期", value: "2025-1")])
        #expect(good.classes == ["se2301"])
        #expect(good.externalID == "g1")
        for (body, code, field) in [
            (#"{"to":{"users":["S1"]},"title":"x","fields":{"学期":"2025-1"}}"#, "invalid_type", "fields"),
            (#"{"to":{"users":["S1"]},"title":"x","fields":"学期"}"#, "invalid_type", "fields"),
            (
                #"{"to":{"users":["S1"]},"title":"x","fields":[{"label":"a","value":"b","url":"c"}]}"#, "unknown_field",
                "fields[0].url"
            ),
            (#"{"to":{},"title":"x"}"#, "missing_field", "to"),
            (#"{"to":{"users":["S1"]},"title":"x","link":"ftp://x"}"#, "out_of_range", "link"),
            (#"{"to":{"users":["S1"]},"title":"x","extra":1}"#, "unknown_field", "extra"),
        ] {
            guard case .failure(let error) = decode(body) else {
                Issue.record("accepted \(body)")
                continue
            }
            #expect(error.code == code, "\(body)")
            #expect(error.field == field, "\(body)")
        }
        // Null is no value, as everywhere.
        #expect(try decode(#"{"to":{"users":["S1"]},"title":"x","fields":null}"#).get().message.fields.isEmpty)
    }

    @Test func fileMessagesCarryTheStoredTypeAndCanBeForwardedByThoseWhoMayRead() {
        let h = HubHarness()
        let group = JSONValue.int(h.group("class:se2301").rawValue)
        register(h, "obj1", owner: "S1")
        let s1 = h.connect("S1")
        let s2 = h.connect("S2")
        _ = h.request(s2, ["type": "sync"])
        let claimed: JSONValue = ["object": "obj1", "name": "课表.pdf", "size": 999, "mime": "image/png"]
        #expect(
            h.request(s1, ["type": "send", "group": group, "clientMsgId": "f", "kind": "file", "body": claimed]).isOK
        )
        let pushed = h.output.take(s2).first { $0["message"]?["kind"] == "file" }
        #expect(pushed?["message"]?["body"]?["size"] == 10)
        #expect(pushed?["message"]?["body"]?["mime"] == "application/pdf")
        // S2 received it, so may forward it to another group of theirs; S4 never saw it.
        let teacher = h.connect("P1", roles: [.teacher])
        let office = h.request(teacher, ["type": "group.create", "name": "助教群", "members": ["S2", "S4"]]).data![
            "group"
        ]!
        let forward: JSONObject = [
            "type": "send", "group": office, "clientMsgId": "fw", "kind": "file", "body": claimed,
        ]
        #expect(h.request(s2, forward).isOK)
        let s4 = h.connect("S4")
        var other = forward
        other["group"] = .int(h.group("course:DS").rawValue)
        other["clientMsgId"] = "x"
        register(h, "obj3", owner: "S3")
        other["body"] = ["object": "obj3", "name": "x.pdf", "size": 1]
        #expect(h.request(s4, other).errorCode == "object_not_found")
    }

    @Test func appMessagesReachInboxesAndGroupsOnce() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let s1 = h.connect("S1")
        _ = h.request(s1, ["type": "sync"])
        let message = AppMessage(
            title: "成绩已发布",
            summary: "2026 秋季学期",
            link: "https://jw.example.edu.cn",
            fields: [.init(label: "课程", value: "数据结构")]
        )
        let result = Mutex<Result<AppMessageReport, HubError>?>(nil)
        for _ in 0..<2 {
            h.hub.queue.sync {
                h.hub.postAppMessage(
                    message,
                    service: "jwc",
                    users: ["S1", "S2"],
                    groups: [group],
                    externalID: "grade-1"
                ) { outcome in
                    result.withLock { $0 = outcome }
                }
            }
            h.settle()
        }
        let report = try? result.withLock { try $0!.get() }
        #expect(report == AppMessageReport(delivered: 0, duplicates: 3))
        let pushes = h.output.take(s1).filter { $0["message"]?["kind"] == "app" }
        #expect(pushes.count == 2)  // the class group and S1's inbox, once each
        #expect(pushes.first?["message"]?["sender"] == "app:jwc")
    }
}
