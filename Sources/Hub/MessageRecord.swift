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

/// A message as stored: a `NewMessage` with its seq, and whether it was recalled or expired (its body is then
/// gone; an expired one has lost its sender too).
public struct StoredMessage: Sendable, Equatable {
    public var seq: Int64
    public var message: NewMessage
    public var recalled: Bool
    /// Past the retention policy: only the seq, kind and time remain, so resumes stay gap-free.
    public var expired: Bool

    public init(seq: Int64, message: NewMessage, recalled: Bool = false, expired: Bool = false) {
        self.seq = seq
        self.message = message
        self.recalled = recalled
        self.expired = expired
    }

    /// What is left of `message` once it expires.
    public static func expired(seq: Int64, group: GroupID, kind: MessageKind, createdAt: Timestamp) -> StoredMessage {
        StoredMessage(
            seq: seq,
            message: NewMessage(
                group: group,
                sender: nil,
                clientMsgID: nil,
                kind: kind,
                body: [],
                createdAt: createdAt
            ),
            expired: true
        )
    }
}
