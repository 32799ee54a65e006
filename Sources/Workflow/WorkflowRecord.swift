/// One step of a request's history: who did what, when, from which state to which, and what they said.
public struct WorkflowStep: Sendable, Equatable {
    public var seq: Int
    public var at: Int64
    /// A user id, or nil for the system.
    public var actor: String?
    public var party: Party
    public var action: String
    public var from: String
    public var to: String
    public var comment: String?
    /// Uploaded objects (photos, a consent form).
    public var attachments: [String]

    public init(
        seq: Int,
        at: Int64,
        actor: String?,
        party: Party,
        action: String,
        from: String,
        to: String,
        comment: String?,
        attachments: [String]
    ) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.party = party
        self.action = action
        self.from = from
        self.to = to
        self.comment = comment
        self.attachments = attachments
    }
}

/// The workflow part of a request: its state, version, deadline and history. Services keep their own fields next
/// to it (a booking's slot, a suggestion's category).
public struct WorkflowRecord: Sendable, Equatable {
    public var state: String
    /// Bumped by every step: the REST layer's ETag.
    public var version: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
    /// When the current stage must be done (a reply, a pickup, a return); nil when nothing is due.
    public var dueAt: Int64?
    public var history: [WorkflowStep]

    /// A new request in the workflow's initial state; its first step is the applicant's `submit`.
    public init(
        _ workflow: Workflow,
        by actor: String,
        at now: Int64,
        comment: String? = nil,
        attachments: [String] = []
    ) {
        state = workflow.initial
        version = 1
        createdAt = now
        updatedAt = now
        history = [
            WorkflowStep(
                seq: 1,
                at: now,
                actor: actor,
                party: .applicant,
                action: "submit",
                from: "",
                to: workflow.initial,
                comment: comment,
                attachments: attachments
            )
        ]
    }

    /// Whether its deadline has passed.
    public func isOverdue(at now: Int64) -> Bool {
        dueAt.map { now > $0 } ?? false
    }

    /// Performs `action` as one of `parties` (the first that may act is recorded) if the workflow allows it and the
    /// caller saw the current version. `deadline` is the new due time when the transition sets one.
    @discardableResult
    public mutating func perform(
        _ action: String,
        in workflow: Workflow,
        by actor: String?,
        as parties: Set<Party>,
        at now: Int64,
        comment: String? = nil,
        attachments: [String] = [],
        deadline: Int64? = nil,
        ifVersion expected: Int64? = nil
    ) throws(WorkflowRefusal) -> WorkflowStep {
        if let expected, expected != version { throw .versionMismatch(expected: expected, actual: version) }
        let transition = try workflow.transition(action, from: state, as: parties, comment: comment)
        let party = parties.sorted().first { transition.parties.contains($0) }!
        let step = WorkflowStep(
            seq: (history.last?.seq ?? 0) + 1,
            at: now,
            actor: actor,
            party: party,
            action: action,
            from: state,
            to: transition.to ?? state,
            comment: comment,
            attachments: attachments
        )
        state = step.to
        version += 1
        updatedAt = now
        switch transition.deadline {
        case .keep: break
        case .set: dueAt = deadline
        case .clear: dueAt = nil
        }
        history.append(step)
        return step
    }
}
