import Glibc
import JSON
import Synchronization

/// Structured logging: one JSON object per line, `ts`, `level`, `msg`, then the event's fields.
///
/// Messages are fixed sentences and fields are identifiers and numbers; never log message bodies, tokens or
/// personal data (see README "Logging").
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warning, error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }
    }

    public let minimumLevel: Level
    private let sink: LogSink
    private let context: [(String, LogValue)]

    /// A logger writing to `sink` (standard error by default).
    public init(minimumLevel: Level = .info, sink: LogSink = .standardError) {
        self.minimumLevel = minimumLevel
        self.sink = sink
        self.context = []
    }

    private init(minimumLevel: Level, sink: LogSink, context: [(String, LogValue)]) {
        self.minimumLevel = minimumLevel
        self.sink = sink
        self.context = context
    }

    /// A logger that adds `fields` to every line (for example the component name).
    public func with(_ fields: (String, LogValue)...) -> Logger {
        Logger(minimumLevel: minimumLevel, sink: sink, context: context + fields)
    }

    public func debug(_ message: String, _ fields: (String, LogValue)...) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: (String, LogValue)...) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: (String, LogValue)...) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: (String, LogValue)...) { log(.error, message, fields) }

    public func log(_ level: Level, _ message: String, _ fields: [(String, LogValue)]) {
        guard level >= minimumLevel else { return }
        var writer = JSONWriter(capacity: 192)
        writer.beginObject()
        writer.key("ts")
        writer.string(Self.timestamp())
        writer.key("level")
        writer.string(level.name)
        writer.key("msg")
        writer.string(message)
        for (key, value) in context + fields {
            writer.key(key)
            switch value {
            case .string(let text): writer.string(text)
            case .int(let number): writer.int(number)
            case .double(let number): writer.double(number)
            case .bool(let flag): writer.bool(flag)
            }
        }
        writer.endObject()
        writer.bytes.append(UInt8(ascii: "\n"))
        sink.write(writer.bytes)
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

/// A field value in a log line.
public enum LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Where log lines go. Each line is written with one `write` call under a lock, so lines never interleave.
public final class LogSink: Sendable {
    private enum Target {
        case descriptor(Int32)
        case memory
    }

    private let target: Target
    private let lines = Mutex<[String]>([])
    private let lock = Mutex<Void>(())

    private init(target: Target) { self.target = target }

    /// Standard error (journald and container runtimes collect it).
    public static let standardError = LogSink(target: .descriptor(2))

    /// Keeps lines in memory, for tests.
    public static func memory() -> LogSink { LogSink(target: .memory) }

    /// Lines captured by a memory sink.
    public var capturedLines: [String] { lines.withLock { $0 } }

    func write(_ bytes: [UInt8]) {
        switch target {
        case .descriptor(let fd):
            lock.withLock { _ in
                bytes.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                        if n <= 0 { break }
                        offset += n
                    }
                }
            }
        case .memory:
            let line = String(decoding: bytes.dropLast(), as: UTF8.self)
            lines.withLock { $0.append(line) }
        }
    }
}
