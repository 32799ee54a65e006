/// The community services' workflows (issue: one workflow module, five services).
extension Workflow {
    /// Venue booking (社区场地预约): automatic approval is the system's `approve`.
    public static let booking = Workflow(
        name: "booking",
        initial: "pending",
        terminal: ["rejected", "cancelled", "completed"],
        transitions: [
            Transition("approve", from: ["pending"], to: "approved", by: [.handler, .admin, .system]),
            Transition("reject", from: ["pending"], to: "rejected", by: [.handler, .admin], needsComment: true),
            Transition("cancel", from: ["pending", "approved"], to: "cancelled", by: [.applicant, .admin]),
            // A manager may withdraw an approval (the hall is needed for an exam), saying why.
            Transition("revoke", from: ["approved"], to: "cancelled", by: [.handler, .admin], needsComment: true),
            Transition("complete", from: ["approved"], to: "completed", by: [.system]),
        ]
    )

    /// Off-campus housing registration (校外住宿登记): the class counselor approves or returns it for changes.
    public static let housing = Workflow(
        name: "housing",
        initial: "submitted",
        terminal: ["withdrawn", "ended"],
        transitions: [
            Transition("approve", from: ["submitted"], to: "approved", by: [.handler, .admin]),
            Transition("return", from: ["submitted"], to: "returned", by: [.handler, .admin], needsComment: true),
            Transition("resubmit", from: ["returned"], to: "submitted", by: [.applicant]),
            Transition("withdraw", from: ["submitted", "returned"], to: "withdrawn", by: [.applicant]),
            Transition("expire", from: ["approved"], to: "expired", by: [.system]),
            // Renewal asks again for a new period; ending (moving back on campus) closes it.
            Transition("renew", from: ["approved", "expired"], to: "submitted", by: [.applicant]),
            Transition("end", from: ["approved", "expired"], to: "ended", by: [.applicant, .handler, .admin]),
        ]
    )

    /// The suggestion box's closed loop (接诉即办): report → dispatch → reply within the deadline → rating; an
    /// unsatisfied rating reopens it; an overdue item escalates to the supervisor without changing its state.
    public static let suggestion = Workflow(
        name: "suggestion",
        initial: "submitted",
        terminal: ["closed", "withdrawn"],
        transitions: [
            Transition(
                "dispatch",
                from: ["submitted", "reopened"],
                to: "assigned",
                by: [.dispatcher, .admin, .system],
                deadline: .set
            ),
            Transition(
                "reassign",
                from: ["assigned"],
                to: "assigned",
                by: [.dispatcher, .supervisor, .admin],
                deadline: .set
            ),
            Transition(
                "reply",
                from: ["assigned"],
                to: "replied",
                by: [.handler, .supervisor, .admin],
                needsComment: true,
                deadline: .clear
            ),
            Transition("escalate", from: ["assigned"], to: nil, by: [.system]),
            Transition("satisfied", from: ["replied"], to: "closed", by: [.applicant]),
            Transition("unsatisfied", from: ["replied"], to: "reopened", by: [.applicant]),
            // Nobody rated it within the rating period.
            Transition("autoclose", from: ["replied"], to: "closed", by: [.system]),
            Transition(
                "withdraw",
                from: ["submitted", "assigned", "reopened"],
                to: "withdrawn",
                by: [.applicant],
                deadline: .clear
            ),
        ]
    )

    /// Item borrowing (社区物资借用).
    public static let borrowing = Workflow(
        name: "borrowing",
        initial: "requested",
        terminal: ["rejected", "cancelled", "returned"],
        transitions: [
            Transition("approve", from: ["requested"], to: "approved", by: [.handler, .admin], deadline: .set),
            Transition("reject", from: ["requested"], to: "rejected", by: [.handler, .admin], needsComment: true),
            Transition(
                "cancel",
                from: ["requested", "approved"],
                to: "cancelled",
                by: [.applicant, .handler, .admin],
                deadline: .clear
            ),
            Transition("pickup", from: ["approved"], to: "borrowed", by: [.handler, .admin], deadline: .set),
            Transition("overdue", from: ["borrowed"], to: "overdue", by: [.system]),
            Transition(
                "return",
                from: ["borrowed", "overdue"],
                to: "returned",
                by: [.handler, .admin],
                deadline: .clear
            ),
        ]
    )

    public static let all: [Workflow] = [booking, housing, suggestion, borrowing]
}
