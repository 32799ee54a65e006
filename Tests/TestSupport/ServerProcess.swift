import CShims
import Foundation
import Glibc

/// A `yizhan` process started from the build directory, for tests of what only a real process shows (signals,
/// descriptor limits, crashes and restarts).
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: UInt16
    private let stderr = Pipe()
    private let logLock = NSLock()
    private var logText = ""

    /// The `yizhan` binary next to the test bundle.
    public static var binaryPath: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("yizhan").path
    }

    /// Starts `yizhan serve --port 0 <arguments>` (through `sh -c` so `shellPrefix`, like `ulimit -n 64;`, applies)
    /// and waits for its "listening" log line.
    /// The data directory (a fresh temporary one unless `--data-dir` is among the arguments).
    public let dataDirectory: String

    public init(arguments: [String], shellPrefix: String = "") throws {
        var arguments = arguments
        if let index = arguments.firstIndex(of: "--data-dir"), index + 1 < arguments.count {
            dataDirectory = arguments[index + 1]
        } else {
            dataDirectory =
                FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-process-\(UUID().uuidString)")
                .path
            arguments += ["--data-dir", dataDirectory]
        }
        let quoted = ([Self.binaryPath, "serve", "--port", "0", "--log-level", "debug"] + arguments)
            .map { "'\($0.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(shellPrefix) exec \(quoted)"]
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var found: UInt16?
        let handle = stderr.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while found == nil, Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            logText += String(decoding: data, as: UTF8.self)
            if let range = logText.range(of: #""address":"127.0.0.1:"#) {
                let digits = logText[range.upperBound...].prefix { $0.isNumber }
                found = UInt16(digits)
            }
        }
        guard let found else {
            process.terminate()
            throw ProcessError(description: "server did not start: \(logText)")
        }
        port = found
        // Keep collecting the log in the background; a full pipe would block the server.
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            logLock.lock()
            self.logText += String(decoding: data, as: UTF8.self)
            logLock.unlock()
        }
    }

    deinit {
        stderr.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Runs `yizhan <arguments>` to completion: its exit status and its standard output and error together.
    public static func runCLI(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A config file (in a fresh temporary directory) that turns every rate limit off, for tests that send as fast
    /// as they can: pass `["--config", ServerProcess.unlimitedRatesConfig()]`.
    public static func unlimitedRatesConfig() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yizhan-unlimited-\(UUID().uuidString).toml"
        ).path
        let keys = ["posts", "answers", "handshakes_per_ip", "requests_per_ip", "requests_per_connection"].map {
            "\($0)_per_minute = 0"
        }
        try
            ("[limits]\n" + (keys + ["reminders_per_hour = 0", "upload_mib_per_hour = 0"]).joined(separator: "\n")
            + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// User plus system CPU seconds the process has used (from /proc/PID/stat).
    public var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command: state is index 0, utime is 11, stime is 12.
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends `signal` and waits for exit; returns the exit status.
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        kill(pid, signal)
        process.waitUntilExit()
        // Let the reader take the last lines.
        usleep(50_000)
        return process.terminationStatus
    }

    /// Everything the process logged so far (reads what is buffered after it exited).
    public func logs() -> String {
        logLock.lock()
        defer { logLock.unlock() }
        return logText
    }

    public struct ProcessError: Error, CustomStringConvertible {
        public var description: String
    }
}
