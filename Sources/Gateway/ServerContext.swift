import Glibc
import HTTP
import Logging
import Transport
import WebSocket

/// What every connection handler of one server shares. Immutable after start-up.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let router: Router<HTTPRoute>
    /// The parser limits: the configured ones, with the body limit raised to the largest any route accepts (each
    /// route then enforces its own).
    let httpLimits: HTTPLimits
    let handshakeOptions: HandshakeOptions
    let webSocketTiming: WebSocketChannel.Timing
    let deflaters: DeflaterPool
    let log: Logger

    let metrics: ServerMetrics
    /// Per-client-IP limits; nil on the operators' listener.
    let limiter: ClientLimiter?

    init(
        configuration: ServerConfiguration,
        routes: Routes,
        loops: Int,
        log: Logger,
        metrics: ServerMetrics,
        limiter: ClientLimiter?
    ) {
        self.metrics = metrics
        self.limiter = limiter
        self.configuration = configuration
        self.router = routes.router
        var limits = configuration.http
        limits.maxBodySize = max(limits.maxBodySize, routes.largestBody)
        self.httpLimits = limits
        self.handshakeOptions = HandshakeOptions(
            allowedOrigins: configuration.allowedOrigins.isEmpty ? .any : .allowList(configuration.allowedOrigins),
            subprotocols: [],
            deflate: configuration.deflate ? DeflateOptions() : nil
        )
        self.webSocketTiming = WebSocketChannel.Timing(
            pingInterval: configuration.pingInterval,
            pongTimeout: configuration.pongTimeout,
            closeTimeout: configuration.closeTimeout
        )
        self.deflaters = DeflaterPool(loops: loops)
        self.log = log
    }

    /// The `Date` header value for now.
    func date() -> String {
        HTTPDate.format(secondsSince1970: Int(time(nil)))
    }
}

/// The routes of a server, built before it starts.
public struct Routes: Sendable {
    var router = Router<HTTPRoute>()
    var largestBody = 0

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ route: HTTPRoute) {
        router.add(method, pattern, route)
        // Streamed bodies are never held, so they do not raise the parser's default.
        if case .stream = route.action { return }
        largestBody = max(largestBody, route.maxBodyBytes ?? 0)
    }
}
