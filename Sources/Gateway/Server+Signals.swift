import Dispatch
import Glibc

extension Server {
    /// Makes SIGINT and SIGTERM shut the server down gracefully and exit with status 0.
    ///
    /// Call before `start()`: the signal sources need descriptors, and once the listener is up a flood of clients
    /// can take every descriptor the process has. The signals become dispatch events, so the shutdown runs on a
    /// normal queue, not in signal context.
    public func handleTerminationSignals() {
        let queue = DispatchQueue(label: "yizhan.signals")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                shutdown { exit(0) }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Parks the calling (main) thread forever; the work happens on the loops.
    ///
    /// Not `dispatchMain()`: it retires the main thread through a path that creates an eventfd, which traps when
    /// the descriptor table is full.
    public func parkMainThread() -> Never {
        while true { pause() }
    }
}
