/// What a protocol (HTTP, WebSocket, ...) implements to drive a `Connection`.
///
/// Every method is called on the connection's loop queue. A handler may replace itself (`connection.handler = …`),
/// which is how an HTTP connection becomes a WebSocket.
public protocol ConnectionHandler: AnyObject {
    /// Plaintext bytes arrived (after TLS, if any). The buffer is only valid during the call.
    func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection)
    /// The peer shut down its sending side (EOF).
    func inputClosed(on connection: Connection)
    /// `connection.deadline` has passed. The handler decides what it meant and sets the next deadline.
    func deadlineReached(on connection: Connection, now: UInt64)
    /// More than `maxOutboundBytes` are queued: the peer does not read fast enough.
    func outboundOverflow(on connection: Connection)
    /// Everything queued has been handed to the kernel: the outbound queue held bytes and is empty again. Handlers
    /// that stream a large body (a file download) write the next part here, so at most a bounded amount is queued.
    /// Not called while the connection is closing.
    func outputDrained(on connection: Connection)
    /// The server is shutting down gracefully.
    func shutdown(on connection: Connection)
    /// The connection is closed; release what belongs to it. Called exactly once.
    func closed(_ connection: Connection)
}

extension ConnectionHandler {
    public func inputClosed(on connection: Connection) { connection.close() }
    public func outboundOverflow(on connection: Connection) { connection.close() }
    public func outputDrained(on connection: Connection) {}
    public func shutdown(on connection: Connection) { connection.closeAfterFlush() }
    public func closed(_ connection: Connection) {}
}
