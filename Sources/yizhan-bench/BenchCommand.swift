/// The command line: `yizhan-bench <scenario> [options]`.
struct BenchCommand: Sendable {
    var scenario = ""
    var runs = 3
    var threads = 2
    var inFlight = 512
    /// `--connections N` or `max` (nil: the scenario's default).
    var connections: ConnectionCount?
    var groups: Int?
    var members: Int?
    var senders: Int?
    var window: Int?
    var rate: Double?
    var messages: Int?
    var duration: Double?
    var readers: Int?
    var readRate: Double?
    var reconnectRate: Double?
    var answerRate: Double?
    var idKind = RequestWriter.MessageIDKind.time
    var textBytes = 32
    var backlog = 64
    var syncConnections = false
    var serverPath: String?
    var url: String?
    var secret: String?
    var pid: Int32?
    var eventLoops: Int?
    var serverConfig: String?
    var quiet = false

    enum ConnectionCount: Sendable, Equatable {
        case count(Int)
        case max
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static let scenarios = [
        "connections", "fanout", "durable-send", "remind", "news-push", "reconnect-storm", "receipts", "soak",
    ]

    static let help = """
        usage: yizhan-bench <scenario> [options]

        Drives real WebSocket traffic over loopback against `yizhan serve` (started from the bench's build
        directory with a fresh data directory, or a running server with --url) and reports server CPU time per
        unit of work, server RSS, rates and latencies: a human table and one `RESULT {json}` line. A server it
        starts gets its per-user post limits raised (limits.posts_*; a few bench senders post for a whole school)
        and, for `connections max`, no connection cap below the file limit; the notes list such settings.

        scenarios:
          connections       hold N idle authenticated connections (default 10000; `max`: as many as the
                            open-file limits of both processes allow); handshake+auth rate, RSS and CPU per
                            connection, then the same after every connection synced
          fanout            G groups x M online members (default 10 x 500), senders post with `send`;
                            saturation (window of unacked sends per sender) or --rate deliveries/s;
                            deliveries/s, end-to-end latency p50/p99/p999, CPU per delivery, loss check
          durable-send      many senders (not live, so no fan-out), acked messages/s with the default
                            durability, ack latency p50/p99; at saturation or at --rate messages/s
          remind            one-click remind of a class task to M unfinished members, all online (default
                            5000): time from the command to the last reminder received, server CPU
          news-push         an editor publishes K articles (default 20) one at a time to a column every one
                            of N online clients follows (default max: up to 19000); time from the POST to
                            the last client's push p50/p99/max, server CPU per delivery, one push each
          reconnect-storm   up to 18000 clients in 4 groups drop at once and resume with `sync` while a
                            counselor keeps posting; time until all are live, missed/duplicated messages
          receipts          2000 members read the same message in a burst; coalesced receipt frames the
                            sender gets, CPU per read
          soak              mixed sends, reads, reconnects and card answers at a moderate rate for --duration
                            (default 900 s);
                            RSS after warm-up and at the end, errors, loss

        common options:
          --runs N              runs per scenario, each on a fresh server (default 3); medians and ranges
          --threads N           client threads, each with its own epoll set (default 2)
          --in-flight N         handshakes in flight (default 512)
          --server PATH         yizhan binary (default: next to yizhan-bench)
          --event-loops N       passed to yizhan serve
          --server-config FILE  passed to yizhan serve as --config
          --url URL             measure a running server (ws://127.0.0.1:8080) instead of starting one;
                                needs --secret; --pid defaults to the process listening on the port
          --secret TEXT         the server's token secret (contents of its data/secret.key)
          --quiet               only the table and the RESULT line

        scenario options (defaults in parentheses):
          --connections N|max   connections (10000) / clients in the storm (18000) / soak clients (1000) /
                                news-push clients (max)
          --groups G            groups (fanout 10, durable-send 10, reconnect-storm 4, soak 10)
          --members M           online members per group (fanout 500, soak 100, remind 5000); connections:
                                class size (50)
          --senders N           fanout: senders per group (1); durable-send: senders in all (100)
          --window W            unacked sends per sender (fanout 16, durable-send 32)
          --rate R              fanout: deliveries/s; durable-send: messages/s (both: saturation if
                                absent); reconnect-storm: messages/s in all (4); soak: messages/s (20)
          --messages N          fanout at saturation: per group (4,000,000 deliveries in all);
                                durable-send at saturation: per sender (3000); receipts: bursts (5);
                                remind: rounds (3); news-push: articles (20)
          --duration S          fanout and durable-send at a fixed rate (10); soak (900)
          --readers N           receipts: readers (2000)
          --read-rate R         soak: reads/s (50)
          --reconnect-rate R    soak: reconnects/s (5)
          --answer-rate R       soak: card answers/s (10)
          --client-ids KIND     durable-send and fanout: `time` (UUIDv7-like, default) or `random` (UUIDv4)
          --text-bytes N        message text length (32)
          --backlog N           fanout at saturation: deliveries not yet received, per member, before senders
                                wait (64), so server queues stay far below the slow-consumer limit
          --sync                connections: also measure after every connection synced (default: idle only)
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> BenchCommand {
        var command = BenchCommand()
        var index = 0
        func value(_ flag: String) throws(UsageError) -> String {
            guard index < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            index += 1
            return arguments[index - 1]
        }
        func integer(_ flag: String, minimum: Int = 1) throws(UsageError) -> Int {
            let text = try value(flag)
            guard let number = Int(text.replacingUnderscores()), number >= minimum else {
                throw UsageError(description: "\(flag) needs an integer of at least \(minimum), not '\(text)'")
            }
            return number
        }
        func number(_ flag: String) throws(UsageError) -> Double {
            let text = try value(flag)
            guard let number = Double(text.replacingUnderscores()), number > 0 else {
                throw UsageError(description: "\(flag) needs a positive number, not '\(text)'")
            }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--runs": command.runs = try integer(argument)
            case "--threads": command.threads = try integer(argument)
            case "--in-flight": command.inFlight = try integer(argument)
            case "--connections":
                let text = try value(argument)
                if text == "max" {
                    command.connections = .max
                } else if let count = Int(text.replacingUnderscores()), count > 0 {
                    command.connections = .count(count)
                } else {
                    throw UsageError(description: "--connections needs a positive integer or max")
                }
            case "--groups": command.groups = try integer(argument)
            case "--members": command.members = try integer(argument, minimum: 2)
            case "--senders": command.senders = try integer(argument)
            case "--window": command.window = try integer(argument)
            case "--rate": command.rate = try number(argument)
            case "--messages": command.messages = try integer(argument)
            case "--duration": command.duration = try number(argument)
            case "--readers": command.readers = try integer(argument)
            case "--read-rate": command.readRate = try number(argument)
            case "--reconnect-rate": command.reconnectRate = try number(argument)
            case "--answer-rate": command.answerRate = try number(argument)
            case "--client-ids":
                let text = try value(argument)
                guard let kind = RequestWriter.MessageIDKind(rawValue: text) else {
                    throw UsageError(description: "--client-ids is time or random")
                }
                command.idKind = kind
            case "--text-bytes": command.textBytes = try integer(argument, minimum: 8)
            case "--backlog": command.backlog = try integer(argument)
            case "--sync": command.syncConnections = true
            case "--server": command.serverPath = try value(argument)
            case "--url": command.url = try value(argument)
            case "--secret": command.secret = try value(argument)
            case "--pid": command.pid = Int32(try integer(argument))
            case "--event-loops": command.eventLoops = try integer(argument)
            case "--server-config": command.serverConfig = try value(argument)
            case "--quiet": command.quiet = true
            default:
                guard !argument.hasPrefix("-"), command.scenario.isEmpty else {
                    throw UsageError(description: "unknown option '\(argument)'")
                }
                command.scenario = argument
            }
        }
        guard !command.scenario.isEmpty else { throw UsageError(description: "which scenario?") }
        guard scenarios.contains(command.scenario) else {
            throw UsageError(
                description: "unknown scenario '\(command.scenario)' (\(scenarios.joined(separator: ", ")))"
            )
        }
        if command.url != nil && command.secret == nil {
            throw UsageError(description: "--url needs --secret (the server's token secret)")
        }
        return command
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        filter { $0 != "_" && $0 != "," }
    }
}
