import JSON
import Synchronization
import Testing

@testable import Hub

/// Service records (服务记录): every step of every community request, as each party may see it.
@Suite struct ServiceRecordsTests {
    @Test func studentsStaffAndAdminsSeeTheirPartOnly() {
        let h = SuggestionTests.harness()
        let anonymous = SuggestionTests.submit(h, anonymous: true)
        _ = h.suggest(.act(anonymous, action: "reply", ["comment": "已处理"], ifMatch: nil), as: "H1")
        _ = SuggestionTests.submit(h, "canteen", as: "S2")
        func page(_ user: UserID, cursor: String?, limit: Int) -> JSONValue? {
            let result = Mutex<Result<RESTResponse, HubError>?>(nil)
            h.hub.queue.sync {
                h.hub.serviceRecords(
                    caller: .user(user, roles: [.staff]),
                    service: nil,
                    since: nil,
                    until: nil,
                    cursor: cursor,
                    limit: limit
                ) { outcome in result.withLock { $0 = outcome } }
            }
            return result.withLock { $0 }?.json
        }
        func records(_ user: UserID, service: String? = nil) -> [JSONValue] {
            let result = Mutex<Result<RESTResponse, HubError>?>(nil)
            let roles: Set<SchoolRole> = h.hub.queue.sync { Set(h.hub.users[user]?.roles ?? []) }
            h.hub.queue.sync {
                h.hub.serviceRecords(
                    caller: .user(user, roles: roles),
                    service: service,
                    since: nil,
                    until: nil,
                    cursor: nil,
                    limit: 100
                ) { outcome in result.withLock { $0 = outcome } }
            }
            h.settle()
            return result.withLock { $0 }?.json?["records"]?.arrayValue ?? []
        }
        // S1: their own item's steps (submit, dispatch, reply), with their name on them.
        let mine = records("S1")
        #expect(mine.map { $0["action"]?.stringValue ?? "" } == ["reply", "dispatch", "submit"])
        #expect(mine.last?["actor"] == "S1")
        // The handler: both items, the anonymous one without its submitter anywhere.
        let handler = records("H1")
        #expect(Set(handler.compactMap { $0["request"]?.int64Value }).count == 2)
        #expect(!handler.description.contains("\"S1\""))
        #expect(handler.contains { $0["applicant"] == "S2" })
        #expect(records("S3").isEmpty)
        // One step a page: every step once, even steps of the same millisecond.
        var seen: [JSONValue] = []
        var cursor: String?
        repeat {
            let next = page("H1", cursor: cursor, limit: 1)!
            seen += next["records"]?.arrayValue ?? []
            cursor = next["nextCursor"]?.stringValue
        } while cursor != nil
        #expect(seen == handler)
        #expect(records("S1", service: "booking").isEmpty)
        // Statistics are the admins'.
        let stats = Mutex<Result<RESTResponse, HubError>?>(nil)
        h.hub.queue.sync {
            h.hub.serviceRecordStats(caller: .user("S1", roles: [.student])) { outcome in
                stats.withLock { $0 = outcome }
            }
        }
        #expect(stats.withLock { $0 }?.error?.code == .forbidden)
        h.hub.queue.sync {
            h.hub.serviceRecordStats(caller: .user("A1", roles: [.admin])) { outcome in stats.withLock { $0 = outcome }
            }
        }
        let table = stats.withLock { $0 }!.table!
        #expect(table.summary["requests"] == 2)
        #expect(table.rows.first?[0] == "suggestion")
    }
}
