/// A request's life as a state machine: its states, where it starts, where it ends, and the actions that move it,
/// each allowed from some states to some parties. Pure data: services declare one (`Workflow+Services.swift`) and
/// `WorkflowRecord` enforces it.
public struct Workflow: Sendable {
    /// One action: from which states, to which state (nil: the state stays, e.g. an escalation), by whom.
    public struct Transition: Sendable, Equatable {
        public var action: String
        public var from: Set<String>
        public var to: String?
        public var parties: Set<Party>
        /// The actor must say why (a rejection, a return for changes).
        public var needsComment: Bool
        /// What the transition does to the request's deadline.
        public var deadline: DeadlineEffect

        public init(
            _ action: String,
            from: Set<String>,
            to: String?,
            by parties: Set<Party>,
            needsComment: Bool = false,
            deadline: DeadlineEffect = .keep
        ) {
            self.action = action
            self.from = from
            self.to = to
            self.parties = parties
            self.needsComment = needsComment
            self.deadline = deadline
        }
    }

    /// A transition's effect on `WorkflowRecord.dueAt`.
    public enum DeadlineEffect: Sendable, Equatable {
        case keep
        /// The service supplies the new deadline (a category's response time, a pickup time).
        case set
        case clear
    }

    public var name: String
    public var states: Set<String>
    public var initial: String
    /// States nothing leaves.
    public var terminal: Set<String>
    public var transitions: [Transition]

    public init(name: String, initial: String, terminal: Set<String>, transitions: [Transition]) {
        self.name = name
        self.initial = initial
        self.terminal = terminal
        self.transitions = transitions
        var states: Set<String> = [initial]
        states.formUnion(terminal)
        for transition in transitions {
            states.formUnion(transition.from)
            if let to = transition.to { states.insert(to) }
        }
        self.states = states
    }

    /// The transition `action` takes from `state` for someone who is `parties`, or why not.
    public func transition(
        _ action: String,
        from state: String,
        as parties: Set<Party>,
        comment: String?
    ) throws(WorkflowRefusal) -> Transition {
        let named = transitions.filter { $0.action == action }
        guard !named.isEmpty else { throw .unknownAction(action, known: Set(transitions.map(\.action)).sorted()) }
        let fromHere = named.filter { $0.from.contains(state) }
        guard !fromHere.isEmpty else {
            throw .notFromState(action, state: state, allowed: Set(named.flatMap(\.from)).sorted())
        }
        guard let allowed = fromHere.first(where: { !$0.parties.isDisjoint(with: parties) }) else {
            throw .notPermitted(action, needs: Set(fromHere.flatMap(\.parties)).sorted())
        }
        if allowed.needsComment, (comment ?? "").allSatisfy(\.isWhitespace) { throw .commentRequired(action) }
        return allowed
    }

    /// The actions `parties` may take from `state`, for clients to offer as buttons.
    public func actions(from state: String, as parties: Set<Party>) -> [String] {
        let possible = transitions.filter { $0.from.contains(state) && !$0.parties.isDisjoint(with: parties) }
        var seen: Set<String> = []
        return possible.map(\.action).filter { seen.insert($0).inserted }
    }

    /// Problems with the definition itself: an unreachable state, a non-terminal state without a way out, a
    /// terminal state with one. Empty for a sound workflow (the tests check every service's).
    public var problems: [String] {
        var problems: [String] = []
        var reached: Set<String> = [initial]
        var frontier = [initial]
        while let state = frontier.popLast() {
            for transition in transitions where transition.from.contains(state) {
                if let to = transition.to, reached.insert(to).inserted { frontier.append(to) }
            }
        }
        for state in states.sorted() {
            let leaving = transitions.filter { $0.from.contains(state) && $0.to != nil && $0.to != state }
            if !reached.contains(state) { problems.append("\(name): \(state) cannot be reached") }
            if terminal.contains(state), !leaving.isEmpty {
                problems.append("\(name): terminal \(state) has a way out")
            }
            if !terminal.contains(state), leaving.isEmpty { problems.append("\(name): \(state) is a dead end") }
        }
        return problems
    }
}

/// Why an action was refused. Nothing changed.
public enum WorkflowRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownAction(String, known: [String])
    case notFromState(String, state: String, allowed: [String])
    case notPermitted(String, needs: [Party])
    case commentRequired(String)
    /// The request changed since the caller read it (optimistic concurrency: If-Match).
    case versionMismatch(expected: Int64, actual: Int64)

    /// A stable identifier for the wire.
    public var code: String {
        switch self {
        case .unknownAction: "unknown_action"
        case .notFromState: "invalid_transition"
        case .notPermitted: "forbidden"
        case .commentRequired: "comment_required"
        case .versionMismatch: "version_mismatch"
        }
    }

    public var description: String {
        switch self {
        case .unknownAction(let action, let known):
            "There is no action '\(action)'; the actions are \(known.joined(separator: ", "))."
        case .notFromState(let action, let state, let allowed):
            "'\(action)' is not possible while the request is \(state); only when it is \(allowed.joined(separator: " or "))."
        case .notPermitted(let action, let needs):
            "Only the request's \(needs.map(\.rawValue).joined(separator: " or ")) may '\(action)' it."
        case .commentRequired(let action):
            "'\(action)' needs a comment saying why."
        case .versionMismatch(let expected, let actual):
            "The request was changed by someone else (now version \(actual), not \(expected)); reload it and try again."
        }
    }
}
