/// The delivery check over one worker's connections: every tracked client must hold every message of its group up
/// to the group's head (the newest acked seq), each exactly once and in seq order.
struct LossCheck: Sendable {
    /// Clients checked.
    var clients = 0
    /// Seqs a client never got: gaps it skipped plus the distance from its newest seq to the head.
    var missed = 0
    /// Messages that came again, or behind one already held.
    var duplicated = 0
    /// Bench messages received in all.
    var received = 0
    /// Clients that did not reach their group's head.
    var behind = 0

    init() {}

    init(_ connections: [ClientConnection], heads: [Int64: Int64], tracked: (ClientConnection) -> Bool) {
        for connection in connections where tracked(connection) {
            clients += 1
            duplicated += connection.duplicated
            received += connection.received
            var lost = connection.missed
            if let head = heads[connection.group], head > connection.lastSeq {
                lost += Int(head - connection.lastSeq)
                behind += 1
            }
            if connection.group == 0 { behind += 1 }
            missed += lost
        }
    }

    mutating func merge(_ other: LossCheck) {
        clients += other.clients
        missed += other.missed
        duplicated += other.duplicated
        received += other.received
        behind += other.behind
    }

    /// Runs the check on every worker (with the merged heads) and adds it up.
    static func run(
        _ pool: ClientPool,
        heads: [Int64: Int64],
        tracked: @escaping @Sendable (ClientConnection) -> Bool
    ) -> LossCheck {
        pool.collect { worker in LossCheck(worker.connections, heads: heads, tracked: tracked) }
            .reduce(into: LossCheck()) { $0.merge($1) }
    }
}

/// Connecting a scenario's clients: each user's connection is created on its worker (round robin) and queued;
/// at most `--in-flight` handshakes run at once.
enum ConnectPhase {
    /// Creates and connects a connection for each of `users`; `configure` runs on the worker first.
    static func start(
        _ pool: ClientPool,
        users: [Int],
        configure: @escaping @Sendable (ClientConnection, Int) -> Void = { _, _ in }
    ) {
        let count = pool.workers.count
        for (index, worker) in pool.workers.enumerated() {
            let mine = stride(from: index, to: users.count, by: count).map { ($0, users[$0]) }
            worker.execute { worker in
                for (position, user) in mine {
                    let connection = worker.add(user: user)
                    configure(connection, position)
                    worker.connect(connection)
                }
            }
        }
    }

    /// Waits until `count` connections opened or failed, then until the opened ones are live (synced).
    /// Returns the seconds each step took, or throws when they never finish.
    static func waitLive(
        _ progress: Progress,
        count: Int,
        live: Int? = nil,
        context: RunContext,
        what: String
    ) throws -> (open: Double, live: Double) {
        let start = Clock.now()
        let opened = Wait.until(timeout: 600, progress: progress.value(.opened) + progress.value(.failed)) {
            progress.value(.opened) + progress.value(.failed) >= count
        }
        let openSeconds = Clock.seconds(from: start, to: Clock.now())
        let failures = progress.value(.failed)
        guard opened == .done else {
            throw ServerUnderTest.Failure(
                description: "\(what): only \(progress.value(.opened)) of \(count) connections opened (\(opened))"
            )
        }
        let wanted = live ?? (count - failures)
        let synced = Wait.until(timeout: 600, progress: progress.value(.live)) {
            progress.value(.live) >= wanted
        }
        guard synced == .done else {
            throw ServerUnderTest.Failure(
                description: "\(what): only \(progress.value(.live)) of \(wanted) connections synced (\(synced))"
            )
        }
        context.progress(
            "\(what): \(count - failures) connected in \(Report.format(openSeconds)) s"
                + (failures > 0 ? ", \(failures) failed" : "") + ", all live"
        )
        return (openSeconds, Clock.seconds(from: start, to: Clock.now()))
    }
}
