/// One authenticated connection as the hub sees it.
///
/// Created by the gateway after the handshake; the hub keeps its per-connection state here. `endpoint` is the
/// gateway's own object for the connection, opaque to the hub, which hands the session back through `HubOutput`.
public final class Session: @unchecked Sendable {
    public let id: UInt64
    public let user: UserID
    /// School roles from the access token.
    public let roles: Set<SchoolRole>
    /// Which event loop owns the connection (fan-out groups recipients by loop).
    public let loopIndex: Int
    public let endpoint: AnyObject

    // Hub queue only.
    /// Groups whose new messages are pushed to this session (after it synced them).
    var live: Set<GroupID> = []
    var connected = false

    public init(id: UInt64, user: UserID, roles: Set<SchoolRole>, loopIndex: Int, endpoint: AnyObject) {
        self.id = id
        self.user = user
        self.roles = roles
        self.loopIndex = loopIndex
        self.endpoint = endpoint
    }
}

/// Where the hub's output goes. The gateway implements it by writing WebSocket frames.
public protocol HubOutput: AnyObject, Sendable {
    /// One payload to one session (a reply, or a push for that session only). Payloads to one session arrive in the
    /// order they were sent.
    func send(_ payload: [UInt8], to session: Session)
    /// One payload, encoded once, to many sessions grouped by event loop (`sessions[loopIndex]`).
    func broadcast(_ payload: [UInt8], to sessions: [[Session]])
    /// Ends a session with a WebSocket close code.
    func close(_ session: Session, code: UInt16, reason: String)
}
