import Auth
import Glibc
import HTTP
import Hub
import Transport
import WebSocket

/// `/v1/ws`: the hub's WebSocket endpoint. Authenticates the upgrade with an access token (`Authorization:
/// Bearer …` or, for browsers that cannot set headers, the `access_token` query parameter) before the 101.
struct HubEndpoint: WebSocketEndpoint {
    let hub: Hub
    let authority: TokenAuthority
    let hubConfiguration: HubConfiguration
    let configuration: WebSocketConfiguration
    let requestLimit: RateLimit
    let metrics: ServerMetrics
    var subprotocols: [String] { ["yizhan.v1"] }
    var maxOutboundBytes: Int? { nil }

    func makeSession(for request: HTTPRequest) throws(HTTPError) -> any WebSocketSession {
        let claims = try Self.authenticate(request, authority: authority, kind: .user)
        return HubConnection(
            hub: hub,
            claims: claims,
            configuration: hubConfiguration,
            requestLimit: requestLimit,
            metrics: metrics
        )
    }

    /// Verifies the request's token; a refusal is a 401 with the token error's code.
    static func authenticate(
        _ request: HTTPRequest,
        authority: TokenAuthority,
        kind: TokenClaims.Kind
    ) throws(HTTPError) -> TokenClaims {
        var token: Substring?
        if let header = request.head.headers["Authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { token = parts[1] }
        }
        if token == nil, let query = request.query["access_token"] { token = Substring(query) }
        do throws(TokenError) {
            guard let token else { throw .missing }
            let claims = try authority.verify(token, now: Int64(time(nil)))
            guard claims.kind == kind else { throw .wrongKind }
            return claims
        } catch {
            var headers = HTTPHeaders()
            headers.add(name: "WWW-Authenticate", value: "Bearer error=\"invalid_token\"")
            throw HTTPError(status: .unauthorized, code: error.code, message: error.message, headers: headers)
        }
    }
}

/// One hub client connection: decodes requests on its loop, hands them to the hub, and is the `endpoint` the hub's
/// `Session` points back to.
final class HubConnection: WebSocketSession, @unchecked Sendable {
    let hub: Hub
    let claims: TokenClaims
    let configuration: HubConfiguration
    let metrics: ServerMetrics
    /// Set when the channel opens; used on the connection's loop.
    private(set) var channel: WebSocketChannel?
    private var session: Session?
    /// Requests of this connection (loop only).
    private let requestLimit: RateLimit
    private var requests: TokenBucket
    private var refusedInARow = 0

    init(
        hub: Hub,
        claims: TokenClaims,
        configuration: HubConfiguration,
        requestLimit: RateLimit,
        metrics: ServerMetrics
    ) {
        self.hub = hub
        self.claims = claims
        self.configuration = configuration
        self.requestLimit = requestLimit
        self.requests = TokenBucket(requestLimit, now: Int64(MonotonicClock.now() / 1_000_000))
        self.metrics = metrics
    }

    func opened(_ channel: WebSocketChannel) {
        self.channel = channel
        let session = Session(
            id: channel.connection.id,
            user: claims.subject,
            roles: Set(claims.roles.compactMap(SchoolRole.init(rawValue:))),
            loopIndex: channel.connection.loop.index,
            endpoint: self
        )
        self.session = session
        // The connection ends when its token does; the client reconnects with a fresh one and resumes.
        let secondsLeft = Double(claims.expiresAt - Int64(time(nil)))
        channel.expire(
            at: MonotonicClock.now().adding(seconds: max(0, secondsLeft)),
            code: CloseCode(rawValue: CloseCodes.tokenExpired),
            reason: "token expired"
        )
        let hub = self.hub
        hub.queue.async { hub.connect(session) }
    }

    func received(_ message: WebSocketMessage, on channel: WebSocketChannel) {
        if !requestLimit.isUnlimited,
            let wait = requests.take(requestLimit, now: Int64(MonotonicClock.now() / 1_000_000))
        {
            return refuse(message, retryAfter: wait, on: channel)
        }
        refusedInARow = 0
        guard case .text(let bytes) = message else {
            return channel.send(text: Wire.error(HubError(.invalidRequest, "Requests are JSON text frames."), id: nil))
        }
        metrics.messagesIn.increment()
        switch RequestDecoder.decode(bytes, configuration: configuration) {
        case .success(let request):
            guard let session else { return }
            let hub = self.hub
            hub.queue.async { hub.handle(request, from: session) }
        case .failure(let failure):
            channel.send(text: Wire.error(failure.error, id: failure.id))
        }
    }

    /// Answers a request over the connection's rate `rate_limited` (with its id, when it has one); closes the
    /// connection once it has sent a whole burst's worth of requests in a row without waiting.
    private func refuse(_ message: WebSocketMessage, retryAfter wait: Double, on channel: WebSocketChannel) {
        refusedInARow += 1
        if refusedInARow > Int(requestLimit.burst) {
            return channel.close(code: CloseCode(rawValue: CloseCodes.tooManyRequests), reason: "too many requests")
        }
        var error = HubError(.rateLimited, "This connection sends too many requests; wait and send again.")
        error.retryAfter = (wait * 1000).rounded(.up) / 1000
        var id: String?
        if case .text(let bytes) = message {
            switch RequestDecoder.decode(bytes, configuration: configuration) {
            case .success(let request): id = request.id
            case .failure(let failure): id = failure.id
            }
        }
        channel.send(text: Wire.error(error, id: id))
    }

    func closed(_ channel: WebSocketChannel, code: CloseCode?) {
        // The channel holds this object as its session: break the cycle, or every closed connection leaks both.
        self.channel = nil
        guard let session else { return }
        self.session = nil
        let hub = self.hub
        hub.queue.async { hub.disconnect(session) }
    }
}

/// Delivers the hub's output as WebSocket frames: replies hop to the connection's loop; broadcasts are framed (and
/// compressed) once and handed to each loop as one block for all its recipients.
final class WebSocketHubOutput: HubOutput, @unchecked Sendable {
    private let deflater: Deflater?
    private let threshold: Int
    private let metrics: ServerMetrics?

    /// - Parameter deflate: compress broadcasts of at least `threshold` bytes for connections that negotiated
    ///   permessage-deflate. The deflater is used only on the hub queue, where `broadcast` is called.
    init(deflate: Bool, threshold: Int, metrics: ServerMetrics? = nil) {
        self.deflater = deflate ? Deflater(windowBits: 15) : nil
        self.threshold = threshold
        self.metrics = metrics
    }

    func send(_ payload: [UInt8], to session: Session) {
        let connection = unsafeDowncast(session.endpoint, to: HubConnection.self)
        guard let loop = connection.channel?.connection.loop else { return }
        metrics?.deliveries.increment()
        loop.execute { connection.channel?.send(text: payload) }
    }

    func broadcast(_ payload: [UInt8], to sessions: [[Session]]) {
        let recipients = sessions.reduce(0) { $0 + $1.count }
        guard recipients > 0 else { return }
        metrics?.deliveries.increment(by: UInt64(recipients))
        let frame = PreparedFrame(payload: payload, deflater: deflater, threshold: threshold)
        for bucket in sessions where !bucket.isEmpty {
            let first = unsafeDowncast(bucket[0].endpoint, to: HubConnection.self)
            guard let loop = first.channel?.connection.loop else { continue }
            let recipients = HubConfinedSessions(bucket)
            loop.execute {
                for session in recipients.sessions {
                    unsafeDowncast(session.endpoint, to: HubConnection.self).channel?.send(frame)
                }
            }
        }
    }

    func close(_ session: Session, code: UInt16, reason: String) {
        let connection = unsafeDowncast(session.endpoint, to: HubConnection.self)
        guard let loop = connection.channel?.connection.loop else { return }
        loop.execute { connection.channel?.close(code: CloseCode(rawValue: code), reason: reason) }
    }
}

/// Sessions handed to a loop: the loop reads only their immutable `endpoint`.
private struct HubConfinedSessions: @unchecked Sendable {
    let sessions: [Session]
    init(_ sessions: [Session]) { self.sessions = sessions }
}
