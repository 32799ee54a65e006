import Dispatch
import Synchronization

/// The client side of a run: a few ``ClientWorker`` threads (default 2), each with its own epoll set and its
/// share of the connections. The scenario drives them from the main thread with jobs and reads their progress
/// through atomics; results are collected with ``collect(_:)`` when the run is over.
final class ClientPool: @unchecked Sendable {
    let workers: [ClientWorker]

    /// - Parameter inFlight: handshakes in flight across all workers.
    init(threads: Int, target: ClientTarget, inFlight: Int) {
        workers = (0..<max(1, threads)).map { ClientWorker(index: $0, target: target) }
        for worker in workers { worker.maxInFlight = max(1, inFlight / workers.count) }
        for worker in workers { worker.start() }
    }

    /// The worker that owns connection number `index` of a scenario (round robin).
    func worker(for index: Int) -> ClientWorker {
        workers[index % workers.count]
    }

    /// Runs `job` on every worker's thread without waiting.
    func broadcast(_ job: @escaping ClientWorker.Job) {
        for worker in workers { worker.execute(job) }
    }

    /// Runs `body` on every worker's thread and returns the results in worker order.
    func collect<T: Sendable>(_ body: @escaping @Sendable (ClientWorker) -> T) -> [T] {
        let results = Mutex<[Int: T]>([:])
        let done = DispatchSemaphore(value: 0)
        for worker in workers {
            worker.execute { worker in
                let value = body(worker)
                results.withLock { $0[worker.index] = value }
                done.signal()
            }
        }
        for _ in workers { done.wait() }
        return results.withLock { results in workers.indices.map { results[$0]! } }
    }

    /// Transport counters of all workers.
    var stats: WorkerStats {
        collect { $0.stats }.reduce(into: WorkerStats()) { $0.merge($1) }
    }

    /// Closes every connection and ends the threads.
    func shutdown() {
        for worker in workers { worker.stopAndWait() }
    }
}

/// Waits on the main thread for a condition the workers make true, giving up after `timeout` seconds or when
/// `progress` (any counter that moves while work gets done) stalls for `stall` seconds.
enum Wait {
    enum Outcome: Equatable {
        case done
        case timedOut
        case stalled
    }

    static func until(
        timeout: Double,
        stall: Double = 30,
        progress: @autoclosure () -> Int = 0,
        _ condition: () -> Bool
    ) -> Outcome {
        let start = Clock.now()
        var lastProgress = progress()
        var lastChange = start
        while true {
            if condition() { return .done }
            let now = Clock.now()
            if Clock.seconds(from: start, to: now) > timeout { return .timedOut }
            let current = progress()
            if current != lastProgress {
                lastProgress = current
                lastChange = now
            } else if Clock.seconds(from: lastChange, to: now) > stall {
                return .stalled
            }
            Clock.sleep(milliseconds: 2)
        }
    }
}
