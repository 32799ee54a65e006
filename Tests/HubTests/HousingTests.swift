import JSON
import Synchronization
import Testing

@testable import Hub

/// Off-campus housing registration (校外住宿登记) through `Hub.housing`, on the memory store.
@Suite struct HousingTests {
    static func harness() -> (HubHarness, consent: String) {
        let h = HubHarness()
        let consent = "consent-S1"
        h.hub.queue.sync {
            h.hub.objects[consent] = ObjectRecord(
                id: consent,
                sha256: String(repeating: "0", count: 64),
                size: 10,
                mime: "application/pdf",
                name: "监护人同意书.pdf",
                owner: "S1",
                createdAt: h.now
            )
        }
        return (h, consent)
    }

    static func body(_ h: HubHarness, consent: String, days: Int64 = 30) -> JSONValue {
        let today = Venue.day(of: h.now)
        return [
            "address": "海淀区学院路1号", "district": "海淀区", "reason": "internship",
            "from": .string(Venue.date(ofDay: today)), "until": .string(Venue.date(ofDay: today + days)),
            "emergencyContact": ["name": "张父", "phone": "13900000000"], "consent": .string(consent),
        ]
    }

    @Test func counselorsApproveOrReturnAndOnlyTheyAndTheStudentSeeIt() {
        let (h, consent) = Self.harness()
        let id = h.house(.register(Self.body(h, consent: consent)), as: "S1").json!["id"]!.int64Value!
        #expect(h.house(.register(Self.body(h, consent: consent)), as: "S1").error?.code == .invalidRequest)
        #expect(h.house(.get(id), as: "S2").error?.code == .requestNotFound)
        #expect(h.house(.get(id), as: "T2").error?.code == .requestNotFound)  // another class's counselor
        #expect(h.house(.get(id), as: "T1").json?["address"] == "海淀区学院路1号")
        #expect(h.house(.act(id, action: "return", [:], ifMatch: nil), as: "T1").error?.code == .commentRequired)
        #expect(h.house(.act(id, action: "return", ["comment": "同意书未签字"], ifMatch: nil), as: "T1").isSuccess)
        let resubmitted = h.house(
            .act(id, action: "resubmit", ["district": "朝阳区", "comment": "已补签"], ifMatch: nil),
            as: "S1"
        ).json!
        #expect(resubmitted["district"] == "朝阳区")
        #expect(resubmitted["state"] == "submitted")
        #expect(h.house(.act(id, action: "approve", [:], ifMatch: nil), as: "S1").error?.code == .forbidden)
        #expect(h.house(.act(id, action: "approve", [:], ifMatch: nil), as: "T1").json?["state"] == "approved")
        let stats = h.house(.stats, as: "T1").table!
        #expect(stats.summary["offCampus"] == 1)
        #expect(stats.rows.first?[2] == "se2301")
        #expect(stats.rows.first?[5] == "朝阳区")
        #expect(h.house(.stats, as: "S1").error?.code == .forbidden)
        #expect(h.house(.stats, as: "T2").table?.summary["offCampus"] == 0)
    }

    @Test func badInputIsRefused() {
        let (h, consent) = Self.harness()
        var body = Self.body(h, consent: consent)
        body = .object(JSONObject((body.objectValue?.pairs ?? []).filter { $0.key != "consent" }))
        #expect(h.house(.register(body), as: "S1").error?.code == .invalidRequest)
        #expect(h.house(.register(Self.body(h, consent: "someone-elses")), as: "S1").error?.code == .objectNotFound)
        #expect(h.house(.register(Self.body(h, consent: consent, days: -3)), as: "S1").error?.code == .invalidRequest)
        #expect(h.house(.register(Self.body(h, consent: consent)), as: "T1").error?.code == .forbidden)
    }

    @Test func expiryIsAnnouncedAWeekAheadAndHappensAcrossARestart() {
        let (h, consent) = Self.harness()
        let id = h.house(.register(Self.body(h, consent: consent, days: 10)), as: "S1").json!["id"]!.int64Value!
        _ = h.house(.act(id, action: "approve", [:], ifMatch: nil), as: "T1")
        h.hub = h.makeHub()
        let student = h.connect("S1")
        _ = h.request(student, ["type": "sync"])
        _ = h.output.take(student)
        h.advance(seconds: 4 * 86_400 + 3600)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(student).filter { $0["message"]?["kind"] == "app" }.count == 1)
        h.advance(seconds: 8 * 86_400)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.house(.get(id), as: "S1").json?["state"] == "expired")
        #expect(h.house(.get(id), as: "S1").json?["actions"] == ["renew", "end"])
        #expect(h.store.pendingJobs.isEmpty)
    }
}

extension HubHarness {
    func house(_ request: HousingRequest, as user: UserID) -> Result<RESTResponse, HubError> {
        let result = Mutex<Result<RESTResponse, HubError>?>(nil)
        let roles: Set<SchoolRole> = hub.queue.sync { Set(hub.users[user]?.roles ?? []) }
        hub.queue.sync {
            hub.housing(request, caller: .user(user, roles: roles)) { outcome in result.withLock { $0 = outcome } }
        }
        for _ in 0..<100 {
            settle()
            if let outcome = result.withLock({ $0 }) { return outcome }
        }
        fatalError("housing request did not complete")
    }
}
