import Glibc
import JSON

/// `connections`: N authenticated WebSocket connections (token in the upgrade request), opened with `--in-flight`
/// handshakes at a time and then held idle. Handshake+auth rate, server CPU per handshake, server RSS per
/// connection; with `--sync`, also the RSS once every connection synced its class group (live for pushes).
struct ConnectionsScenario: Scenario {
    let name = "connections"
    let unit = "handshake"
    let perUnitMetric = "serverCpuPerHandshakeUs"
    let command: BenchCommand
    let requested: BenchCommand.ConnectionCount
    let classSize: Int
    let clientFileLimit: Int

    init(_ command: BenchCommand, clientFileLimit: Int) {
        self.command = command
        requested = command.connections ?? .count(10_000)
        classSize = command.members ?? 50
        self.clientFileLimit = clientFileLimit
    }

    /// With `max`, the server's own connection cap must not be what stops it: the file limit is.
    var serverSettings: [(key: String, value: Int)] {
        requested == .max ? [("limits.max_connections", 1_000_000)] : []
    }

    var parameters: [(String, JSONValue)] {
        let count: JSONValue =
            switch requested {
            case .count(let count): .int(Int64(count))
            case .max: .string("max")
            }
        return [
            ("connections", count), ("classSize", .int(Int64(classSize))), ("inFlight", .int(Int64(command.inFlight))),
            ("sync", .bool(command.syncConnections)), ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    /// How many connections both processes can hold: each side's open-file limit minus what it has open, minus
    /// a margin for the descriptors it opens while working (the store, /proc reads, accept).
    private func target(server: ServerUnderTest) -> (count: Int, limitedBy: String) {
        let clientOpen = ProcessSampler.openDescriptors(pid: getpid())
        let clientRoom = clientFileLimit - clientOpen - 16 - 2 * command.threads
        guard let serverLimit = ProcessSampler.openFileLimit(pid: server.pid)?.soft else {
            return (clientRoom, "client open-file limit")
        }
        let serverRoom = serverLimit - ProcessSampler.openDescriptors(pid: server.pid) - 16
        return serverRoom < clientRoom
            ? (serverRoom, "server open-file limit \(serverLimit)")
            : (clientRoom, "client open-file limit \(clientFileLimit)")
    }

    func run(_ context: RunContext) throws -> RunResult {
        var result = RunResult()
        let count: Int
        switch requested {
        case .count(let requested):
            count = requested
        case .max:
            let (limit, reason) = target(server: context.server)
            count = limit
            result.notes.append("max = \(limit) connections, limited by the \(reason)")
        }
        let groups = (count + classSize - 1) / classSize
        var fixture = Fixture(prefix: "cn\(classSize)", groups: groups, members: classSize, counselors: .perClass)
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let command = self.command
        pool.broadcast { worker in
            worker.handler = ConnectionsClient(progress: progress, idKind: command.idKind, textBytes: command.textBytes)
        }
        Clock.sleep(milliseconds: 500)
        let before = ProcessSampler.sample(pid: context.server.pid)?.rssBytes ?? 0

        // Two halves: the first also fills whatever the import left free in the server's heap, so the second
        // half's growth is the honest marginal cost of a connection.
        var windows: [Measurement.Window] = []
        var rss = [before]
        var openedAt: [Int] = [0]
        var outcome = Wait.Outcome.done
        for range in [0..<(count / 2), (count / 2)..<count] {
            let measurement = Measurement(serverPID: context.server.pid)
            ConnectPhase.start(pool, users: Array(range))
            outcome = Wait.until(timeout: 900, progress: progress.value(.opened) + progress.value(.failed)) {
                progress.value(.opened) + progress.value(.failed) >= range.upperBound
            }
            windows.append(measurement.finish())
            openedAt.append(progress.value(.opened))
            // Let the hub register every session before reading memory.
            Clock.sleep(milliseconds: 1000)
            rss.append(ProcessSampler.sample(pid: context.server.pid)?.rssBytes ?? 0)
            if outcome != .done { break }
        }
        let window = windows.dropFirst().reduce(windows[0]) { $0.adding($1) }
        let opened = progress.value(.opened)
        context.progress("\(opened) connected in \(Report.format(window.wallSeconds)) s (\(outcome))")
        let held = rss.last ?? 0
        let stats = pool.stats

        result.add("connectionsHeld", Double(opened), "")
        result.add("handshakesPerSecond", Double(opened) / window.wallSeconds, "1/s")
        result.add("handshakeP50Ms", stats.handshakes.percentile(0.5) / 1e6, "ms")
        result.add("handshakeP99Ms", stats.handshakes.percentile(0.99) / 1e6, "ms")
        if rss.count == 3, openedAt[2] > openedAt[1] {
            result.add(
                "serverRssPerConnectionBytes",
                Double(rss[2] - rss[1]) / Double(openedAt[2] - openedAt[1]),
                "B"
            )
        }
        result.add("serverRssPerConnectionAvgBytes", Double(held - before) / Double(max(1, opened)), "B")
        result.add("serverRssBeforeBytes", Double(before), "B")
        result.add("serverRssBytes", Double(held), "B")
        result.addCPU(window, units: opened, unit: "handshake", threads: command.threads)

        if command.syncConnections, opened > 0 {
            let sync = Measurement(serverPID: context.server.pid)
            pool.broadcast { worker in
                for connection in worker.connections where connection.state == .open {
                    worker.request.conversations()
                    worker.sendRequest(on: connection)
                }
            }
            let synced = Wait.until(timeout: 600, progress: progress.value(.live)) {
                progress.value(.live) >= opened
            }
            let syncWindow = sync.finish()
            Clock.sleep(milliseconds: 1000)
            let live = ProcessSampler.sample(pid: context.server.pid)?.rssBytes ?? 0
            context.progress(
                "\(progress.value(.live)) synced in \(Report.format(syncWindow.wallSeconds)) s (\(synced))"
            )
            result.add("serverRssSyncPerConnectionBytes", Double(live - held) / Double(opened), "B")
            result.add("serverCpuPerSyncUs", syncWindow.serverCPUSeconds / Double(opened) * 1e6, "µs")
            result.add("serverRssLiveBytes", Double(live), "B")
        }
        result.errors = progress.value(.failed) + progress.value(.dropped) + progress.value(.errors)
        if !stats.failures.isEmpty { result.notes.append("connection failures: \(stats.failures)") }
        if outcome != .done { result.notes.append("connecting did not finish: \(outcome)") }
        return result
    }
}

/// Holds connections idle; syncs only when the scenario asks.
final class ConnectionsClient: GroupClient {
    override func syncs(_ connection: ClientConnection) -> Bool { false }
}
