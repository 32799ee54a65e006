import JSON

/// `fanout`: G groups × M online members; S members per group post through `send`. At saturation each sender
/// keeps `window` sends unacked (and waits while the members are more than `backlog` messages behind, so the
/// server's queues stay far from the slow-consumer limit); with `--rate` the senders post on a fixed schedule.
struct FanoutScenario: Scenario {
    let name = "fanout"
    let unit = "delivery"
    let perUnitMetric = "serverCpuPerDeliveryUs"
    let groups: Int
    let members: Int
    let senders: Int
    let window: Int
    /// Deliveries per second, or nil for saturation.
    let rate: Double?
    let messagesPerGroup: Int
    let command: BenchCommand

    init(_ command: BenchCommand) {
        self.command = command
        groups = command.groups ?? 10
        members = command.members ?? 500
        senders = min(command.senders ?? 1, members)
        window = command.window ?? 16
        rate = command.rate
        if let rate {
            let duration = command.duration ?? 10
            messagesPerGroup = max(1, Int((rate * duration / Double(members * groups)).rounded()))
        } else {
            messagesPerGroup = command.messages ?? max(1, 4_000_000 / (groups * members))
        }
    }

    var parameters: [(String, JSONValue)] {
        var list: [(String, JSONValue)] = [
            ("groups", .int(Int64(groups))), ("members", .int(Int64(members))),
            ("sendersPerGroup", .int(Int64(senders))), ("messagesPerGroup", .int(Int64(messagesPerGroup))),
            ("mode", .string(rate == nil ? "saturation" : "fixed-rate")),
        ]
        if let rate {
            list.append(("rate", .double(rate)))
        } else {
            list += [("window", .int(Int64(window))), ("backlogPerMember", .int(Int64(command.backlog)))]
        }
        list += [
            ("clientMsgIds", .string(command.idKind.rawValue)), ("textBytes", .int(Int64(command.textBytes))),
            ("clientThreads", .int(Int64(command.threads))),
        ]
        return list
    }

    func run(_ context: RunContext) throws -> RunResult {
        var fixture = Fixture(prefix: "fo\(groups)x\(members)", groups: groups, members: members, counselors: .perClass)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let members = self.members
        let perSender = messagesPerGroup / senders
        let extra = messagesPerGroup % senders
        // Deliveries per second → messages per second per sender.
        let interval = rate.map { UInt64(1e9 / ($0 / Double(members) / Double(groups * senders))) }
        let config = FanoutClient.Config(
            window: self.window,
            interval: interval,
            members: members,
            backlogCap: command.backlog * members * groups
        )
        let command = self.command
        pool.broadcast { worker in
            worker.handler = FanoutClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                config: config
            )
            if interval != nil { worker.tickMilliseconds = 1 }
        }
        ConnectPhase.start(pool, users: Array(0..<fixture.studentCount)) { connection, _ in
            let member = connection.user % members
            if member < senders {
                connection.tag = 1
                connection.remaining = perSender + (member < extra ? 1 : 0)
            }
        }
        _ = try ConnectPhase.waitLive(progress, count: fixture.studentCount, context: context, what: "members")
        guard progress.value(.failed) == 0 else {
            throw ServerUnderTest.Failure(description: "\(progress.value(.failed)) members could not connect")
        }

        let expected = messagesPerGroup * groups * members
        let measurement = Measurement(serverPID: context.server.pid)
        pool.broadcast { worker in (worker.handler as! FanoutClient).start(worker) }
        let outcome = Wait.until(timeout: 3600, progress: progress.value(.deliveries)) {
            progress.value(.deliveries) >= expected
                && progress.value(.acked) + progress.value(.errors)
                    >= messagesPerGroup * groups
        }
        let window = measurement.finish()
        context.progress(
            "\(progress.value(.acked)) messages, \(progress.value(.deliveries)) deliveries in "
                + "\(Report.format(window.wallSeconds)) s (\(outcome))"
        )

        let totals = pool.collect { worker in
            let client = worker.handler as! FanoutClient
            return (GroupClientTotals(client), client.lateness)
        }
        var merged = GroupClientTotals()
        var lateness = Histogram()
        for (total, late) in totals {
            merged.merge(total)
            lateness.merge(late)
        }
        let loss = LossCheck.run(pool, heads: merged.heads) { _ in true }

        var result = RunResult()
        let deliveries = progress.value(.deliveries)
        result.add("deliveriesPerSecond", Double(deliveries) / window.wallSeconds, "1/s")
        result.add("messagesPerSecond", Double(progress.value(.acked)) / window.wallSeconds, "1/s")
        result.add("latencyP50Ms", merged.latency.percentile(0.5) / 1e6, "ms")
        result.add("latencyP99Ms", merged.latency.percentile(0.99) / 1e6, "ms")
        result.add("latencyP999Ms", merged.latency.percentile(0.999) / 1e6, "ms")
        result.add("latencyMaxMs", Double(merged.latency.maximum) / 1e6, "ms")
        result.add("ackP50Ms", merged.ackLatency.percentile(0.5) / 1e6, "ms")
        result.add("ackP99Ms", merged.ackLatency.percentile(0.99) / 1e6, "ms")
        result.addCPU(window, units: deliveries, unit: "delivery", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        if rate != nil {
            let late = lateness.percentile(0.99) / 1e6
            result.add("senderLatenessP99Ms", late, "ms")
            if late > 5 {
                result.notes.append("the senders fell behind their schedule (p99 \(Report.format(late)) ms late)")
            }
        }
        result.missed = loss.missed + max(0, expected - deliveries - loss.missed)
        result.duplicated = loss.duplicated
        result.errors = progress.value(.errors) + progress.value(.dropped)
        if outcome != .done { result.notes.append("the run did not finish: \(outcome)") }
        if !merged.errorCodes.isEmpty { result.notes.append("errors: \(merged.errorCodes)") }
        return result
    }
}

/// A fan-out member; members tagged 1 also send.
final class FanoutClient: GroupClient {
    struct Config: Sendable {
        var window: Int
        /// Nanoseconds between a sender's messages at a fixed rate; nil at saturation.
        var interval: UInt64?
        var members: Int
        /// Deliveries owed but not received, in all, before senders wait.
        var backlogCap: Int
    }

    let config: Config
    private var senders: [ClientConnection] = []
    private var running = false
    /// How late paced sends left relative to their schedule.
    var lateness = Histogram()

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, config: Config) {
        self.config = config
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    override func wentLive(_ connection: ClientConnection, on worker: ClientWorker) {
        if connection.tag == 1 { senders.append(connection) }
    }

    func start(_ worker: ClientWorker) {
        measuring = true
        running = true
        let now = Clock.now()
        for (index, sender) in senders.enumerated() {
            // Spread the first sends over one interval so the senders do not post in lockstep.
            sender.nextDue = now + (config.interval ?? 0) * UInt64(index) / UInt64(max(1, senders.count))
        }
    }

    override func tick(_ worker: ClientWorker, now: UInt64) {
        super.tick(worker, now: now)
        guard running else { return }
        if let interval = config.interval {
            for sender in senders {
                while sender.remaining > 0 && now >= sender.nextDue && sender.live {
                    lateness.record(now - sender.nextDue)
                    sender.nextDue += interval
                    post(sender, worker)
                }
            }
        } else {
            for sender in senders {
                while sender.remaining > 0 && sender.outstanding < config.window && sender.live {
                    let backlog = progress.value(.owed) - progress.value(.deliveries)
                    if backlog >= config.backlogCap { return }
                    post(sender, worker)
                }
            }
        }
    }

    private func post(_ sender: ClientConnection, _ worker: ClientWorker) {
        sender.remaining -= 1
        progress.owed.add(config.members, ordering: .relaxed)
        send(on: sender, worker: worker)
    }
}
