import Foundation
import Testing

/// Runs the built `yizhan-bench` for every scenario at a tiny size (one run, a few connections, a few messages)
/// so the tool never rots. No timing assertions: only that it finishes, exits 0, and prints one parseable
/// `RESULT` line with the expected keys and a clean delivery check.
@Suite(.serialized) struct BenchSmokeTests {
    static var benchPath: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("yizhan-bench").path
    }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the bench with `arguments`, killing it after `timeout` seconds.
    static func bench(_ arguments: [String], timeout: Double = 240) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: benchPath)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while waiting, so a full pipe never blocks the bench.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isError) in [(output, false), (errors, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(String(decoding: data, as: UTF8.self), error: isError)
                group.leave()
            }
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            group.wait()
        }
        process.waitUntilExit()
        let (out, err) = collected.values
        return Run(status: process.terminationStatus, output: out, errors: err)
    }

    static let cases: [[String]] = [
        ["connections", "--connections", "24", "--sync"],
        ["fanout", "--groups", "2", "--members", "5", "--messages", "20"],
        ["fanout", "--groups", "2", "--members", "4", "--rate", "400", "--duration", "1"],
        ["durable-send", "--senders", "4", "--groups", "2", "--messages", "25"],
        ["durable-send", "--senders", "4", "--groups", "2", "--rate", "200", "--duration", "1"],
        ["reconnect-storm", "--connections", "24", "--groups", "2", "--rate", "50"],
        ["receipts", "--readers", "12", "--messages", "2"],
        ["remind", "--members", "20", "--messages", "2"],
        ["news-push", "--connections", "12", "--messages", "2"],
        ["soak", "--connections", "24", "--groups", "3", "--duration", "3", "--reconnect-rate", "10"],
    ]

    @Test(arguments: cases)
    func scenarioRunsAndReports(_ arguments: [String]) throws {
        let run = try Self.bench(arguments + ["--runs", "1", "--threads", "2"])
        #expect(run.status == 0, "exit \(run.status)\n\(run.output)\n\(run.errors)")
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("RESULT ") }
        try #require(lines.count == 1, "expected one RESULT line:\n\(run.output)\n\(run.errors)")
        let json = try JSONSerialization.jsonObject(with: Data(lines[0].dropFirst(7).utf8)) as? [String: Any]
        let result = try #require(json)
        for key in [
            "scenario", "parameters", "runs", "unit", "serverCpuPerUnitUs", "serverRssBytes", "clientCpuCores",
            "medians", "ranges", "check", "backgroundLoad", "git", "date", "machine",
        ] {
            #expect(result[key] != nil, "RESULT has no '\(key)': \(lines[0])")
        }
        #expect(result["scenario"] as? String == arguments[0])
        let check = try #require(result["check"] as? [String: Any])
        #expect(check["missed"] as? Int == 0, "\(lines[0])")
        #expect(check["duplicated"] as? Int == 0, "\(lines[0])")
        #expect(check["errors"] as? Int == 0, "\(lines[0])")
        #expect(check["passed"] as? Bool == true)
        let medians = try #require(result["medians"] as? [String: Any])
        #expect((result["serverRssBytes"] as? Double ?? 0) > 0)
        #expect(!medians.isEmpty)
        if arguments[0] == "soak" {
            // The mix includes card answers (the counselors' votes were published and answered).
            #expect((medians["answers"] as? Double ?? 0) > 0, "\(lines[0])")
        }
    }

    @Test func helpListsTheScenarios() throws {
        let run = try Self.bench(["--help"])
        #expect(run.status == 0)
        for scenario in [
            "connections", "fanout", "durable-send", "remind", "news-push", "reconnect-storm", "receipts", "soak",
        ] {
            #expect(run.output.contains(scenario))
        }
    }

    @Test func unknownScenarioIsAUsageError() throws {
        let run = try Self.bench(["broadcast-everything", "--runs", "1"])
        #expect(run.status == 2)
        #expect(run.errors.contains("unknown scenario"))
    }
}

/// Output of the two pipes, filled from two reader threads.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var output = ""
    private var errors = ""

    func set(_ text: String, error: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if error { errors = text } else { output = text }
    }

    var values: (String, String) {
        lock.lock()
        defer { lock.unlock() }
        return (output, errors)
    }
}
