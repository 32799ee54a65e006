import JSON
import Synchronization
import Testing

@testable import Hub

/// Privileged actions and reads leave audit entries, written with the change (or before the read is served).
@Suite struct AuditTests {
    @Test func roleChangesAreAuditedWithTheChange() {
        let h = HubHarness()
        let owner = h.connect("T1", roles: [.counselor])
        let created = h.request(owner, ["type": "group.create", "name": "办公群", "members": ["T2", "S1"]])
        let group = created.data!["group"]!.int64Value!
        #expect(h.request(owner, ["type": "group.setAdmin", "group": .int(group), "user": "T2", "admin": true]).isOK)
        #expect(h.request(owner, ["type": "group.transferOwner", "group": .int(group), "user": "T2"]).isOK)
        let entries = h.store.auditLog.filter { $0.target == "group:\(group)" }
        #expect(entries.map(\.action) == [.adminSet, .ownerTransferred])
        #expect(entries.allSatisfy { $0.actor == "T1" })
        let detail = try? JSONParser.parse(entries[1].detail)
        #expect(detail?["from"] == "T1" && detail?["to"] == "T2")
        // A refused change leaves nothing.
        let student = h.connect("S1")
        #expect(
            h.request(student, ["type": "group.setAdmin", "group": .int(group), "user": "S1", "admin": true]).isOK
                == false
        )
        #expect(h.store.auditLog.filter { $0.target == "group:\(group)" }.count == 2)
    }

    @Test func anExportIsServedOnlyOnceItsEntryIsDurable() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let counselor = h.connect("T1", roles: [.counselor])
        let published = h.request(
            counselor,
            [
                "type": "card.publish", "group": .int(group.rawValue), "clientMsgId": "v1",
                "card": ["type": "vote", "title": "班会时间", "options": ["周一", "周三"]],
            ]
        )
        let card = published.data!["card"]!.int64Value!
        let before = h.store.auditLog.count

        h.store.failNextCommits = 1
        let failed = Mutex<Result<TableExport, HubError>?>(nil)
        h.hub.queue.sync {
            h.hub.exportCard(card, user: "T1", roles: [.counselor]) { result in failed.withLock { $0 = result } }
        }
        h.settle()
        #expect(failed.withLock { (try? $0?.get()) == nil })
        #expect(h.store.auditLog.count == before)

        let served = Mutex<Result<TableExport, HubError>?>(nil)
        h.hub.queue.sync {
            h.hub.exportCard(card, user: "T1", roles: [.counselor]) { result in served.withLock { $0 = result } }
        }
        h.settle()
        #expect(served.withLock { (try? $0?.get())?.rows.isEmpty == false })
        #expect(h.store.auditLog.last?.action == .cardExport)
        #expect(h.store.auditLog.last?.target == "card:\(card)")
    }
}
