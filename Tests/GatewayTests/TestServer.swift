import Dispatch
import Gateway
import Hub
import Logging
import Transport

/// Starts a `Server` on 127.0.0.1 and a free port, and shuts it down when released.
final class TestServer {
    let server: Server
    let port: UInt16
    let logs = LogSink.memory()

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }, routes: Routes = Routes()) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.echo = true
        configuration.eventLoops = 2
        // Per-IP limits have their own tests; the others connect as fast as they can.
        configuration.handshakesPerIP = .unlimited
        configuration.requestsPerIP = .unlimited
        configuration.requestsPerConnection = .unlimited
        configuration.uploadMiBPerUser = .unlimited
        configure(&configuration)
        server = Server(configuration: configuration, routes: routes, log: Logger(minimumLevel: .debug, sink: logs))
        port = try server.start().port
    }

    deinit {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
    }

    /// Shuts down and waits for completion.
    func shutdown() {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
    }
}
