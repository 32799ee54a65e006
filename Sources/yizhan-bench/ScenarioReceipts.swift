import JSON
import Synchronization

/// `receipts`: R members of one class group and their counselor are live; the counselor posts a message, every
/// member gets it, then all R mark it read in the same instant (repeated `--messages` times, default 5). The server should answer each `read` and tell the
/// sender in a few coalesced `receipts` pushes (one per `hub.receipt_interval`), not one per reader.
struct ReceiptsScenario: Scenario {
    let name = "receipts"
    let unit = "read"
    let perUnitMetric = "serverCpuPerReadUs"
    let command: BenchCommand
    let readers: Int
    /// Bursts per run, each on a new message (their CPU is added up, for precision).
    let rounds: Int

    init(_ command: BenchCommand) {
        self.command = command
        readers = command.readers ?? 2000
        rounds = command.messages ?? 5
    }

    var parameters: [(String, JSONValue)] {
        [
            ("readers", .int(Int64(readers))), ("bursts", .int(Int64(rounds))),
            ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    func run(_ context: RunContext) throws -> RunResult {
        var fixture = Fixture(prefix: "rc1x\(readers)", groups: 1, members: readers, counselors: .perClass)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let watch = ReceiptWatch()
        let command = self.command
        pool.broadcast { worker in
            worker.handler = ReceiptsClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                watch: watch
            )
        }
        let sender = fixture.counselor(of: 0)
        ConnectPhase.start(pool, users: [sender] + Array(0..<readers)) { connection, _ in
            if connection.user == sender { connection.tag = 2 }
        }
        _ = try ConnectPhase.waitLive(progress, count: readers + 1, context: context, what: "members")

        var windows: [Measurement.Window] = []
        var frames = 0
        var replySeconds = 0.0
        var fullReceipt: [Double] = []
        var unseen = 0
        var result = RunResult()
        for round in 1...rounds {
            let (group, seq) = try post(round: round, pool: pool, progress: progress)
            // Let the receipt push for the sender's own read (sending is reading) go by first.
            Clock.sleep(milliseconds: 1500)
            watch.arm(seq: seq)
            let measurement = Measurement(serverPID: context.server.pid)
            let start = Clock.now()
            pool.broadcast { worker in
                for connection in worker.connections where connection.tag == 0 {
                    worker.request.read(group: group, seq: seq, sentAt: Clock.now())
                    worker.sendRequest(on: connection)
                }
            }
            let replies = Wait.until(timeout: 120, progress: progress.value(.reads)) {
                progress.value(.reads) + progress.value(.errors) >= readers * round
            }
            replySeconds += Clock.seconds(from: start, to: Clock.now())
            let complete = Wait.until(timeout: 30, progress: watch.frames.load(ordering: .relaxed)) {
                watch.readCount.load(ordering: .relaxed) >= readers
            }
            windows.append(measurement.finish())
            fullReceipt.append(Clock.seconds(from: start, to: Clock.now()))
            frames += watch.frames.load(ordering: .relaxed)
            unseen += max(0, readers - watch.readCount.load(ordering: .relaxed))
            if replies != .done { result.notes.append("not every read was answered: \(replies)") }
            if complete != .done { result.notes.append("the sender never saw every read: \(complete)") }
        }
        let window = windows.dropFirst().reduce(windows[0]) { $0.adding($1) }
        context.progress(
            "\(rounds) burst(s) of \(readers) reads: \(frames) receipt frame(s) to the sender, all read seen after "
                + fullReceipt.map { Report.format($0) + " s" }.joined(separator: ", ")
        )
        let readLatency = pool.collect { ($0.handler as! ReceiptsClient).readLatency }
            .reduce(into: Histogram()) { $0.merge($1) }

        let reads = progress.value(.reads)
        result.add("readsPerSecond", Double(reads) / replySeconds, "1/s")
        result.add("readReplyP50Ms", readLatency.percentile(0.5) / 1e6, "ms")
        result.add("readReplyP99Ms", readLatency.percentile(0.99) / 1e6, "ms")
        result.add("receiptFramesPerBurst", Double(frames) / Double(rounds), "")
        result.add("receiptFramesPerSecond", Double(frames) / fullReceipt.reduce(0, +), "1/s")
        result.add("timeToFullReceiptMs", Statistics.median(fullReceipt) * 1000, "ms")
        result.addCPU(window, units: reads, unit: "read", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.missed = max(0, readers * rounds - reads) + unseen
        result.errors = progress.value(.errors) + progress.value(.dropped)
        return result
    }

    /// The counselor posts one message; returns its group and seq once every member has it.
    private func post(round: Int, pool: ClientPool, progress: Progress) throws -> (Int64, Int64) {
        pool.broadcast { worker in
            for connection in worker.connections where connection.tag == 2 {
                (worker.handler as! ReceiptsClient).send(on: connection, worker: worker)
            }
        }
        let delivered = Wait.until(timeout: 60, progress: progress.value(.deliveries)) {
            progress.value(.acked) == round && progress.value(.deliveries) >= (readers + 1) * round
        }
        guard delivered == .done else {
            throw ServerUnderTest.Failure(description: "message \(round) did not reach every member (\(delivered))")
        }
        let totals = pool.collect { GroupClientTotals($0.handler as! GroupClient) }
            .reduce(into: GroupClientTotals()) { $0.merge($1) }
        guard let (group, seq) = totals.heads.first else {
            throw ServerUnderTest.Failure(description: "no ack for message \(round)")
        }
        return (group, seq)
    }
}

/// What the sender's receipt pushes said about the watched message.
final class ReceiptWatch: Sendable {
    let seq = Atomic<Int64>(0)
    let frames = Atomic<Int>(0)
    let readCount = Atomic<Int>(0)

    func arm(seq value: Int64) {
        frames.store(0, ordering: .relaxed)
        readCount.store(0, ordering: .relaxed)
        seq.store(value, ordering: .relaxed)
    }
}

/// Members answer nothing special; the sender counts `receipts` pushes; readers time their `read` replies.
final class ReceiptsClient: GroupClient {
    let watch: ReceiptWatch
    var readLatency = Histogram()

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, watch: ReceiptWatch) {
        self.watch = watch
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    override func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {
        switch ServerMessage.kind(message) {
        case .reply:
            guard let reply = ServerMessage.reply(message), reply.idLetter == UInt8(ascii: "r"), reply.ok else {
                return
            }
            readLatency.record(Clock.now() &- reply.idNumber)
            progress.reads.add(1, ordering: .relaxed)
        case .receipts:
            let watched = watch.seq.load(ordering: .relaxed)
            guard connection.tag == 2, watched > 0, let value = ServerMessage.parse(message) else { return }
            watch.frames.add(1, ordering: .relaxed)
            for update in value["updates"]?.arrayValue ?? [] where update["seq"]?.int64Value == watched {
                let count = Int(update["readCount"]?.int64Value ?? 0)
                if count > watch.readCount.load(ordering: .relaxed) { watch.readCount.store(count, ordering: .relaxed) }
            }
        default:
            break
        }
    }
}
