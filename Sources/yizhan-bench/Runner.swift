import Foundation
import Glibc

/// Runs a scenario `--runs` times, each against a fresh server (unless `--url`), and prints the report.
enum Runner {
    static func run(_ command: BenchCommand) -> Int32 {
        let ownLimit = ProcessSampler.raiseOwnFileLimit()
        Interruption.install()
        let scenario = makeScenario(command, clientFileLimit: ownLimit)
        var attached: ServerUnderTest?
        if let url = command.url {
            do {
                attached = try ServerUnderTest.attach(
                    url: url,
                    secret: Array((command.secret ?? "").utf8),
                    pid: command.pid
                )
            } catch {
                return fail("\(error)")
            }
        }
        var results: [RunResult] = []
        var serverLimit: Int?
        let binary = command.serverPath ?? defaultServerPath()
        let settings = attached == nil && command.serverConfig == nil ? serverSettings(scenario, binary: binary) : []
        for run in 1...command.runs {
            let load = ProcessSampler.loadAverage()
            let server: ServerUnderTest
            if let attached {
                server = attached
            } else {
                do {
                    server = try ServerUnderTest.start(
                        binary: binary,
                        eventLoops: command.eventLoops,
                        configFile: command.serverConfig,
                        configText: settings.isEmpty ? nil : configText(settings)
                    )
                } catch {
                    return fail("\(error)")
                }
                Interruption.track(server)
            }
            serverLimit = ProcessSampler.openFileLimit(pid: server.pid)?.soft
            if !command.quiet {
                FileHandle.standardError.write(
                    Data("yizhan-bench \(scenario.name): run \(run)/\(command.runs), server pid \(server.pid)\n".utf8)
                )
            }
            let context = RunContext(command: command, server: server, run: run)
            var result: RunResult
            do {
                result = try scenario.run(context)
            } catch {
                if attached == nil { server.stop() }
                return fail("\(error)\n" + server.logLines.suffix(10).joined(separator: "\n"))
            }
            result.loadAverage = load
            if !settings.isEmpty {
                result.notes.append(
                    "server settings for the bench: "
                        + settings.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
                )
            }
            let (warnings, errors) = server.logCounts
            if warnings + errors > 0 {
                result.errors += warnings + errors
                result.notes.append("the server logged \(warnings) warning(s) and \(errors) error(s)")
                result.serverLogLines = server.logLines
            }
            if !server.isRunning { result.notes.append("the server exited during the run") }
            if attached == nil {
                server.stop()
                Interruption.track(nil)
            }
            results.append(result)
        }
        let report = Report(scenario: scenario, command: command, results: results, serverFileLimit: serverLimit)
        print(report.table)
        print("RESULT " + report.json)
        return report.passed ? 0 : 1
    }

    static func makeScenario(_ command: BenchCommand, clientFileLimit: Int) -> any Scenario {
        switch command.scenario {
        case "connections": ConnectionsScenario(command, clientFileLimit: clientFileLimit)
        case "fanout": FanoutScenario(command)
        case "durable-send": DurableSendScenario(command)
        case "reconnect-storm": ReconnectStormScenario(command, clientFileLimit: clientFileLimit)
        case "receipts": ReceiptsScenario(command)
        case "remind": RemindScenario(command)
        case "news-push": NewsPushScenario(command, clientFileLimit: clientFileLimit)
        default: SoakScenario(command)
        }
    }

    /// The scenario's settings, plus the abuse limits moved out of the way when the server has them: a few bench
    /// senders post thousands of messages a second, where a school has thousands of people posting a few, and every
    /// bench client comes from 127.0.0.1. The per-user limiters still run on every post (their cost is measured);
    /// they just never refuse.
    static func serverSettings(_ scenario: any Scenario, binary: String) -> [(key: String, value: Int)] {
        var settings = scenario.serverSettings
        guard let help = Report.run([binary, "serve", "--help"])?.output else { return settings }
        let limits: [(key: String, value: Int)] = [
            ("limits.posts_per_minute", 1_000_000), ("limits.posts_burst", 1_000_000),
            ("limits.answers_per_minute", 1_000_000), ("limits.answers_burst", 1_000_000),
            ("limits.reminders_per_hour", 1_000_000), ("limits.reminders_burst", 1_000_000),
            ("limits.handshakes_per_ip_per_minute", 0), ("limits.requests_per_ip_per_minute", 0),
            ("limits.requests_per_connection_per_minute", 0),
            ("limits.upload_mib_per_hour", 0),
            ("limits.max_connections_per_ip", 1_000_000),
        ]
        settings += limits.filter { limit in
            help.contains(limit.key) && !settings.contains { $0.key == limit.key }
        }
        return settings
    }

    /// A TOML config file with `settings` (dotted keys grouped into sections).
    static func configText(_ settings: [(key: String, value: Int)]) -> String {
        var sections: [String: [String]] = [:]
        var order: [String] = []
        for (key, value) in settings {
            let dot = key.firstIndex(of: ".") ?? key.startIndex
            let section = String(key[..<dot])
            if sections[section] == nil { order.append(section) }
            sections[section, default: []].append("\(key[key.index(after: dot)...]) = \(value)")
        }
        return order.map { "[\($0)]\n" + (sections[$0] ?? []).joined(separator: "\n") + "\n" }.joined()
    }

    /// `yizhan` in the bench's own directory (both are products of the same build).
    static func defaultServerPath() -> String {
        var buffer = [Int8](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let me =
            count > 0
            ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("yizhan").path
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("yizhan-bench: \(message)\n".utf8))
        return 3
    }
}
