import Glibc
import JSON

/// One benchmark scenario: its resolved parameters and how to do one run against a fresh server.
protocol Scenario {
    var name: String { get }
    /// The parameters after defaults, for the report.
    var parameters: [(String, JSONValue)] { get }
    /// What the server's CPU time is divided by: "delivery", "handshake", "message" or "read".
    var unit: String { get }
    /// The name of the metric holding server CPU µs per unit.
    var perUnitMetric: String { get }
    /// Server settings (config-file keys) this scenario needs, beyond the defaults.
    var serverSettings: [(key: String, value: Int)] { get }
    func run(_ context: RunContext) throws -> RunResult
}

extension Scenario {
    var serverSettings: [(key: String, value: Int)] { [] }
}

/// What a run gets: the command line, the server, and a way to say what it is doing.
struct RunContext {
    let command: BenchCommand
    let server: ServerUnderTest
    let run: Int

    /// A progress line on standard error (the table and RESULT line go to standard output).
    func progress(_ text: String) {
        guard !command.quiet else { return }
        var line = Array("  [run \(run)] \(text)\n".utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Client threads connecting to the server with `fixture`'s tokens.
    func makePool(_ fixture: Fixture) -> ClientPool {
        let target = ClientTarget(
            host: server.host,
            port: server.port,
            spreadSources: server.host.hasPrefix("127."),
            tokens: fixture.tokens
        )
        return ClientPool(threads: command.threads, target: target, inFlight: command.inFlight)
    }
}

/// A metric of one run.
struct Metric {
    var name: String
    var value: Double
    var unit: String
}

/// The outcome of one run: metrics in display order, the correctness checks, and notes.
struct RunResult {
    var metrics: [Metric] = []
    /// Messages some client should have and never got.
    var missed = 0
    /// Messages some client got twice (or out of order).
    var duplicated = 0
    /// Error replies, unexpected closes, refused handshakes, server warnings.
    var errors = 0
    var notes: [String] = []
    var loadAverage: [Double] = []
    var serverLogLines: [String] = []

    mutating func add(_ name: String, _ value: Double, _ unit: String) {
        metrics.append(Metric(name: name, value: value, unit: unit))
    }

    /// The usual CPU metrics of a measured window; `units` of work (deliveries, handshakes…) for per-unit cost.
    mutating func addCPU(_ window: Measurement.Window, units: Int, unit: String, threads: Int) {
        let perUnit = { (seconds: Double) in units > 0 ? seconds / Double(units) * 1e6 : 0 }
        add("serverCpuPer\(unit.capitalizedFirst)Us", perUnit(window.serverCPUSeconds), "µs")
        add("clientCpuPer\(unit.capitalizedFirst)Us", perUnit(window.clientCPUSeconds), "µs")
        add("serverCpuCores", window.cores(window.serverCPUSeconds), "cores")
        add("clientCpuCores", window.cores(window.clientCPUSeconds), "cores")
        add("backgroundCpuCores", window.cores(window.backgroundCPUSeconds), "cores")
        add("stealCores", window.cores(window.stealSeconds), "cores")
        add("measuredSeconds", window.wallSeconds, "s")
        // Under a second, /proc's 10 ms CPU ticks make utilisation too coarse to judge.
        guard window.wallSeconds >= 1 else { return }
        let cpus = Double(ProcessSampler.cpuCount)
        let client = window.cores(window.clientCPUSeconds)
        if client >= 0.85 * min(Double(threads), cpus) {
            notes.append(
                "client-bound: the bench kept \(format(client)) cores busy with \(threads) threads; "
                    + "rates are limited by the client (server CPU per \(unit) stays valid)"
            )
        }
        let total = window.cores(window.serverCPUSeconds + window.clientCPUSeconds + window.backgroundCPUSeconds)
        if total >= 0.9 * cpus {
            notes.append(
                "machine saturated: server, client and background kept \(format(total)) of \(Int(cpus)) CPUs busy, "
                    + "so wall-clock rates and latencies are bounded by the shared CPUs"
            )
        }
    }

    private func format(_ value: Double) -> String {
        String(Double(Int((value * 100).rounded())) / 100)
    }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
