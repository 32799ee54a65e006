import JSON
import Synchronization
import Testing

@testable import Hub

/// The suggestion box's closed loop (接诉即办) through `Hub.suggestions`, on the memory store.
@Suite struct SuggestionTests {
    /// Logistics (后勤处) handles dorms and canteens with handler H1 and supervisor SUP; D1 dispatches; network
    /// items wait for dispatch.
    static func harness() -> HubHarness {
        var directory = Directory.sample
        directory.users += [
            UserRecord(id: "H1", name: "后勤办事员", roles: [.staff]),
            UserRecord(id: "H2", name: "网络中心", roles: [.staff]),
            UserRecord(id: "SUP", name: "后勤处长", roles: [.staff]),
            UserRecord(id: "D1", name: "接诉即办中心", roles: [.staff]),
        ]
        let h = HubHarness(directory: directory)
        let settings = h.suggest(
            .updateSettings(
                [
                    "dispatchers": ["D1"],
                    "departments": [
                        "logistics": ["name": "后勤处", "handlers": ["H1"], "supervisors": ["SUP"]],
                        "itc": ["name": "网络信息中心", "handlers": ["H2"]],
                    ],
                    "categories": [
                        "dorm": ["department": "logistics", "deadlineHours": 48],
                        "canteen": ["department": "logistics", "deadlineHours": 24],
                    ],
                ],
                ifMatch: nil
            ),
            as: "A1"
        )
        #expect(settings.isSuccess, "\(settings)")
        return h
    }

    static func submit(
        _ h: HubHarness,
        _ category: String = "dorm",
        anonymous: Bool = false,
        as user: UserID = "S1"
    )
        -> Int64
    {
        h.suggest(
            .submit(["category": .string(category), "text": "宿舍热水时有时无", "anonymous": .bool(anonymous)]),
            as: user
        ).json!["id"]!.int64Value!
    }

    @Test func theLoopWithAnOverdueEscalationAndAReopen() {
        let h = Self.harness()
        let supervisor = h.connect("SUP", roles: [.staff])
        _ = h.request(supervisor, ["type": "sync"])
        let id = Self.submit(h)
        var item = h.suggest(.get(id), as: "H1").json!
        #expect(item["state"] == "assigned")
        #expect(item["department"] == "logistics")
        #expect(item["dueAt"]?.int64Value == h.now + 48 * 3_600_000)
        #expect(item["actions"] == ["reply"])
        // 48 hours pass without a reply: the supervisor is told, once, even across a restart.
        h.hub = h.makeHub()
        h.advance(seconds: 48 * 3600 + 1)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        item = h.suggest(.get(id), as: "SUP").json!
        #expect(item["escalated"] == true)
        #expect(item["overdue"] == true)
        #expect(item["history"]?.arrayValue?.filter { $0["action"] == "escalate" }.count == 1)
        let stats = h.suggest(.stats, as: "D1").table!
        #expect(stats.summary["overdue"] == 1)
        // The reply, an unsatisfied rating that reopens it to the same department, a second reply, satisfaction.
        #expect(h.suggest(.act(id, action: "reply", [:], ifMatch: nil), as: "H1").error?.code == .commentRequired)
        let version = item["version"]!.int64Value!
        #expect(
            h.suggest(.act(id, action: "reply", ["comment": "已修"], ifMatch: version + 1), as: "H1").error?.code
                == .versionMismatch
        )
        #expect(h.suggest(.act(id, action: "reply", ["comment": "已更换热水器"], ifMatch: version), as: "H1").isSuccess)
        #expect(h.suggest(.act(id, action: "satisfied", [:], ifMatch: nil), as: "S2").error?.code == .requestNotFound)
        item = h.suggest(.act(id, action: "unsatisfied", ["comment": "还是不热"], ifMatch: nil), as: "S1").json!
        #expect(item["state"] == "assigned")
        #expect(item["escalated"] == false)
        #expect(h.suggest(.act(id, action: "reply", ["comment": "已检修管道"], ifMatch: nil), as: "H1").isSuccess)
        item = h.suggest(.act(id, action: "satisfied", [:], ifMatch: nil), as: "S1").json!
        #expect(item["state"] == "closed")
        #expect(item["actions"] == [])
        let final = h.suggest(.stats, as: "A1").table!
        #expect(final.summary["reopened"] == 1)
        #expect(final.summary["satisfied"] == 1)
        #expect(final.summary["onTime"] == 0)
        #expect(final.rows.first?[0] == "dorm")
        #expect(h.suggest(.stats, as: "S1").error?.code == .forbidden)
    }

    @Test func anonymousSubmittersNeverReachHandlers() {
        let h = Self.harness()
        let handler = h.connect("H1", roles: [.staff])
        _ = h.request(handler, ["type": "sync"])
        let id = Self.submit(h, anonymous: true)
        for viewer in ["H1", "SUP", "D1"] {
            let view = h.suggest(.get(id), as: viewer).json!
            #expect(view["submitter"] == .null, "\(viewer)")
            #expect(!view.jsonString.contains("S1"), "\(viewer): \(view)")
            let list = h.suggest(.list(state: nil, category: nil, before: nil, limit: 20), as: viewer).json!
            #expect(!list.jsonString.contains("S1"), "\(viewer)")
        }
        // The handler's notice names nothing of the submitter.
        let notices = h.output.take(handler).filter { $0["message"]?["kind"] == "app" }
        #expect(notices.count == 1)
        #expect(!notices.description.contains("S1"))
        #expect(!h.suggest(.stats, as: "D1").table!.rows.description.contains("S1"))
        // The submitter sees themselves; other students see nothing.
        #expect(h.suggest(.get(id), as: "S1").json?["submitter"] == "S1")
        #expect(h.suggest(.get(id), as: "S2").error?.code == .requestNotFound)
        #expect(
            h.suggest(.list(state: nil, category: nil, before: nil, limit: 20), as: "S2").json?["suggestions"] == []
        )
        // Only a school admin reveals, and it is audited first.
        #expect(h.suggest(.reveal(id), as: "D1").error?.code == .forbidden)
        #expect(h.suggest(.reveal(id), as: "H1").error?.code == .forbidden)
        #expect(h.suggest(.reveal(id), as: "A1").json?["submitter"] == "S1")
        #expect(h.store.auditLog.last?.action == .suggestionReveal)
        #expect(h.store.auditLog.last?.target == "suggestion:\(id)")
    }

    @Test func unroutedItemsWaitForDispatchAndRefusalsChangeNothing() {
        let h = Self.harness()
        let id = Self.submit(h, "network")
        var item = h.suggest(.get(id), as: "D1").json!
        #expect(item["state"] == "submitted")
        #expect(h.suggest(.get(id), as: "H2").error?.code == .requestNotFound)
        #expect(h.suggest(.act(id, action: "dispatch", [:], ifMatch: nil), as: "D1").error?.code == .invalidRequest)
        #expect(
            h.suggest(.act(id, action: "dispatch", ["department": "itc"], ifMatch: nil), as: "S1").error?.code
                == .forbidden
        )
        #expect(
            h.suggest(.act(id, action: "dispatch", ["department": "nope"], ifMatch: nil), as: "D1").error?.code
                == .invalidRequest
        )
        #expect(
            h.suggest(.act(id, action: "reply", ["comment": "x"], ifMatch: nil), as: "D1").error?.code
                == .invalidTransition
        )
        #expect(h.suggest(.act(id, action: "escalate", [:], ifMatch: nil), as: "A1").error?.code == .invalidRequest)
        #expect(h.suggest(.get(id), as: "D1").json == item)
        item = h.suggest(.act(id, action: "dispatch", ["department": "itc"], ifMatch: nil), as: "D1").json!
        #expect(item["state"] == "assigned")
        #expect(h.suggest(.get(id), as: "H2").json?["actions"] == ["reply"])
        #expect(h.suggest(.submit(["category": "weather", "text": "x"]), as: "S1").error?.code == .invalidRequest)
        #expect(h.suggest(.submit(["category": "dorm", "text": ""]), as: "S1").error?.code == .invalidRequest)
        #expect(
            h.suggest(.submit(["category": "dorm", "text": "x", "extra": 1]), as: "S1").error?.code == .invalidRequest
        )
        #expect(h.suggest(.updateSettings(["dispatchers": ["D1"]], ifMatch: nil), as: "D1").error?.code == .forbidden)
        #expect(
            h.suggest(.updateSettings(["categories": ["dorm": ["department": "ghost"]]], ifMatch: nil), as: "A1").error?
                .code == .invalidRequest
        )
    }

    @Test func aSecondReplyGetsItsOwnRatingPeriod() {
        let h = Self.harness()
        let id = Self.submit(h, "canteen")
        _ = h.suggest(.act(id, action: "reply", ["comment": "第一次答复"], ifMatch: nil), as: "H1")
        h.advance(seconds: 86_400)
        _ = h.suggest(.act(id, action: "unsatisfied", ["comment": "没解决"], ifMatch: nil), as: "S1")
        h.advance(seconds: 5 * 86_400)
        _ = h.suggest(.act(id, action: "reply", ["comment": "第二次答复"], ifMatch: nil), as: "H1")
        // The first reply's seven days end now; the second reply still has six.
        h.advance(seconds: 86_401)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.suggest(.get(id), as: "S1").json?["state"] == "replied")
        h.advance(seconds: 6 * 86_400)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.suggest(.get(id), as: "S1").json?["state"] == "closed")
    }

    @Test func unratedRepliesCloseByThemselves() {
        let h = Self.harness()
        let id = Self.submit(h, "canteen")
        _ = h.suggest(.act(id, action: "reply", ["comment": "已整改"], ifMatch: nil), as: "H1")
        h.advance(seconds: 7 * 86_400 + 1)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let item = h.suggest(.get(id), as: "S1").json!
        #expect(item["state"] == "closed")
        #expect(item["rating"] == .null)
        #expect(h.store.pendingJobs.filter { $0.kind.hasPrefix("community.") }.isEmpty)
    }
}

extension HubHarness {
    func suggest(_ request: SuggestionRequest, as user: UserID) -> Result<RESTResponse, HubError> {
        let result = Mutex<Result<RESTResponse, HubError>?>(nil)
        let roles: Set<SchoolRole> = hub.queue.sync { Set(hub.users[user]?.roles ?? []) }
        hub.queue.sync {
            hub.suggestions(request, caller: .user(user, roles: roles)) { outcome in result.withLock { $0 = outcome } }
        }
        for _ in 0..<100 {
            settle()
            if let outcome = result.withLock({ $0 }) { return outcome }
        }
        fatalError("suggestion request did not complete")
    }
}
