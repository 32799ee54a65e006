import JSON
import Synchronization

/// `soak`: C clients in G class groups, all live, with mixed traffic for `--duration` seconds: random members
/// post (`--rate`), read up to their newest message (`--read-rate`), answer their group's vote — published by the
/// group's counselor at the start, answers may be changed — (`--answer-rate`) and drop and resume
/// (`--reconnect-rate`). Server RSS after the warm-up and at the end (growth beyond caches is a leak), server CPU
/// per delivery, errors and the delivery check across every reconnect.
struct SoakScenario: Scenario {
    let name = "soak"
    let unit = "delivery"
    let perUnitMetric = "serverCpuPerDeliveryUs"
    let command: BenchCommand
    let clients: Int
    let groups: Int
    let duration: Double
    let rates: SoakClient.Rates

    init(_ command: BenchCommand) {
        self.command = command
        groups = command.groups ?? 10
        let members = command.members ?? 100
        if case .count(let count) = command.connections {
            clients = max(groups * 2, count / groups * groups)
        } else {
            clients = groups * members
        }
        duration = command.duration ?? 900
        rates = SoakClient.Rates(
            sends: command.rate ?? 20,
            reads: command.readRate ?? 50,
            reconnects: command.reconnectRate ?? 5,
            answers: command.answerRate ?? 10
        )
    }

    var warmUp: Double { min(60, (duration * 10).rounded() / 100) }

    var parameters: [(String, JSONValue)] {
        [
            ("clients", .int(Int64(clients))), ("groups", .int(Int64(groups))), ("durationSeconds", .double(duration)),
            ("warmUpSeconds", .double(warmUp)), ("sendsPerSecond", .double(rates.sends)),
            ("readsPerSecond", .double(rates.reads)), ("reconnectsPerSecond", .double(rates.reconnects)),
            ("answersPerSecond", .double(rates.answers)),
            ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    func run(_ context: RunContext) throws -> RunResult {
        let members = clients / groups
        var fixture = Fixture(prefix: "sk\(groups)x\(members)", groups: groups, members: members, counselors: .perClass)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let command = self.command
        let threads = Double(pool.workers.count)
        let share = SoakClient.Rates(
            sends: rates.sends / threads,
            reads: rates.reads / threads,
            reconnects: rates.reconnects / threads,
            answers: rates.answers / threads
        )
        let cards = SoakCards()
        pool.broadcast { worker in
            worker.handler = SoakClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                rates: share,
                cards: cards
            )
            worker.tickMilliseconds = 5
        }
        let counselors = Set((0..<groups).map { fixture.counselor(of: $0) })
        ConnectPhase.start(pool, users: Array(0..<fixture.studentCount) + counselors.sorted()) { connection, _ in
            connection.isCounselor = counselors.contains(connection.user)
        }
        _ = try ConnectPhase.waitLive(progress, count: clients + groups, context: context, what: "clients")
        pool.broadcast { worker in
            for connection in worker.connections where connection.isCounselor {
                worker.request.reset()
                worker.request.append(#"{"type":"card.publish","id":"p1","group":"#)
                worker.request.append(connection.group)
                worker.request.append(#","clientMsgId":"soak-vote-"#)
                worker.request.append(connection.group)
                worker.request.append(#"","card":{"type":"vote","title":"班会时间","options":["周一","周三","周五"],"#)
                worker.request.append(#""allowEdit":true}}"#)
                worker.sendRequest(on: connection)
            }
        }
        let published = Wait.until(timeout: 30, progress: cards.count) { cards.count >= groups }
        guard published == .done else {
            throw ServerUnderTest.Failure(description: "the counselors' votes were not published (\(published))")
        }

        pool.broadcast { worker in (worker.handler as! SoakClient).start() }
        let pid = context.server.pid
        Clock.sleep(milliseconds: Int(warmUp * 1000))
        let measurement = Measurement(serverPID: pid)
        let deliveriesStart = progress.value(.deliveries)
        var rssMax = measurement.server.rssBytes
        let end = Clock.now() + UInt64((duration - warmUp) * 1e9)
        var nextReport = Clock.now() + 60_000_000_000
        while Clock.now() < end && context.server.isRunning {
            Clock.sleep(milliseconds: min(1000, Int(Double(end &- Clock.now()) / 1e6) + 1))
            rssMax = max(rssMax, ProcessSampler.sample(pid: pid)?.rssBytes ?? 0)
            if Clock.now() >= nextReport {
                nextReport += 60_000_000_000
                context.progress(
                    "\(progress.value(.acked)) messages, \(progress.value(.reads)) reads, "
                        + "\(progress.value(.resumed)) reconnects, RSS \(rssMax / 1024) KiB max"
                )
            }
        }
        let window = measurement.finish()
        let deliveries = progress.value(.deliveries) - deliveriesStart
        pool.broadcast { worker in (worker.handler as! SoakClient).running = false }
        // Every acked message reaches the group's students and its counselor (members + 1).
        let settled = Wait.until(timeout: 120, progress: progress.value(.deliveries) + progress.value(.live)) {
            let acked = progress.value(.acked)
            return acked + progress.value(.errors) >= progress.value(.sent) && progress.value(.live) >= clients
                && progress.value(.deliveries) >= acked * (members + 1)
        }

        let totals = pool.collect { GroupClientTotals($0.handler as! GroupClient) }
            .reduce(into: GroupClientTotals()) { $0.merge($1) }
        let loss = LossCheck.run(pool, heads: totals.heads) { _ in true }
        var result = RunResult()
        let start = Double(window.serverRSSStart)
        result.add("serverRssStartBytes", start, "B")
        result.add("serverRssEndBytes", Double(window.serverRSSEnd), "B")
        result.add("serverRssMaxBytes", Double(rssMax), "B")
        result.add("rssGrowthPercent", start > 0 ? (Double(window.serverRSSEnd) - start) / start * 100 : 0, "%")
        let anonymous = Double(window.serverAnonymousStart)
        result.add("serverRssAnonStartBytes", anonymous, "B")
        result.add("serverRssAnonEndBytes", Double(window.serverAnonymousEnd), "B")
        result.add(
            "rssAnonGrowthPerHourBytes",
            (Double(window.serverAnonymousEnd) - anonymous) / window.wallSeconds * 3600,
            "B"
        )
        result.add("messages", Double(progress.value(.acked)), "")
        result.add("reads", Double(progress.value(.reads)), "")
        result.add("reconnects", Double(progress.value(.resumed)), "")
        result.add("answers", Double(progress.value(.answers)), "")
        result.add("deliveriesPerSecond", Double(deliveries) / window.wallSeconds, "1/s")
        result.add("latencyP50Ms", totals.latency.percentile(0.5) / 1e6, "ms")
        result.add("latencyP99Ms", totals.latency.percentile(0.99) / 1e6, "ms")
        result.add("ackP99Ms", totals.ackLatency.percentile(0.99) / 1e6, "ms")
        result.addCPU(window, units: deliveries, unit: "delivery", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.missed = loss.missed
        result.duplicated = loss.duplicated
        result.errors = progress.value(.errors) + progress.value(.failed) + progress.value(.dropped)
        if settled != .done { result.notes.append("traffic did not settle at the end: \(settled)") }
        if !totals.errorCodes.isEmpty { result.notes.append("errors: \(totals.errorCodes)") }
        return result
    }
}

/// A soak client worker: paces sends, reads and reconnects over its own live connections.
final class SoakClient: GroupClient {
    struct Rates: Sendable {
        var sends: Double
        var reads: Double
        var reconnects: Double
        var answers: Double
    }

    let rates: Rates
    let cards: SoakCards
    var running = false
    private var nextSend: UInt64 = 0
    private var nextRead: UInt64 = 0
    private var nextReconnect: UInt64 = 0
    private var nextAnswer: UInt64 = 0
    private var answerCount: Int64 = 0
    private var reconnecting = false

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, rates: Rates, cards: SoakCards) {
        self.rates = rates
        self.cards = cards
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    func start() {
        measuring = true
        running = true
        reconnecting = true
        let now = Clock.now()
        (nextSend, nextRead, nextReconnect, nextAnswer) = (now, now, now, now)
    }

    override func wentLive(_ connection: ClientConnection, on worker: ClientWorker) {
        if reconnecting { progress.resumed.add(1, ordering: .relaxed) }
    }

    override func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {
        guard ServerMessage.kind(message) == .reply, let reply = ServerMessage.reply(message), reply.ok else { return }
        switch reply.idLetter {
        case UInt8(ascii: "r"): progress.reads.add(1, ordering: .relaxed)
        case UInt8(ascii: "a"): progress.answers.add(1, ordering: .relaxed)
        case UInt8(ascii: "p"):
            if let card = ServerMessage.integer(after: #""card":"#, in: message, from: reply.rest) {
                cards.set(card.value, for: connection.group)
            }
        default: break
        }
    }

    override func failed(_ connection: ClientConnection, status: Int, error: Int32, on worker: ClientWorker) {
        super.failed(connection, status: status, error: error, on: worker)
        worker.connect(connection, afterSeconds: 0.1)
    }

    override func tick(_ worker: ClientWorker, now: UInt64) {
        super.tick(worker, now: now)
        guard running, !worker.connections.isEmpty else { return }
        while rates.sends > 0 && now >= nextSend {
            nextSend += UInt64(1e9 / rates.sends)
            if let connection = pick(worker) { send(on: connection, worker: worker) }
        }
        while rates.reads > 0 && now >= nextRead {
            nextRead += UInt64(1e9 / rates.reads)
            if let connection = pick(worker), connection.lastSeq > Int64(connection.tag) {
                connection.tag = Int(connection.lastSeq)
                worker.request.read(group: connection.group, seq: connection.lastSeq, sentAt: now)
                worker.sendRequest(on: connection)
            }
        }
        while rates.answers > 0 && now >= nextAnswer {
            nextAnswer += UInt64(1e9 / rates.answers)
            if let connection = pick(worker), !connection.isCounselor, let card = cards.card(of: connection.group) {
                answerCount += 1
                worker.request.reset()
                worker.request.append(#"{"type":"card.respond","id":"a"#)
                worker.request.append(answerCount)
                worker.request.append(#"","card":"#)
                worker.request.append(card)
                worker.request.append(#","response":{"choices":["#)
                worker.request.append(Int64.random(in: 0...2, using: &random))
                worker.request.append("]}}")
                worker.sendRequest(on: connection)
            }
        }
        while rates.reconnects > 0 && now >= nextReconnect {
            nextReconnect += UInt64(1e9 / rates.reconnects)
            if let connection = pick(worker), connection.outstanding == 0 {
                progress.live.subtract(1, ordering: .relaxed)
                worker.drop(connection)
                worker.connect(connection)
            }
        }
    }

    /// A random live connection of this worker (nil if the one drawn is reconnecting).
    private func pick(_ worker: ClientWorker) -> ClientConnection? {
        let connection = worker.connections[Int.random(in: 0..<worker.connections.count, using: &random)]
        return connection.live ? connection : nil
    }
}

/// Each group's vote, as its counselor's publish reply named it.
final class SoakCards: Sendable {
    private let cards = Mutex<[Int64: Int64]>([:])

    var count: Int { cards.withLock { $0.count } }

    func set(_ card: Int64, for group: Int64) {
        cards.withLock { $0[group] = card }
    }

    func card(of group: Int64) -> Int64? {
        cards.withLock { $0[group] }
    }
}
