import Dispatch
import Glibc
import HTTP
import Logging
import Metrics
import Transport
import WebSocket

/// One Yizhan process's network side: event loops, the listener, and the routes.
public final class Server: @unchecked Sendable {
    public let configuration: ServerConfiguration
    public let group: EventLoopGroup
    public let log: Logger
    public let metrics: ServerMetrics
    private let context: ServerContext
    private var listener: Listener?
    /// `ops.listen`: health, readiness and metrics without authentication, for the operators' network only.
    private var opsListener: Listener?
    private let opsContext: ServerContext?
    private let startedAt = MonotonicClock.now()
    var signalSources: [DispatchSourceSignal] = []
    /// Runs after a graceful shutdown, before the process exits (closes the store).
    public var onStopped: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - routes: the application's routes; `/healthz`, `/readyz`, `/metrics` (with `ops.token`) and (with `echo`)
    ///     `/echo` are added.
    ///   - readiness: answers whether the server can serve (the store is writable); nil = always ready.
    public init(
        configuration: ServerConfiguration,
        routes: Routes = Routes(),
        log: Logger,
        metrics: ServerMetrics = ServerMetrics(),
        readiness: (@Sendable (@escaping @Sendable (Bool) -> Void) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.log = log
        self.metrics = metrics
        self.group = EventLoopGroup(count: configuration.resolvedEventLoops)
        var routes = routes
        var health = HealthRoute.make(startedAt: startedAt)
        var ready = HealthRoute.readiness(readiness)
        health.exemptFromRateLimits = true
        ready.exemptFromRateLimits = true
        let exposition = HealthRoute.metrics(metrics, token: nil)
        routes.add(.GET, "/healthz", health)
        routes.add(.GET, "/readyz", ready)
        if let token = configuration.opsToken {
            var protected = HealthRoute.metrics(metrics, token: token)
            protected.exemptFromRateLimits = true
            routes.add(.GET, "/metrics", protected)
        }
        if configuration.echo {
            routes.add(
                .GET,
                "/echo",
                HTTPRoute(.upgrade(EchoEndpoint(compressionThreshold: configuration.webSocket.compressionThreshold)))
            )
        }
        self.context = ServerContext(
            configuration: configuration,
            routes: routes,
            loops: group.loops.count,
            log: log,
            metrics: metrics,
            limiter: ClientLimiter(
                handshakes: configuration.handshakesPerIP,
                requests: configuration.requestsPerIP,
                maxWebSocketsPerIP: configuration.transport.maxConnectionsPerIP
            )
        )
        if configuration.opsListen != nil {
            var opsRoutes = Routes()
            opsRoutes.add(.GET, "/healthz", health)
            opsRoutes.add(.GET, "/readyz", ready)
            opsRoutes.add(.GET, "/metrics", exposition)
            opsContext = ServerContext(
                configuration: configuration,
                routes: opsRoutes,
                loops: group.loops.count,
                log: log,
                metrics: metrics,
                limiter: nil
            )
        } else {
            opsContext = nil
        }
        metrics.watch(self)
    }

    /// Binds and starts serving. Returns the bound address (useful with port 0).
    @discardableResult
    public func start() throws -> SocketAddress {
        var tls: TLSContext?
        switch (configuration.tlsCertificate, configuration.tlsKey) {
        case (let cert?, let key?):
            tls = try TLSContext(certificateChainFile: cert, privateKeyFile: key)
        case (nil, nil):
            tls = nil
        default:
            throw TLSError(description: "tls.cert and tls.key must be set together")
        }
        let context = self.context
        let log = self.log
        let listener = try Listener(
            host: configuration.host,
            port: configuration.port,
            group: group,
            limits: configuration.transport,
            tls: tls,
            log: { event in Self.log(event, to: log) },
            makeHandler: { connection in HTTPServerHandler(connection: connection, context: context) }
        )
        self.listener = listener
        if let opsListen = configuration.opsListen, let opsContext {
            let (host, port) = try Self.split(opsListen)
            let ops = try Listener(
                host: host,
                port: port,
                group: group,
                limits: configuration.transport,
                log: { event in Self.log(event, to: log) },
                makeHandler: { connection in HTTPServerHandler(connection: connection, context: opsContext) }
            )
            opsListener = ops
            log.info("ops listening", ("address", .string(ops.address.description)))
        }
        log.info(
            "listening",
            ("address", .string(listener.address.description)),
            ("tls", .bool(tls != nil)),
            ("loops", .int(group.loops.count)),
            ("echo", .bool(configuration.echo))
        )
        return listener.address
    }

    /// The bound address, once started.
    public var address: SocketAddress? { listener?.address }

    /// The ops listener's address, when `ops.listen` is set.
    public var opsAddress: SocketAddress? { opsListener?.address }

    /// `host:port` (or `[v6]:port`).
    static func split(_ text: String) throws -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ConfigurationError("ops.listen must be host:port, like 127.0.0.1:9090")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// Open connections.
    public var connectionCount: Int { listener?.connectionCount ?? 0 }

    /// Graceful shutdown: stop accepting, ask every connection to close (WebSocket close 1001), wait up to
    /// `shutdownTimeout` for them, then drop the rest. `completion` runs on a background queue.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        guard let listener else { return completion() }
        listener.stop()
        opsListener?.stop()
        log.info("shutting down", ("connections", .int(listener.connectionCount)))
        for loop in group.loops {
            loop.execute {
                for connection in loop.openConnections { connection.handler?.shutdown(on: connection) }
            }
        }
        let deadline = MonotonicClock.now().adding(seconds: configuration.shutdownTimeout)
        let group = self.group
        let log = self.log
        let onStopped = self.onStopped
        @Sendable func poll() {
            if listener.connectionCount == 0 || MonotonicClock.now() >= deadline {
                let remaining = listener.connectionCount
                for loop in group.loops {
                    loop.queue.sync {
                        for connection in loop.openConnections { connection.close() }
                    }
                }
                onStopped?()
                log.info("stopped", ("forcedCloses", .int(remaining)))
                return completion()
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { poll() }
        }
        poll()
    }

    private static func log(_ event: ListenerEvent, to log: Logger) {
        switch event {
        case .acceptBackoff(let errno):
            log.warning("accept paused: out of file descriptors or memory; retrying", ("errno", .int(Int(errno))))
        case .acceptResumed:
            log.info("accept resumed")
        case .acceptFailed(let errno):
            log.warning("accept failed", ("errno", .int(Int(errno))))
        case .refused(let address, let perIP):
            log.warning("connection refused at limit", ("ip", .string(address.ip)), ("perIP", .bool(perIP)))
        }
    }
}
