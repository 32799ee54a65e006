import Foundation
import Glibc
import Synchronization

/// The server a run measures: by default a `yizhan serve` child (the binary next to the bench, or `--server`)
/// with a fresh temporary data directory on a free loopback port; or, with `--url`, a server already running.
/// Either way the bench knows its PID, so it can read the server's CPU time and memory from /proc.
final class ServerUnderTest: @unchecked Sendable {
    let host: String
    let port: UInt16
    let pid: Int32
    /// The token secret (the data directory's `secret.key`, or `--secret`).
    private(set) var secret: [UInt8]
    /// Whether the bench started the process (and stops it).
    let owned: Bool
    private let process: Process?
    private let workDirectory: String?
    private let log = Mutex(LogTail())

    struct LogTail {
        var warnings = 0
        var errors = 0
        var lines: [String] = []
        var partial = ""
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init(
        host: String,
        port: UInt16,
        pid: Int32,
        secret: [UInt8],
        process: Process?,
        workDirectory: String?
    ) {
        self.host = host
        self.port = port
        self.pid = pid
        self.secret = secret
        self.process = process
        self.workDirectory = workDirectory
        owned = process != nil
    }

    /// Starts `binary serve` on a free port with `--log-level warning`; `configText` becomes its `--config` file.
    static func start(
        binary: String,
        eventLoops: Int?,
        configFile: String?,
        configText: String?
    ) throws -> ServerUnderTest {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failure(description: "no server binary at \(binary) (build it, or pass --server PATH)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yizhan-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        let data = work + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let port = try freePort()
        var arguments = [
            "serve", "--host", "127.0.0.1", "--port", String(port), "--data-dir", data, "--log-level", "warning",
        ]
        if let eventLoops { arguments += ["--event-loops", String(eventLoops)] }
        if let configText {
            let path = work + "/bench.toml"
            try configText.write(toFile: path, atomically: true, encoding: .utf8)
            arguments = ["serve", "--config", path] + arguments.dropFirst()
        } else if let configFile {
            arguments = ["serve", "--config", configFile] + arguments.dropFirst()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = ServerUnderTest(
            host: "127.0.0.1",
            port: port,
            pid: process.processIdentifier,
            secret: [],
            process: process,
            workDirectory: work
        )
        stderr.fileHandleForReading.readabilityHandler = { [weak server] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            server?.log.withLock { $0.add(text) }
        }
        // The server logs nothing at warning level when it starts; it is up once the port accepts.
        let deadline = Clock.now() + 60_000_000_000
        while !canConnect(port: port) {
            guard process.isRunning, Clock.now() < deadline else {
                server.stop()
                throw Failure(description: "the server did not start: \(server.logLines.joined(separator: "\n"))")
            }
            Clock.sleep(milliseconds: 20)
        }
        let secretText = ProcessSampler.readFile(data + "/secret.key") ?? ""
        server.secret = Array(secretText.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        return server
    }

    /// A running server at `url` (`ws://host:port` or `http://host:port`), signing tokens with `secret`.
    /// `pid` defaults to the process listening on that port, found through /proc/net/tcp.
    static func attach(url: String, secret: [UInt8], pid: Int32?) throws -> ServerUnderTest {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" }
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw Failure(description: "--url must look like ws://127.0.0.1:8080")
        }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        guard let found = pid ?? listeningPID(port: port) else {
            throw Failure(description: "no process found listening on port \(port) (pass --pid)")
        }
        return ServerUnderTest(host: host, port: port, pid: found, secret: secret, process: nil, workDirectory: nil)
    }

    /// Warning and error lines the server logged so far.
    var logCounts: (warnings: Int, errors: Int) { log.withLock { ($0.warnings, $0.errors) } }
    var logLines: [String] { log.withLock { $0.lines } }

    /// Stops the child (SIGTERM, then SIGKILL after 15 s) and removes its data directory.
    func stop() {
        guard let process else { return }
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Clock.now() + 15_000_000_000
            while process.isRunning && Clock.now() < deadline { Clock.sleep(milliseconds: 10) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        (process.standardError as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        if let workDirectory { try? FileManager.default.removeItem(atPath: workDirectory) }
    }

    var isRunning: Bool { process?.isRunning ?? (kill(pid, 0) == 0) }

    // MARK: Helpers

    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = (UInt32(127) << 24 | 1).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw Failure(description: "cannot find a free port") }
        return UInt16(bigEndian: address.sin_port)
    }

    static func canConnect(host: String = "127.0.0.1", port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The process holding the listening TCP socket on `port`: its inode from /proc/net/tcp, then the process
    /// whose fd table links to that socket.
    private static func listeningPID(port: UInt16) -> Int32? {
        let hexPort = String(port, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 4 - hexPort.count) + hexPort
        var inodes: Set<String> = []
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            for line in (ProcessSampler.readFile(file) ?? "").split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[1].hasSuffix(":" + padded), fields[3] == "0A" else { continue }
                inodes.insert("socket:[\(fields[9])]")
            }
        }
        guard !inodes.isEmpty, let processes = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return nil
        }
        for entry in processes {
            guard let pid = Int32(entry),
                let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd")
            else { continue }
            for fd in fds {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"),
                    inodes.contains(link)
                {
                    return pid
                }
            }
        }
        return nil
    }
}

extension ServerUnderTest.LogTail {
    /// Adds log text: counts warning and error lines and keeps the last 20 lines.
    mutating func add(_ text: String) {
        partial += text
        while let newline = partial.firstIndex(of: "\n") {
            let line = String(partial[..<newline])
            partial = String(partial[partial.index(after: newline)...])
            if line.contains(#""level":"warning""#) { warnings += 1 }
            if line.contains(#""level":"error""#) { errors += 1 }
            lines.append(line)
            if lines.count > 20 { lines.removeFirst() }
        }
    }
}

/// Stops the server the bench started when the bench itself is interrupted (Ctrl-C, or SIGTERM from a test's
/// timeout), so that no server and no temporary data directory outlive their bench.
enum Interruption {
    private static let current = Mutex<ServerUnderTest?>(nil)
    // Set once from the main thread before any run; the sources only need to stay alive.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                current.withLock { $0 }?.stop()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The server to stop on interruption (nil: none, or one the bench does not own).
    static func track(_ server: ServerUnderTest?) {
        current.withLock { $0 = server }
    }
}
