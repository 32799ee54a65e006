/// One privileged read or action, for the append-only audit log: who looked at or changed personal data, when, and
/// what (个人信息保护法 art. 54–55: the school must be able to show it). Entries are written in the same batch as
/// the change they describe, or before a read is served, so a served export always has its entry.
public struct AuditEntry: Sendable, Equatable {
    public var at: Timestamp
    /// The user who acted; nil for the command line and the server itself.
    public var actor: UserID?
    public var action: AuditAction
    /// What it concerned: `card:12`, `group:3`, `user:S1`.
    public var target: String?
    /// More about it, a JSON object (never message bodies or answers: those are the data being protected).
    public var detail: [UInt8]

    public init(at: Timestamp, actor: UserID?, action: AuditAction, target: String?, detail: [UInt8] = Array("{}".utf8))
    {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}

/// The audited actions. Raw values are stable identifiers in the log.
public enum AuditAction: String, Sendable, CaseIterable {
    /// Card results or task progress exported (names and answers of a whole group).
    case cardExport = "card.export"
    case taskExport = "task.export"
    /// The school directory imported: users, roles, classes, memberships.
    case directoryImport = "directory.import"
    /// Group roles changed.
    case adminSet = "group.admin_set"
    case adminUnset = "group.admin_unset"
    case ownerTransferred = "group.owner_transferred"
    /// Everything about a person exported, or erased (graduation, leaving school).
    case userExport = "user.export"
    case userErase = "user.erase"
    /// Who read a news article and who did not (names, colleges, classes).
    case newsReadersExport = "news.readers_export"
    /// The submitter of an anonymous suggestion was revealed (school admins only).
    case suggestionReveal = "suggestion.reveal"
}
