import Dispatch
import Glibc

extension Server {
    /// Serves until SIGINT or SIGTERM, then shuts down gracefully and exits with status 0.
    ///
    /// The signals are turned into dispatch events, so the shutdown runs on a normal queue, not in signal context.
    public func runUntilSignalled() -> Never {
        let queue = DispatchQueue(label: "yizhan.signals")
        var sources: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                shutdown { exit(0) }
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}
