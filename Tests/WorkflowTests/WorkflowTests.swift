import Testing

@testable import Workflow

@Suite struct WorkflowTests {
    @Test(arguments: Workflow.all.map(\.name))
    func everyServiceWorkflowIsSound(_ name: String) throws {
        let workflow = try #require(Workflow.all.first { $0.name == name })
        #expect(workflow.problems.isEmpty, "\(workflow.problems)")
        #expect(!workflow.terminal.contains(workflow.initial))
    }

    @Test func aSuggestionGoesAroundTheClosedLoop() throws {
        let flow = Workflow.suggestion
        var record = WorkflowRecord(flow, by: "S1", at: 1_000, comment: "宿舍热水不稳定", attachments: ["obj1"])
        #expect(record.state == "submitted")
        #expect(record.history.count == 1)
        try record.perform("dispatch", in: flow, by: nil, as: [.system], at: 2_000, deadline: 50_000)
        #expect(record.state == "assigned")
        #expect(record.dueAt == 50_000)
        #expect(!record.isOverdue(at: 50_000))
        #expect(record.isOverdue(at: 50_001))
        // Escalation records a step without moving the request.
        try record.perform("escalate", in: flow, by: nil, as: [.system], at: 60_000)
        #expect(record.state == "assigned")
        #expect(record.history.last?.action == "escalate")
        try record.perform("reply", in: flow, by: "H1", as: [.handler], at: 70_000, comment: "已更换热水器")
        #expect(record.state == "replied")
        #expect(record.dueAt == nil)
        try record.perform("unsatisfied", in: flow, by: "S1", as: [.applicant], at: 80_000, comment: "还是不热")
        #expect(record.state == "reopened")
        try record.perform("dispatch", in: flow, by: "D1", as: [.dispatcher], at: 81_000, deadline: 90_000)
        try record.perform("reply", in: flow, by: "H1", as: [.handler], at: 85_000, comment: "已修好")
        try record.perform("satisfied", in: flow, by: "S1", as: [.applicant], at: 86_000)
        #expect(record.state == "closed")
        #expect(record.version == 8)
        #expect(record.history.map(\.seq) == Array(1...8))
        #expect(
            record.history.map(\.to) == [
                "submitted", "assigned", "assigned", "replied", "reopened", "assigned", "replied", "closed",
            ]
        )
        #expect(flow.actions(from: "closed", as: [.admin, .applicant, .system]).isEmpty)
    }

    @Test func refusalsSayWhyAndChangeNothing() throws {
        let flow = Workflow.borrowing
        var record = WorkflowRecord(flow, by: "S1", at: 0)
        let before = record
        #expect(throws: WorkflowRefusal.notPermitted("approve", needs: [.admin, .handler])) {
            try record.perform("approve", in: flow, by: "S1", as: [.applicant], at: 1)
        }
        #expect(throws: WorkflowRefusal.commentRequired("reject")) {
            try record.perform("reject", in: flow, by: "M1", as: [.handler], at: 1, comment: "  ")
        }
        #expect(throws: WorkflowRefusal.notFromState("return", state: "requested", allowed: ["borrowed", "overdue"])) {
            try record.perform("return", in: flow, by: "M1", as: [.handler], at: 1)
        }
        #expect(throws: WorkflowRefusal.self) {
            try record.perform("steal", in: flow, by: "M1", as: [.handler], at: 1)
        }
        #expect(throws: WorkflowRefusal.versionMismatch(expected: 7, actual: 1)) {
            try record.perform("approve", in: flow, by: "M1", as: [.handler], at: 1, ifVersion: 7)
        }
        #expect(record == before)
        let step = try record.perform("approve", in: flow, by: "M1", as: [.handler], at: 5, deadline: 100, ifVersion: 1)
        #expect(step.party == .handler)
        #expect(step.from == "requested" && step.to == "approved")
        #expect(record.dueAt == 100)
        #expect(WorkflowRefusal.notFromState("a", state: "b", allowed: ["c"]).code == "invalid_transition")
    }

    @Test func actionsOfferedMatchWhatIsAllowed() {
        let flow = Workflow.booking
        #expect(flow.actions(from: "pending", as: [.applicant]) == ["cancel"])
        #expect(Set(flow.actions(from: "pending", as: [.handler])) == ["approve", "reject"])
        #expect(Set(flow.actions(from: "approved", as: [.handler])) == ["revoke"])
        for state in flow.states {
            for party in [Party.applicant, .handler, .admin, .system] {
                for action in flow.actions(from: state, as: [party]) {
                    var record = WorkflowRecord(flow, by: "S1", at: 0)
                    record.state = state
                    #expect(
                        (try? record.perform(action, in: flow, by: "X", as: [party], at: 1, comment: "因为")) != nil,
                        "\(party) \(action) from \(state)"
                    )
                }
            }
        }
    }

    @Test func housingRenewalAndReturnForChanges() throws {
        let flow = Workflow.housing
        var record = WorkflowRecord(flow, by: "S1", at: 0, attachments: ["consent"])
        #expect(throws: WorkflowRefusal.commentRequired("return")) {
            try record.perform("return", in: flow, by: "T1", as: [.handler], at: 1)
        }
        try record.perform("return", in: flow, by: "T1", as: [.handler], at: 1, comment: "缺少监护人同意书")
        try record.perform("resubmit", in: flow, by: "S1", as: [.applicant], at: 2, attachments: ["consent2"])
        try record.perform("approve", in: flow, by: "T1", as: [.handler], at: 3)
        try record.perform("expire", in: flow, by: nil, as: [.system], at: 4)
        try record.perform("renew", in: flow, by: "S1", as: [.applicant], at: 5)
        #expect(record.state == "submitted")
        #expect(record.history.last?.actor == "S1")
        #expect(record.history[2].attachments == ["consent2"])
    }
}
