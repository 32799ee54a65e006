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
    /// The client's IP: the peer's, or the one a trusted proxy forwarded (`http.trusted_proxies`).
    public let clientIP: String
    /// Whether the request arrived over TLS.
    public let isSecure: Bool

    public init(
        head: RequestHead,
        body: [UInt8],
        parameters: PathParameters,
        remoteAddress: SocketAddress,
        clientIP: String? = nil,
        isSecure: Bool
    ) {
        self.head = head
        self.body = body
        self.parameters = parameters
        self.remoteAddress = remoteAddress
        self.clientIP = clientIP ?? remoteAddress.ip
        self.isSecure = isSecure
    }

    /// The parsed query string.
    public var query: QueryString { QueryString(head.query) }
}

/// Sends the response to one request, from any thread, exactly once.
public struct HTTPResponder: Sendable {
    let deliver: @Sendable (HTTPReply) -> Void

    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = { reply in
            switch reply {
            case .full(let response): deliver(response)
            // A responder made outside the server cannot stream: it gets the head (the file closes when released).
            case .file(let file): deliver(file.head)
            }
        }
    }

    init(reply: @escaping @Sendable (HTTPReply) -> Void) {
        self.deliver = reply
    }

    public func respond(_ response: HTTPResponse) { deliver(.full(response)) }

    public func respond(_ error: HTTPError) { deliver(.full(error.response)) }

    /// Answers with `file.head`'s status and headers, then `file.length` bytes of the file from `file.offset`, read
    /// off the event loop and written with backpressure. A `HEAD` request gets the head only.
    public func respond(file: HTTPFileResponse) { deliver(.file(file)) }
}

/// What a handler answers with.
enum HTTPReply: Sendable {
    case full(HTTPResponse)
    case file(HTTPFileResponse)
}

/// What the server does for a method and path.
public struct HTTPRoute: Sendable {
    public enum Action: Sendable {
        /// A request/response handler, given the whole body. It may respond later, from any thread.
        case respond(@Sendable (HTTPRequest, HTTPResponder) -> Void)
        /// A WebSocket endpoint: the request must be a valid upgrade.
        case upgrade(any WebSocketEndpoint)
        /// A handler that takes the body as it arrives. `open` runs on the connection's loop once the head is in
        /// (the request's `body` is empty) and returns the sink the body goes to; throwing refuses the request
        /// before any of the body is read (and before `100 Continue`). A declared `Content-Length` above
        /// `maxBodyBytes` is refused with 413 before `open`; a chunked body is refused as soon as it passes it.
        case stream(maxBodyBytes: Int, open: @Sendable (HTTPRequest) throws(HTTPError) -> any RequestBodySink)
    }

    public let action: Action
    /// Largest body this route accepts (413 beyond it); nil = the server's `http.max_body_bytes`.
    public let maxBodyBytes: Int?
    /// Health checks and metrics: not counted against per-IP request limits, so a load balancer polling hard
    /// never gets its own health check refused.
    public var exemptFromRateLimits = false

    public init(_ action: Action, maxBodyBytes: Int? = nil) {
        self.action = action
        if case .stream(let limit, _) = action {
            self.maxBodyBytes = limit
        } else {
            self.maxBodyBytes = maxBodyBytes
        }
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

    /// A handler that takes the body chunk by chunk (see ``Action/stream(maxBodyBytes:open:)``).
    public static func stream(
        maxBodyBytes: Int,
        open: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> any RequestBodySink
    ) -> HTTPRoute {
        HTTPRoute(.stream(maxBodyBytes: maxBodyBytes, open: open))
    }
}
