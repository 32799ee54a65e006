import JSON

/// `durable-send`: many senders, each keeping `window` sends unacked, spread over G groups. The senders never
/// `sync`, so nothing is fanned out: this measures the write path (decode, validate, group commit in SQLite with
/// the default durability, ack). Every ack must carry a new seq, and each group's seqs must be dense.
struct DurableSendScenario: Scenario {
    let name = "durable-send"
    let unit = "message"
    let perUnitMetric = "serverCpuPerMessageUs"
    let command: BenchCommand
    let senders: Int
    let groups: Int
    let window: Int
    /// Messages per second in all, or nil for saturation.
    let rate: Double?
    let messagesPerSender: Int

    init(_ command: BenchCommand) {
        self.command = command
        senders = command.senders ?? 100
        groups = min(command.groups ?? 10, senders)
        window = command.window ?? 32
        rate = command.rate
        if let rate {
            messagesPerSender = max(1, Int((rate * (command.duration ?? 10) / Double(senders)).rounded()))
        } else {
            messagesPerSender = command.messages ?? 3000
        }
    }

    var parameters: [(String, JSONValue)] {
        [
            ("senders", .int(Int64(senders))), ("groups", .int(Int64(groups))),
            ("mode", .string(rate == nil ? "saturation" : "fixed-rate")),
            rate.map { ("rate", .double($0)) } ?? ("window", .int(Int64(window))),
            ("messagesPerSender", .int(Int64(messagesPerSender))), ("durability", .string("default")),
            ("clientMsgIds", .string(command.idKind.rawValue)), ("textBytes", .int(Int64(command.textBytes))),
            ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    func run(_ context: RunContext) throws -> RunResult {
        let perGroup = (senders + groups - 1) / groups
        var fixture = Fixture(
            prefix: "ds\(groups)x\(perGroup)",
            groups: groups,
            members: perGroup,
            counselors: .perClass
        )
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let command = self.command
        let sendWindow = self.window
        let interval = rate.map { UInt64(1e9 * Double(senders) / $0) }
        pool.broadcast { worker in
            worker.handler = DurableSender(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                window: sendWindow,
                interval: interval
            )
            if interval != nil { worker.tickMilliseconds = 1 }
        }
        let messages = messagesPerSender
        ConnectPhase.start(pool, users: Array(0..<senders)) { connection, _ in connection.remaining = messages }
        _ = try ConnectPhase.waitLive(progress, count: senders, context: context, what: "senders")

        let total = senders * messagesPerSender
        let measurement = Measurement(serverPID: context.server.pid)
        pool.broadcast { worker in (worker.handler as! DurableSender).start() }
        let outcome = Wait.until(timeout: 3600, progress: progress.value(.acked) + progress.value(.errors)) {
            progress.value(.acked) + progress.value(.errors) >= total
        }
        let window = measurement.finish()
        let acked = progress.value(.acked)
        context.progress("\(acked) acked in \(Report.format(window.wallSeconds)) s (\(outcome))")

        let parts = pool.collect { worker in
            let sender = worker.handler as! DurableSender
            return (GroupClientTotals(sender), sender.seqs, sender.duplicateAcks)
        }
        var totals = GroupClientTotals()
        var seqs: [Int64: [Int64]] = [:]
        var duplicateAcks = 0
        for (part, groupSeqs, duplicates) in parts {
            totals.merge(part)
            seqs.merge(groupSeqs) { $0 + $1 }
            duplicateAcks += duplicates
        }
        // Dense and unique per group: n acks cover exactly n consecutive seqs.
        var duplicated = duplicateAcks
        var gaps = 0
        for (_, list) in seqs {
            let distinct = Set(list)
            duplicated += list.count - distinct.count
            if let low = distinct.min(), let high = distinct.max() { gaps += Int(high - low + 1) - distinct.count }
        }

        var result = RunResult()
        result.add("ackedPerSecond", Double(acked) / window.wallSeconds, "1/s")
        result.add("ackP50Ms", totals.ackLatency.percentile(0.5) / 1e6, "ms")
        result.add("ackP99Ms", totals.ackLatency.percentile(0.99) / 1e6, "ms")
        result.add("ackP999Ms", totals.ackLatency.percentile(0.999) / 1e6, "ms")
        result.addCPU(window, units: acked, unit: "message", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.missed = max(0, total - acked - progress.value(.errors)) + gaps
        result.duplicated = duplicated
        result.errors = progress.value(.errors) + progress.value(.dropped)
        if outcome != .done { result.notes.append("the run did not finish: \(outcome)") }
        if !totals.errorCodes.isEmpty { result.notes.append("errors: \(totals.errorCodes)") }
        return result
    }
}

/// A sender that never syncs: learns its group from `conversations`, then posts with a window, or on a schedule.
final class DurableSender: GroupClient {
    let window: Int
    /// Nanoseconds between one sender's messages at a fixed rate.
    let interval: UInt64?
    private var running = false
    /// Acked seqs per group.
    var seqs: [Int64: [Int64]] = [:]
    var duplicateAcks = 0
    private var ready: [ClientConnection] = []

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, window: Int, interval: UInt64?) {
        self.window = window
        self.interval = interval
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    func start() {
        running = true
        let now = Clock.now()
        for (index, sender) in ready.enumerated() {
            sender.nextDue = now + (interval ?? 0) * UInt64(index) / UInt64(max(1, ready.count))
        }
    }

    override func learnedGroup(_ connection: ClientConnection, heads: [Int64: Int64], on worker: ClientWorker) {
        // Not live: the sender receives its acks, no pushes.
        ready.append(connection)
        progress.live.add(1, ordering: .relaxed)
    }

    override func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {}

    override func acked(_ connection: ClientConnection, ok: Bool, on worker: ClientWorker) {}

    override func received(_ message: UnsafeRawBufferPointer, on connection: ClientConnection, worker: ClientWorker) {
        if ServerMessage.kind(message) == .reply, let reply = ServerMessage.reply(message),
            reply.idLetter == UInt8(ascii: "s"), reply.ok,
            let group = ServerMessage.integer(after: #""group":"#, in: message, from: reply.rest),
            let seq = ServerMessage.integer(after: #""seq":"#, in: message, from: group.end)
        {
            seqs[group.value, default: []].append(seq.value)
            if ServerMessage.find(#""duplicate":true"#, in: message, from: seq.end) != nil { duplicateAcks += 1 }
        }
        super.received(message, on: connection, worker: worker)
    }

    override func tick(_ worker: ClientWorker, now: UInt64) {
        super.tick(worker, now: now)
        guard running else { return }
        for sender in ready where sender.state == .open {
            if let interval {
                while sender.remaining > 0 && now >= sender.nextDue {
                    sender.nextDue += interval
                    sender.remaining -= 1
                    send(on: sender, worker: worker)
                }
            } else {
                while sender.remaining > 0 && sender.outstanding < window {
                    sender.remaining -= 1
                    send(on: sender, worker: worker)
                }
            }
        }
    }
}
