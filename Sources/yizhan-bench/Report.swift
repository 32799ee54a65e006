import Foundation
import Glibc
import JSON

/// Medians and ranges over a scenario's runs, printed as a table for people and as one `RESULT {json}` line for
/// the README and scripts.
struct Report {
    let scenario: any Scenario
    let command: BenchCommand
    let results: [RunResult]
    let serverFileLimit: Int?
    let date = Report.isoDate()
    let revision = Report.gitRevision()

    var missed: Int { results.reduce(0) { $0 + $1.missed } }
    var duplicated: Int { results.reduce(0) { $0 + $1.duplicated } }
    var errors: Int { results.reduce(0) { $0 + $1.errors } }
    var passed: Bool { missed == 0 && duplicated == 0 && errors == 0 && !results.isEmpty }

    /// Metric names in the order of the first run, each with its unit and the values of every run.
    private var series: [(name: String, unit: String, values: [Double])] {
        var order: [String] = []
        var units: [String: String] = [:]
        var values: [String: [Double]] = [:]
        for result in results {
            for metric in result.metrics {
                if values[metric.name] == nil {
                    order.append(metric.name)
                    units[metric.name] = metric.unit
                }
                values[metric.name, default: []].append(metric.value)
            }
        }
        return order.map { ($0, units[$0] ?? "", values[$0] ?? []) }
    }

    /// The runs' notes, one per kind (the words before the first colon), saying in how many runs it came up.
    var notes: [String] {
        var order: [String] = []
        var first: [String: String] = [:]
        var runs: [String: Int] = [:]
        for result in results {
            var seen: Set<String> = []
            for note in result.notes {
                let key = String(note.prefix { $0 != ":" })
                guard seen.insert(key).inserted else { continue }
                if first[key] == nil {
                    order.append(key)
                    first[key] = note
                }
                runs[key, default: 0] += 1
            }
        }
        return order.map { key in
            let count = runs[key] ?? 1
            return (results.count > 1 ? "[\(count) of \(results.count) runs] " : "") + (first[key] ?? key)
        }
    }

    private func median(_ name: String) -> Double? {
        series.first { $0.name == name }.map { Statistics.median($0.values) }
    }

    var table: String {
        var lines: [String] = []
        let git = revision.map { $0.hash + ($0.dirty ? " (uncommitted changes)" : "") } ?? "unknown"
        lines.append(
            "yizhan-bench \(scenario.name): \(results.count) run(s), \(date), git \(git), "
                + "\(ProcessSampler.cpuCount) CPUs, open-file limit \(serverFileLimit.map(String.init) ?? "?")"
        )
        lines.append(
            "parameters: " + scenario.parameters.map { "\($0.0)=\($0.1.description)" }.joined(separator: " ")
        )
        lines.append(
            "load average before each run: "
                + results.map { $0.loadAverage.map { String(format: "%.2f", $0) }.joined(separator: "/") }
                .joined(separator: ", ")
        )
        lines.append("")
        let header = pad("metric", 34) + pad("median", 16) + pad("range (min - max)", 30) + "unit"
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count))
        for (name, unit, values) in series {
            let (low, high) = Statistics.range(values)
            lines.append(
                pad(name, 34) + pad(Self.format(Statistics.median(values)), 16)
                    + pad(Self.format(low) + " - " + Self.format(high), 30) + unit
            )
        }
        lines.append("")
        lines.append(
            "checks: missed \(missed), duplicated \(duplicated), errors \(errors) - \(passed ? "passed" : "FAILED")"
        )
        for note in notes { lines.append("note: \(note)") }
        if !passed {
            for line in results.flatMap(\.serverLogLines).suffix(10) { lines.append("server log: \(line)") }
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var medians = JSONObject()
        var ranges = JSONObject()
        for (name, _, values) in series {
            medians.append(name, .double(Self.rounded(Statistics.median(values))))
            let (low, high) = Statistics.range(values)
            ranges.append(name, .array([.double(Self.rounded(low)), .double(Self.rounded(high))]))
        }
        var object = JSONObject()
        object.append("scenario", .string(scenario.name))
        object.append("parameters", .object(JSONObject(scenario.parameters.map { (key: $0.0, value: $0.1) })))
        object.append("runs", .int(Int64(results.count)))
        object.append("unit", .string(scenario.unit))
        object.append("serverCpuPerUnitUs", .double(Self.rounded(median(scenario.perUnitMetric) ?? 0)))
        object.append("serverRssBytes", .double((median("serverRssBytes") ?? 0).rounded()))
        object.append("clientCpuCores", .double(Self.rounded(median("clientCpuCores") ?? 0)))
        object.append("medians", .object(medians))
        object.append("ranges", .object(ranges))
        object.append(
            "check",
            [
                "missed": .int(Int64(missed)), "duplicated": .int(Int64(duplicated)), "errors": .int(Int64(errors)),
                "passed": .bool(passed),
            ]
        )
        object.append(
            "backgroundLoad",
            .array(results.map { .array($0.loadAverage.map { .double($0) }) })
        )
        object.append("backgroundCpuCores", .double(Self.rounded(median("backgroundCpuCores") ?? 0)))
        object.append("notes", .array(notes.map { .string($0) }))
        object.append(
            "machine",
            [
                "cpus": .int(Int64(ProcessSampler.cpuCount)),
                "openFileLimit": serverFileLimit.map { .int(Int64($0)) } ?? .null,
                "clientThreads": .int(Int64(command.threads)),
                "serverEventLoops": command.eventLoops.map { .int(Int64($0)) } ?? .string("default"),
                "server": .string(command.url ?? "started by the bench"),
            ]
        )
        object.append("git", revision.map { .string($0.hash) } ?? .null)
        object.append("gitDirty", revision.map { .bool($0.dirty) } ?? .null)
        object.append("date", .string(date))
        return JSONValue.object(object).jsonString
    }

    // MARK: Formatting

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        if magnitude >= 0.1 || magnitude == 0 { return String(format: "%.2f", value) }
        return String(format: "%.3g", value)
    }

    static func rounded(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        let magnitude = abs(value)
        if magnitude >= 100 { return (value * 10).rounded() / 10 }
        return (value * 10000).rounded() / 10000
    }

    static func isoDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [Int8](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `git rev-parse --short HEAD` of the working directory, and whether tracked files differ from it (read
    /// only: no optional locks, so a concurrent git command is never disturbed).
    static func gitRevision() -> (hash: String, dirty: Bool)? {
        guard let hash = run(["git", "--no-optional-locks", "rev-parse", "--short", "HEAD"]), !hash.output.isEmpty
        else { return nil }
        let diff = run(["git", "--no-optional-locks", "diff", "--quiet", "HEAD"])
        return (hash.output, diff?.status == 1)
    }

    /// Runs a command (through env, so PATH applies) and returns its standard output and exit status.
    static func run(_ arguments: [String]) -> (output: String, status: Int32)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (text, process.terminationStatus)
    }
}
