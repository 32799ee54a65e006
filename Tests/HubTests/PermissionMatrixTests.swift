import Foundation
import JSON
import Testing

@testable import Hub

/// Replays every cell of Protocol/permissions.json against the hub.
@Suite struct PermissionMatrixTests {
    struct Cell: Sendable, CustomTestStringConvertible {
        let action: String
        let actor: String
        let state: String
        let expected: String
        var testDescription: String { "\(action) by \(actor) when \(state) → \(expected)" }
    }

    static let matrix: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/permissions.json")
        return try! JSONParser.parse(Array(try! Data(contentsOf: url)))
    }()

    /// The expected outcome of each cell, derived from the document's rule: actor first, then state.
    static let cells: [Cell] = {
        var cells: [Cell] = []
        let actions = matrix["actions"]!.objectValue!
        let states = matrix["states"]!.arrayValue!.compactMap(\.stringValue)
        for (action, row) in actions {
            let blockedBy = row["blockedBy"]!.arrayValue!.compactMap(\.stringValue)
            for actor in ["owner", "admin", "member", "outsider", "schoolAdmin"] {
                let base = row[actor]!.stringValue!
                guard base != "n/a" else { continue }
                for state in states {
                    var expected = base
                    if base == "ok", blockedBy.contains(state) {
                        switch state {
                        case "dissolved": expected = "group_dissolved"
                        case "frozen": expected = "group_frozen"
                        case "muteAll": expected = actor == "member" ? "group_muted" : "ok"
                        case "muted": expected = (actor == "member" || actor == "admin") ? "muted" : "ok"
                        default: break
                        }
                    }
                    cells.append(Cell(action: action, actor: actor, state: state, expected: expected))
                }
            }
        }
        return cells
    }()

    @Test func matrixCoversEveryActionActorAndState() {
        #expect(Self.cells.count > 500)
    }

    @Test(arguments: cells)
    func cell(_ cell: Cell) {
        let h = HubHarness()
        let owner = h.connect("T1", roles: [.counselor])
        let admin = h.connect("T2", roles: [.counselor])
        let member = h.connect("S1")
        let target = h.connect("S2")
        let outsider = h.connect("S4")
        let schoolAdmin = h.connect("A1", roles: [.admin, .staff])
        let created = h.request(owner, ["type": "group.create", "name": "办公群", "members": ["T2", "S1", "S2"]])
        let group = created.data!["group"]!.int64Value!
        let g = JSONValue.int(group)
        #expect(h.request(owner, ["type": "group.setAdmin", "group": g, "user": "T2", "admin": true]).isOK)
        var own: [String: Int64] = [:]
        for (user, session) in [("T1", owner), ("T2", admin), ("S1", member), ("S2", target)] {
            own[user] = h.request(
                session,
                [
                    "type": "send", "group": g, "clientMsgId": .string("setup-\(user)"), "kind": "text",
                    "body": ["text": "hi"],
                ]
            ).data!["seq"]!.int64Value!
        }
        let sessions = [
            "owner": owner, "admin": admin, "member": member, "outsider": outsider, "schoolAdmin": schoolAdmin,
        ]
        let users = ["owner": "T1", "admin": "T2", "member": "S1", "outsider": "S4", "schoolAdmin": "A1"]
        let actor = sessions[cell.actor]!
        let until = JSONValue.int(h.now + 3_600_000)

        switch cell.state {
        case "dissolved": #expect(h.request(owner, ["type": "group.dissolve", "group": g]).isOK)
        case "frozen": #expect(h.request(owner, ["type": "group.freeze", "group": g, "frozen": true]).isOK)
        case "muteAll": #expect(h.request(owner, ["type": "group.muteAll", "group": g, "muted": true]).isOK)
        case "muted":
            if cell.actor == "member" || cell.actor == "admin" {
                let user = JSONValue.string(users[cell.actor]!)
                #expect(h.request(owner, ["type": "group.muteMember", "group": g, "user": user, "until": until]).isOK)
            }
        default: break
        }

        let ownSeq = JSONValue.int(own[users[cell.actor]!] ?? own["S2"]!)
        let otherSeq = JSONValue.int(own["S2"]!)
        let command: JSONObject
        switch cell.action {
        case "send": command = ["type": "send", "group": g, "clientMsgId": "t", "kind": "text", "body": ["text": "x"]]
        case "sendMentionAll":
            command = [
                "type": "send", "group": g, "clientMsgId": "t", "kind": "text", "body": ["text": "x"],
                "mentionAll": true,
            ]
        case "recallOwn": command = ["type": "recall", "group": g, "seq": ownSeq]
        case "recallOther": command = ["type": "recall", "group": g, "seq": otherSeq]
        case "read": command = ["type": "read", "group": g, "seq": otherSeq]
        case "history": command = ["type": "history", "group": g]
        case "info": command = ["type": "group.info", "group": g]
        case "receiptsOwn": command = ["type": "receipts", "group": g, "seq": ownSeq]
        case "receiptsOther": command = ["type": "receipts", "group": g, "seq": otherSeq]
        case "rename": command = ["type": "group.rename", "group": g, "name": "新名字"]
        case "addMembers": command = ["type": "group.addMembers", "group": g, "users": ["S3"]]
        case "removeMember": command = ["type": "group.removeMembers", "group": g, "users": ["S2"]]
        case "removeAdmin": command = ["type": "group.removeMembers", "group": g, "users": ["T2"]]
        case "leave": command = ["type": "group.leave", "group": g]
        case "setAdmin": command = ["type": "group.setAdmin", "group": g, "user": "S2", "admin": true]
        case "transferOwner": command = ["type": "group.transferOwner", "group": g, "user": "S2"]
        case "muteAll": command = ["type": "group.muteAll", "group": g, "muted": true]
        case "muteMember": command = ["type": "group.muteMember", "group": g, "user": "S2", "until": until]
        case "unmuteMember": command = ["type": "group.unmuteMember", "group": g, "user": "S2"]
        case "freeze": command = ["type": "group.freeze", "group": g, "frozen": true]
        case "unfreeze": command = ["type": "group.freeze", "group": g, "frozen": false]
        case "dissolve": command = ["type": "group.dissolve", "group": g]
        default:
            Issue.record("unknown action \(cell.action)")
            return
        }
        let before = h.store.committedBatches.count
        let reply = h.request(actor, command)
        let outcome = reply.isOK ? "ok" : (reply.errorCode ?? "no reply")
        #expect(outcome == cell.expected, "\(reply)")
        if cell.expected != "ok" {
            // A refused command stores nothing.
            #expect(h.store.committedBatches.count == before)
        }
    }
}
