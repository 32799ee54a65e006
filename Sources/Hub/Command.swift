import JSON

/// A client request: its id (echoed in the reply) and what it asks for.
public struct Request: Sendable, Equatable {
    public var id: String
    public var command: Command

    public init(id: String, command: Command) {
        self.id = id
        self.command = command
    }
}

/// Everything a client can ask of the hub (Protocol/README.md "Commands").
public enum Command: Sendable, Equatable {
    case ping
    /// Missed messages after each cursor; groups not listed go live from their head.
    case sync(cursors: [SyncCursor], limit: Int)
    case history(GroupID, before: Int64?, limit: Int)
    case conversations
    case send(SendCommand)
    case recall(GroupID, seq: Int64)
    case read(GroupID, seq: Int64)
    case receipts(GroupID, seq: Int64)
    case groupInfo(GroupID)
    case groupCreate(name: String, members: [UserID])
    case groupRename(GroupID, name: String)
    case groupAddMembers(GroupID, users: [UserID])
    case groupRemoveMembers(GroupID, users: [UserID])
    case groupLeave(GroupID)
    case groupSetAdmin(GroupID, user: UserID, admin: Bool)
    case groupTransferOwner(GroupID, user: UserID)
    case groupMuteAll(GroupID, muted: Bool)
    /// `until` nil unmutes.
    case groupMuteMember(GroupID, user: UserID, until: Timestamp?)
    case groupFreeze(GroupID, frozen: Bool)
    case groupDissolve(GroupID)
    case groupSettings(GroupID, allowMemberCards: Bool)
    // Cards (validated by the hub, which knows the clock).
    case cardPublish(GroupID, clientMsgID: String, card: JSONValue)
    case cardGet(Int64)
    case cardRespond(Int64, response: JSONValue)
    case cardStats(Int64)
    case cardClose(Int64)
    // Class tasks.
    case taskPublish(GroupID, clientMsgID: String, task: JSONValue)
    case taskGet(Int64)
    case taskComplete(Int64, note: String?, attachment: String?)
    case taskUndo(Int64)
    case taskExcuse(Int64, user: UserID, excused: Bool)
    case taskProgress(Int64)
    case taskRemind(Int64)
    // Group file library.
    case fileList(GroupID)
    case fileAdd(GroupID, object: String, name: String?)
    case fileRename(Int64, name: String)
    case fileDelete(Int64)
}

/// A message to post.
public struct SendCommand: Sendable, Equatable {
    public var group: GroupID
    public var clientMsgID: String
    public var kind: MessageKind
    /// Validated, canonical JSON body.
    public var body: [UInt8]
    public var replyTo: Int64?
    public var mentions: [UserID]
    public var mentionAll: Bool

    public init(
        group: GroupID,
        clientMsgID: String,
        kind: MessageKind,
        body: [UInt8],
        replyTo: Int64? = nil,
        mentions: [UserID] = [],
        mentionAll: Bool = false
    ) {
        self.group = group
        self.clientMsgID = clientMsgID
        self.kind = kind
        self.body = body
        self.replyTo = replyTo
        self.mentions = mentions
        self.mentionAll = mentionAll
    }
}

/// "I have everything of `group` up to `seq`."
public struct SyncCursor: Sendable, Equatable {
    public var group: GroupID
    public var seq: Int64

    public init(group: GroupID, seq: Int64) {
        self.group = group
        self.seq = seq
    }
}
