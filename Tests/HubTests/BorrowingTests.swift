import JSON
import Synchronization
import Testing

@testable import Hub

/// Item borrowing (社区物资借用) through `Hub.borrowing`, on the memory store (which checks stock like SQLite).
@Suite struct BorrowingTests {
    static func harness() -> HubHarness {
        var directory = Directory.sample
        directory.users.append(UserRecord(id: "M1", name: "物资管理员", roles: [.staff]))
        let h = HubHarness(directory: directory)
        let created = h.borrow(
            .createItem([
                "id": "umbrella", "name": "雨伞", "stock": 3, "managers": ["M1"], "place": "学生社区服务站",
                "maxPerRequest": 2, "maxDays": 3,
            ]),
            as: "A1"
        )
        #expect(created.json?["available"] == 3, "\(created)")
        return h
    }

    func request(_ h: HubHarness, quantity: Int64 = 1, as user: UserID = "S1") -> Result<RESTResponse, HubError> {
        h.borrow(
            .submit([
                "item": "umbrella", "quantity": .int(quantity), "from": .int(h.now + 3_600_000),
                "until": .int(h.now + 2 * 86_400_000), "purpose": "下雨",
            ]),
            as: user
        )
    }

    @Test func stockIsHeldFromRequestToReturnAndNeverOversold() {
        let h = Self.harness()
        let first = request(h, quantity: 2).json!["id"]!.int64Value!
        #expect(request(h, quantity: 2, as: "S2").error?.code == .insufficientStock)
        let second = request(h, quantity: 1, as: "S2").json!["id"]!.int64Value!
        #expect(request(h, quantity: 1, as: "S3").error?.code == .insufficientStock)
        #expect(h.borrow(.items, as: "S1").json?["items"]?[0]?["available"] == 0)
        // A refusal gives the quantity back; so does a return.
        #expect(h.borrow(.act(second, action: "reject", [:], ifMatch: nil), as: "M1").error?.code == .commentRequired)
        #expect(h.borrow(.act(second, action: "reject", ["comment": "库存维修中"], ifMatch: nil), as: "M1").isSuccess)
        #expect(h.borrow(.items, as: "S1").json?["items"]?[0]?["available"] == 1)
        #expect(h.borrow(.act(first, action: "approve", [:], ifMatch: nil), as: "S1").error?.code == .forbidden)
        #expect(h.borrow(.act(first, action: "approve", ["comment": "明早8点后领取"], ifMatch: nil), as: "M1").isSuccess)
        #expect(h.borrow(.act(first, action: "return", [:], ifMatch: nil), as: "M1").error?.code == .invalidTransition)
        #expect(h.borrow(.act(first, action: "pickup", [:], ifMatch: nil), as: "M1").isSuccess)
        #expect(h.borrow(.items, as: "S1").json?["items"]?[0]?["available"] == 1)
        // The stock cannot be cut below what is lent.
        #expect(
            h.borrow(.updateItem("umbrella", ["stock": 1], ifMatch: nil), as: "A1").error?.code == .insufficientStock
        )
        #expect(h.borrow(.act(first, action: "return", [:], ifMatch: nil), as: "M1").json?["state"] == "returned")
        #expect(h.borrow(.items, as: "S1").json?["items"]?[0]?["available"] == 3)
        // Other students and strangers see nothing.
        #expect(h.borrow(.get(first), as: "S2").error?.code == .requestNotFound)
        #expect(
            h.borrow(.list(state: nil, before: nil, limit: 20), as: "S2").json?["borrowings"]?.arrayValue?.count == 1
        )
    }

    @Test func badRequestsAreRefusedAndChangeNothing() {
        let h = Self.harness()
        for body: JSONValue in [
            ["item": "umbrella", "quantity": 1, "from": .int(h.now - 86_400_000), "until": .int(h.now)],
            ["item": "umbrella", "quantity": 1, "from": .int(h.now + 1000), "until": .int(h.now + 500)],
            ["item": "umbrella", "quantity": 1, "from": .int(h.now + 1000), "until": .int(h.now + 10 * 86_400_000)],
            ["item": "umbrella", "quantity": 3, "from": .int(h.now + 1000), "until": .int(h.now + 86_400_000)],
            ["item": "umbrella", "quantity": 0, "from": .int(h.now + 1000), "until": .int(h.now + 86_400_000)],
            ["item": "tent", "quantity": 1, "from": .int(h.now + 1000), "until": .int(h.now + 86_400_000)],
            ["item": "umbrella", "quantity": "1", "from": .int(h.now + 1000), "until": .int(h.now + 86_400_000)],
        ] {
            #expect(!h.borrow(.submit(body), as: "S1").isSuccess, "\(body)")
        }
        #expect(h.borrow(.items, as: "S1").json?["items"]?[0]?["available"] == 3)
        #expect(
            h.borrow(.createItem(["id": "tent", "name": "帐篷", "stock": 1, "managers": ["M1"]]), as: "M1").error?.code
                == .forbidden
        )
    }

    @Test func overdueLoansRemindEveryDayAcrossARestart() {
        let h = Self.harness()
        let id = request(h).json!["id"]!.int64Value!
        _ = h.borrow(.act(id, action: "approve", [:], ifMatch: nil), as: "M1")
        _ = h.borrow(.act(id, action: "pickup", [:], ifMatch: nil), as: "M1")
        let student = h.connect("S1")
        _ = h.request(student, ["type": "sync"])
        _ = h.output.take(student)
        h.hub = h.makeHub()
        let again = h.connect("S1")
        _ = h.request(again, ["type": "sync"])
        _ = h.output.take(again)
        h.advance(seconds: 2 * 86_400 + 1)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.borrow(.get(id), as: "S1").json?["state"] == "overdue")
        #expect(h.output.take(again).filter { $0["message"]?["kind"] == "app" }.count == 1)
        h.advance(seconds: 86_401)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(again).filter { $0["message"]?["kind"] == "app" }.count == 1)
        #expect(h.borrow(.act(id, action: "return", [:], ifMatch: nil), as: "M1").isSuccess)
        #expect(h.output.take(again).filter { $0["message"]?["body"]?["title"] == "已归还，谢谢" }.count == 1)
        h.advance(seconds: 86_401)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        let late = h.output.take(again).filter { $0["message"]?["kind"] == "app" }
        #expect(late.isEmpty)
        #expect(h.store.pendingJobs.isEmpty)
    }
}

extension HubHarness {
    func borrow(_ request: BorrowingRequest, as user: UserID) -> Result<RESTResponse, HubError> {
        let result = Mutex<Result<RESTResponse, HubError>?>(nil)
        let roles: Set<SchoolRole> = hub.queue.sync { Set(hub.users[user]?.roles ?? []) }
        hub.queue.sync {
            hub.borrowing(request, caller: .user(user, roles: roles)) { outcome in result.withLock { $0 = outcome } }
        }
        for _ in 0..<100 {
            settle()
            if let outcome = result.withLock({ $0 }) { return outcome }
        }
        fatalError("borrowing request did not complete")
    }
}
