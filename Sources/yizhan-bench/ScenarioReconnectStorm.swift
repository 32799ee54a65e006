import Glibc
import JSON

/// `reconnect-storm`: N clients in a few large class groups, all live, while their counselor keeps posting. Then
/// every client's socket is closed at once (no close frame, as in a network blip) and every client reconnects
/// straight away and resumes with `sync` from the newest seq it holds. Time until all are live again, server CPU
/// per reconnect, and the delivery check: nothing missed, nothing twice, across the gap.
struct ReconnectStormScenario: Scenario {
    let name = "reconnect-storm"
    let unit = "reconnect"
    let perUnitMetric = "serverCpuPerReconnectUs"
    let command: BenchCommand
    let requested: Int
    let groups: Int
    let rate: Double
    let clientFileLimit: Int

    init(_ command: BenchCommand, clientFileLimit: Int) {
        self.command = command
        switch command.connections {
        case .count(let count): requested = count
        // As many as the open-file limits allow (capped in `run`).
        case .max: requested = Int.max
        case nil: requested = 18_000
        }
        groups = command.groups ?? 4
        // One message per second per group of 4,500 is already 18,000 deliveries a second on top of the storm; at
        // 20 messages a second the fan-out, not the reconnects, takes most of the server's CPU.
        rate = command.rate ?? 4
        self.clientFileLimit = clientFileLimit
    }

    var parameters: [(String, JSONValue)] {
        [
            ("clients", requested == Int.max ? .string("max") : .int(Int64(requested))),
            ("groups", .int(Int64(groups))),
            ("messagesPerSecond", .double(rate)),
            ("inFlight", .int(Int64(command.inFlight))), ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    /// Clients both processes can hold, with room for the sender and for sockets the server has not closed yet.
    private func capacity(_ server: ServerUnderTest) -> Int {
        let client = clientFileLimit - ProcessSampler.openDescriptors(pid: getpid()) - 64
        let serverLimit = ProcessSampler.openFileLimit(pid: server.pid)?.soft ?? 20_000
        let serverRoom = min(serverLimit, 19_000) - ProcessSampler.openDescriptors(pid: server.pid) - 64
        return min(client, serverRoom)
    }

    func run(_ context: RunContext) throws -> RunResult {
        var result = RunResult()
        let capacity = capacity(context.server)
        var clients = requested
        if clients > capacity {
            clients = capacity
            result.notes.append("clients capped at \(capacity) by the open-file limits")
        }
        // A group holds at most 5,000 members by default (hub.max_group_members).
        let groups = max(self.groups, (clients + 4999) / 5000)
        let members = clients / groups
        clients = members * groups
        var fixture = Fixture(prefix: "rs\(groups)x\(members)", groups: groups, members: members, counselors: .shared)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let command = self.command
        let interval = UInt64(1e9 / rate)
        pool.broadcast { worker in
            worker.handler = StormClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                interval: interval
            )
            worker.tickMilliseconds = 1
        }
        let sender = fixture.counselor(of: 0)
        ConnectPhase.start(pool, users: [sender] + Array(0..<fixture.studentCount)) { connection, _ in
            if connection.user == sender { connection.tag = 2 }
        }
        _ = try ConnectPhase.waitLive(progress, count: clients + 1, context: context, what: "clients")
        guard progress.value(.failed) == 0 || progress.value(.live) == clients + 1 else {
            throw ServerUnderTest.Failure(description: "\(progress.value(.failed)) clients could not connect")
        }

        pool.broadcast { worker in (worker.handler as! StormClient).startSending() }
        Clock.sleep(milliseconds: 2000)
        let retriesBefore = progress.value(.retries)
        let measurement = Measurement(serverPID: context.server.pid)
        pool.broadcast { worker in (worker.handler as! StormClient).storm(worker) }
        let outcome = Wait.until(timeout: 300, progress: progress.value(.resumed)) {
            progress.value(.resumed) >= clients
        }
        let window = measurement.finish()
        context.progress(
            "\(progress.value(.resumed)) of \(clients) live again after \(Report.format(window.wallSeconds)) s "
                + "(\(outcome))"
        )
        Clock.sleep(milliseconds: 1000)
        pool.broadcast { worker in (worker.handler as! StormClient).sending = false }
        let settled = Wait.until(timeout: 120, progress: progress.value(.deliveries)) {
            let acked = progress.value(.acked)
            return acked + progress.value(.errors) >= progress.value(.sent)
                && progress.value(.deliveries) >= acked * members
        }

        let totals = pool.collect { GroupClientTotals($0.handler as! GroupClient) }
            .reduce(into: GroupClientTotals()) { $0.merge($1) }
        let loss = LossCheck.run(pool, heads: totals.heads) { $0.tag == 0 }
        let stats = pool.stats
        result.add("clients", Double(clients), "")
        result.add("timeToAllLiveSeconds", window.wallSeconds, "s")
        result.add("reconnectsPerSecond", Double(progress.value(.resumed)) / window.wallSeconds, "1/s")
        result.add("handshakeRetries", Double(progress.value(.retries) - retriesBefore), "")
        result.add("messagesDuringStorm", Double(progress.value(.acked)), "")
        result.add("resumedLatencyP99Ms", totals.resumedLatency.percentile(0.99) / 1e6, "ms")
        result.add("pushLatencyP99Ms", totals.latency.percentile(0.99) / 1e6, "ms")
        result.addCPU(window, units: clients, unit: "reconnect", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.missed = loss.missed
        result.duplicated = loss.duplicated
        result.errors = progress.value(.errors)
        if outcome != .done { result.notes.append("not every client came back: \(outcome)") }
        if settled != .done { result.notes.append("deliveries did not settle after the storm: \(settled)") }
        if !stats.failures.isEmpty { result.notes.append("handshake failures (retried): \(stats.failures)") }
        if !totals.errorCodes.isEmpty {
            result.notes.append("errors and closes: \(totals.errorCodes.filter { !$0.key.hasPrefix("closed") })")
        }
        return result
    }
}

/// A class member that reconnects and resumes; the connection tagged 2 is the counselor, who posts to every
/// group round robin at a fixed rate.
final class StormClient: GroupClient {
    let interval: UInt64
    var sending = false
    private var storming = false
    private var sender: ClientConnection?
    private var senderGroups: [Int64] = []
    private var nextGroup = 0

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, interval: UInt64) {
        self.interval = interval
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    override func learnedGroup(_ connection: ClientConnection, heads: [Int64: Int64], on worker: ClientWorker) {
        if connection.tag == 2 {
            sender = connection
            senderGroups = heads.keys.sorted()
        }
        super.learnedGroup(connection, heads: heads, on: worker)
    }

    func startSending() {
        measuring = true
        sending = true
        sender?.nextDue = Clock.now()
    }

    /// Drops every member's socket, then queues all of them to reconnect.
    func storm(_ worker: ClientWorker) {
        storming = true
        let members = worker.connections.filter { $0.tag == 0 }
        for connection in members {
            if connection.live { progress.live.subtract(1, ordering: .relaxed) }
            worker.drop(connection)
        }
        for connection in members { worker.connect(connection) }
    }

    override func wentLive(_ connection: ClientConnection, on worker: ClientWorker) {
        if storming && connection.tag == 0 { progress.resumed.add(1, ordering: .relaxed) }
    }

    override func failed(_ connection: ClientConnection, status: Int, error: Int32, on worker: ClientWorker) {
        // A refused or reset handshake is retried with a little jitter, as a real client would.
        progress.retries.add(1, ordering: .relaxed)
        worker.connect(connection, afterSeconds: Double.random(in: 0.05...0.25, using: &random))
    }

    override func tick(_ worker: ClientWorker, now: UInt64) {
        super.tick(worker, now: now)
        guard sending, let sender, sender.live, !senderGroups.isEmpty else { return }
        while now >= sender.nextDue {
            sender.nextDue += interval
            send(on: sender, worker: worker, group: senderGroups[nextGroup % senderGroups.count])
            nextGroup += 1
        }
    }
}
