import Dispatch
import Glibc
import HTTP
import Logging
import Transport
import WebSocket

/// One Yizhan process's network side: event loops, the listener, and the routes.
public final class Server: @unchecked Sendable {
    public let configuration: ServerConfiguration
    public let group: EventLoopGroup
    public let log: Logger
    private let context: ServerContext
    private var listener: Listener?
    private let startedAt = MonotonicClock.now()
    var signalSources: [DispatchSourceSignal] = []
    /// Runs after a graceful shutdown, before the process exits (closes the store).
    public var onStopped: (@Sendable () -> Void)?

    /// - Parameter routes: the application's routes; `/healthz` and (with `echo`) `/echo` are added.
    public init(configuration: ServerConfiguration, routes: Routes = Routes(), log: Logger) {
        self.configuration = configuration
        self.log = log
        self.group = EventLoopGroup(count: configuration.resolvedEventLoops)
        var routes = routes
        routes.add(.GET, "/healthz", HealthRoute.make(startedAt: startedAt))
        if configuration.echo {
            routes.add(
                .GET,
                "/echo",
                HTTPRoute(.upgrade(EchoEndpoint(compressionThreshold: configuration.webSocket.compressionThreshold)))
            )
        }
        self.context = ServerContext(configuration: configuration, routes: routes, loops: group.loops.count, log: log)
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

    /// Open connections.
    public var connectionCount: Int { listener?.connectionCount ?? 0 }

    /// Graceful shutdown: stop accepting, ask every connection to close (WebSocket close 1001), wait up to
    /// `shutdownTimeout` for them, then drop the rest. `completion` runs on a background queue.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        guard let listener else { return completion() }
        listener.stop()
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
