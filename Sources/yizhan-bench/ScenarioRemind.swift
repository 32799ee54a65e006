import JSON
import Synchronization

/// `remind`: a counselor and the M members of one class group are live; the counselor publishes a class task and,
/// with nobody done, sends one-click remind (一键提醒). Measured: from the `task.remind` request to the last
/// member receiving its reminder (in its inbox), and the server CPU that took. Repeated `--messages` times (default
/// 3), each on a new task (a task can be reminded once per `hub.task_remind_interval`).
struct RemindScenario: Scenario {
    let name = "remind"
    let unit = "reminder"
    let perUnitMetric = "serverCpuPerReminderUs"
    let command: BenchCommand
    let members: Int
    let rounds: Int

    init(_ command: BenchCommand) {
        self.command = command
        members = command.members ?? 5000
        rounds = command.messages ?? 3
    }

    var parameters: [(String, JSONValue)] {
        [("members", .int(Int64(members))), ("rounds", .int(Int64(rounds)))]
    }

    func run(_ context: RunContext) throws -> RunResult {
        var fixture = Fixture(prefix: "rm1x\(members)", groups: 1, members: members, counselors: .perClass)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let watch = RemindWatch()
        let command = self.command
        pool.broadcast { worker in
            worker.handler = RemindClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                watch: watch
            )
        }
        let counselor = fixture.counselor(of: 0)
        ConnectPhase.start(pool, users: [counselor] + Array(0..<members)) { connection, _ in
            if connection.user == counselor { connection.tag = 2 }
        }
        _ = try ConnectPhase.waitLive(progress, count: members + 1, context: context, what: "members")

        var result = RunResult()
        var lastDelivery: [Double] = []
        var windows: [Measurement.Window] = []
        for round in 1...rounds {
            watch.reset()
            onCounselor(pool) { worker in
                worker.request.reset()
                worker.request.append(#"{"type":"task.publish","id":"p"#)
                worker.request.append(Int64(round))
                worker.request.append(#"","group":"#)
                worker.request.append(Int64(watch.group.load(ordering: .relaxed)))
                worker.request.append(#","clientMsgId":"bench-remind-"#)
                worker.request.append(Int64(Clock.now() / 1000))
                worker.request.append(#"","task":{"title":"提交体检表"}}"#)
            }
            let published = Wait.until(timeout: 60, progress: watch.tasks.load(ordering: .relaxed)) {
                watch.task.load(ordering: .relaxed) > 0 && watch.tasks.load(ordering: .relaxed) >= members + 1
            }
            guard published == .done else {
                throw ServerUnderTest.Failure(description: "the task did not reach every member (\(published))")
            }
            let measurement = Measurement(serverPID: context.server.pid)
            let start = Clock.now()
            onCounselor(pool) { worker in
                worker.request.reset()
                worker.request.append(#"{"type":"task.remind","id":"k"#)
                worker.request.append(Int64(round))
                worker.request.append(#"","task":"#)
                worker.request.append(watch.task.load(ordering: .relaxed))
                worker.request.append("}")
            }
            let reminded = Wait.until(timeout: 60, progress: watch.reminders.load(ordering: .relaxed)) {
                watch.reminders.load(ordering: .relaxed) >= members
            }
            windows.append(measurement.finish())
            if reminded != .done { result.notes.append("round \(round): not every member was reminded (\(reminded))") }
            let last = watch.lastReminder.load(ordering: .relaxed)
            lastDelivery.append(last > start ? Double(last - start) / 1e9 : .nan)
            result.missed += max(0, members - watch.reminders.load(ordering: .relaxed))
        }
        let window = windows.dropFirst().reduce(windows[0]) { $0.adding($1) }
        context.progress(
            "\(rounds) reminder(s) of \(members) members: last delivered after "
                + lastDelivery.map { Report.format($0 * 1000) + " ms" }.joined(separator: ", ")
        )
        result.add("lastReminderMs", Statistics.median(lastDelivery) * 1000, "ms")
        result.add("lastReminderMaxMs", (lastDelivery.max() ?? .nan) * 1000, "ms")
        result.add("serverCpuPerRemindMs", window.serverCPUSeconds / Double(rounds) * 1000, "ms")
        result.addCPU(window, units: members * rounds, unit: "reminder", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.errors = progress.value(.errors) + progress.value(.dropped)
        return result
    }

    /// Queues the request `write` builds on the counselor's connection.
    private func onCounselor(_ pool: ClientPool, _ write: @escaping @Sendable (ClientWorker) -> Void) {
        pool.broadcast { worker in
            for connection in worker.connections where connection.tag == 2 {
                write(worker)
                worker.sendRequest(on: connection)
            }
        }
    }
}

/// What the clients saw of the current round.
final class RemindWatch: Sendable {
    /// The class group (learned from the counselor's conversations) and the task of this round.
    let group = Atomic<Int64>(0)
    let task = Atomic<Int64>(0)
    /// Task messages and reminders received, and the clock when the newest reminder arrived.
    let tasks = Atomic<Int>(0)
    let reminders = Atomic<Int>(0)
    let lastReminder = Atomic<UInt64>(0)

    func reset() {
        task.store(0, ordering: .relaxed)
        tasks.store(0, ordering: .relaxed)
        reminders.store(0, ordering: .relaxed)
        lastReminder.store(0, ordering: .relaxed)
    }
}

/// Counts task messages and reminders; the counselor takes the task id from its publish reply.
final class RemindClient: GroupClient {
    let watch: RemindWatch

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, watch: RemindWatch) {
        self.watch = watch
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    override func learnedGroup(_ connection: ClientConnection, heads: [Int64: Int64], on worker: ClientWorker) {
        if connection.tag == 2, connection.group != 0 { watch.group.store(connection.group, ordering: .relaxed) }
        super.learnedGroup(connection, heads: heads, on: worker)
    }

    override func received(_ message: UnsafeRawBufferPointer, on connection: ClientConnection, worker: ClientWorker) {
        if ServerMessage.kind(message) == .message {
            if ServerMessage.find(#""kind":"reminder""#, in: message) != nil {
                let now = Clock.now()
                watch.reminders.add(1, ordering: .relaxed)
                var last = watch.lastReminder.load(ordering: .relaxed)
                while last < now {
                    let (exchanged, original) = watch.lastReminder.compareExchange(
                        expected: last,
                        desired: now,
                        ordering: .relaxed
                    )
                    if exchanged { break }
                    last = original
                }
                return
            }
            if ServerMessage.find(#""kind":"task""#, in: message) != nil { watch.tasks.add(1, ordering: .relaxed) }
        }
        super.received(message, on: connection, worker: worker)
    }

    override func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {
        guard ServerMessage.kind(message) == .reply, let reply = ServerMessage.reply(message),
            reply.idLetter == UInt8(ascii: "p"), reply.ok,
            let task = ServerMessage.integer(after: #""task":"#, in: message, from: reply.rest)
        else { return }
        watch.task.store(task.value, ordering: .relaxed)
    }
}
