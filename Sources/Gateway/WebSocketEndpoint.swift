import HTTP
import WebSocket

/// An application protocol served over WebSocket on one path (the hub, `/echo`).
public protocol WebSocketEndpoint: Sendable {
    /// Frame and message limits for this endpoint.
    var configuration: WebSocketConfiguration { get }
    /// Subprotocols in preference order (empty: none negotiated).
    var subprotocols: [String] { get }
    /// Outbound cap for this endpoint's connections; nil = the server's `limits.max_outbound_bytes`.
    var maxOutboundBytes: Int? { get }
    /// Authenticates the upgrade request and creates the session, on the connection's loop, before the 101 is
    /// sent. Throwing refuses the handshake with that HTTP error.
    func makeSession(for request: HTTPRequest) throws(HTTPError) -> any WebSocketSession
}

/// One connection's application state. Every method is called on the connection's loop.
public protocol WebSocketSession: AnyObject {
    func opened(_ channel: WebSocketChannel)
    func received(_ message: WebSocketMessage, on channel: WebSocketChannel)
    /// The connection is gone (close handshake done, failed, or dropped). `code` is the close code, if one was
    /// exchanged.
    func closed(_ channel: WebSocketChannel, code: CloseCode?)
}

/// A complete data message.
public enum WebSocketMessage: Sendable, Equatable {
    /// Valid UTF-8.
    case text([UInt8])
    case binary([UInt8])
}
