import HTTP
import Transport

/// A complete HTTP request as a route sees it.
public struct HTTPRequest: Sendable {
    public let head: RequestHead
    /// The whole body (routes that stream bodies get them chunk by chunk instead; see the upload routes).
    public let body: [UInt8]
    /// Values captured by the route pattern, percent-decoded.
    public let parameters: PathParameters
    /// The TCP peer (the reverse proxy, when there is one).
    public let remoteAddress: SocketAddress
    /// Whether the request arrived over TLS.
    public let isSecure: Bool

    public init(
        head: RequestHead,
        body: [UInt8],
        parameters: PathParameters,
        remoteAddress: SocketAddress,
        isSecure: Bool
    ) {
        self.head = head
        self.body = body
        self.parameters = parameters
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
    }

    /// The parsed query string.
    public var query: QueryString { QueryString(head.query) }
}

/// Sends the response to one request, from any thread, exactly once.
public struct HTTPResponder: Sendable {
    let deliver: @Sendable (HTTPResponse) -> Void

    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    public func respond(_ response: HTTPResponse) { deliver(response) }

    public func respond(_ error: HTTPError) { deliver(error.response) }
}

/// What the server does for a method and path.
public struct HTTPRoute: Sendable {
    public enum Action: Sendable {
        /// A request/response handler. It may respond later, from any thread.
        case respond(@Sendable (HTTPRequest, HTTPResponder) -> Void)
        /// A WebSocket endpoint: the request must be a valid upgrade.
        case upgrade(any WebSocketEndpoint)
    }

    public let action: Action
    /// Largest body this route accepts (413 beyond it); nil = the server's `http.max_body_bytes`.
    public let maxBodyBytes: Int?

    public init(_ action: Action, maxBodyBytes: Int? = nil) {
        self.action = action
        self.maxBodyBytes = maxBodyBytes
    }

    /// A handler that answers immediately.
    public static func sync(_ handler: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> HTTPResponse) -> HTTPRoute
    {
        HTTPRoute(
            .respond { request, responder in
                do throws(HTTPError) {
                    responder.respond(try handler(request))
                } catch {
                    responder.respond(error)
                }
            }
        )
    }
}
