/// What a message carries. The body's shape depends on the kind (Protocol/README.md "Message kinds").
public enum MessageKind: String, Sendable, CaseIterable {
    case text
    case image
    case video
    case file
    /// Written by the server for every state change (member added, muted, group frozen, message recalled, …).
    case system
    /// A card (notice, questionnaire, vote, check-in) published in the group.
    case card
    /// A class task published in the group.
    case task
    /// A reminder in a member's inbox (one-click or automatic task reminder).
    case reminder
    /// A structured message from a campus system.
    case app
}

/// A message the hub asks the store to append. The store assigns its seq.
public struct NewMessage: Sendable, Equatable {
    public var group: GroupID
    /// nil for system messages.
    public var sender: UserID?
    /// The sender's idempotency key: (sender, clientMsgID) is unique, a retry returns the original.
    public var clientMsgID: String?
    public var kind: MessageKind
    /// The validated body as canonical JSON.
    public var body: [UInt8]
    public var replyTo: Int64?
    public var mentions: [UserID]
    public var mentionAll: Bool
    public var createdAt: Timestamp

    public init(
        group: GroupID,
        sender: UserID?,
        clientMsgID: String?,
        kind: MessageKind,
        body: [UInt8],
        replyTo: Int64? = nil,
        mentions: [UserID] = [],
        mentionAll: Bool = false,
        createdAt: Timestamp
    ) {
        self.group = group
        self.sender = sender
        self.clientMsgID = clientMsgID
        self.kind = kind
        self.body = body
        self.replyTo = replyTo
        self.mentions = mentions
        self.mentionAll = mentionAll
        self.createdAt = createdAt
    }
}

/// A message as stored: a `NewMessage` with its seq, and whether it was recalled (its body is then gone).
public struct StoredMessage: Sendable, Equatable {
    public var seq: Int64
    public var message: NewMessage
    public var recalled: Bool

    public init(seq: Int64, message: NewMessage, recalled: Bool = false) {
        self.seq = seq
        self.message = message
        self.recalled = recalled
    }
}
