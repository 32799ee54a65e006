import Hub
import Logging
import Store
import Transport
import WebSocket

/// The table of configuration keys: `yizhan.toml` keys, their command-line flags, and how each sets
/// ``ServerConfiguration``. One table serves the config file, the flags, `--help` and the README check in the tests.
public struct Setting: Sendable {
    /// `section.key` in `yizhan.toml`.
    public let key: String
    /// Command-line flag, if the setting has one.
    public let flag: String?
    /// Value type shown in help (`string`, `integer`, `seconds`, `bool`, `strings`).
    public let type: String
    public let help: String
    let apply: @Sendable (inout ServerConfiguration, ConfigFile.Value) throws(SettingError) -> Void
}

/// A value that does not fit its setting.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public enum Settings {
    public static let all: [Setting] =
        [
            string("server.host", flag: "--host", "Address to bind (default 127.0.0.1).") { $0.host = $1 },
            integer("server.port", flag: "--port", 0...65535, "TCP port (default 8080; 0 picks a free port).") {
                $0.port = UInt16($1)
            },
            string("server.data_dir", flag: "--data-dir", "Data directory (default ./data).") { $0.dataDirectory = $1 },
            integer("server.event_loops", flag: "--event-loops", 0...256, "Socket threads (default 0 = one per core).")
            {
                $0.eventLoops = $1
            },
            bool("server.echo", flag: "--echo", "Serve the /echo WebSocket endpoint (conformance, benchmarks).") {
                $0.echo = $1
            },
            string("tls.cert", flag: "--tls-cert", "PEM certificate chain; with tls.key enables wss:// and https://.") {
                $0.tlsCertificate = $1
            },
            string("tls.key", flag: "--tls-key", "PEM private key.") { $0.tlsKey = $1 },
            Setting(
                key: "log.level",
                flag: "--log-level",
                type: "string",
                help: "debug, info, warning or error (default info)."
            ) {
                (config, value) throws(SettingError) in
                guard case .string(let name) = value, let level = Logger.Level(name: name) else {
                    throw SettingError(description: "log.level must be one of debug, info, warning, error")
                }
                config.logLevel = level
            },
            integer("limits.max_connections", 1...1_000_000, "Open connections per process (default 19000).") {
                $0.transport.maxConnections = $1
            },
            integer("limits.max_connections_per_ip", 1...1_000_000, "Open connections per client IP (default 2000).") {
                $0.transport.maxConnectionsPerIP = $1
            },
            strings(
                "http.trusted_proxies",
                "Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client (default: none)."
            ) {
                (config, values) throws(SettingError) in
                var networks: [IPNetwork] = []
                for value in values {
                    guard let network = IPNetwork(value) else {
                        throw SettingError(
                            description: "http.trusted_proxies: '\(value)' is not an address or CIDR range"
                        )
                    }
                    networks.append(network)
                }
                config.trustedProxies = networks
            },
            integer(
                "limits.max_outbound_bytes",
                4096...(1 << 30),
                "Unsent bytes per connection before a slow client is disconnected (default 1048576)."
            ) {
                $0.transport.maxOutboundBytes = $1
            },
            integer("http.max_request_line", 256...(1 << 20), "Longest request line, else 414 (default 8192).") {
                $0.http.maxRequestLine = $1
            },
            integer("http.max_header_bytes", 1024...(1 << 20), "Largest request head, else 431 (default 16384).") {
                $0.http.maxHeaderBytes = $1
            },
            integer("http.max_header_count", 8...10_000, "Most header fields, else 431 (default 100).") {
                $0.http.maxHeaderCount = $1
            },
            integer(
                "http.max_body_bytes",
                0...(1 << 34),
                "Largest request body for JSON endpoints, else 413 (default 1048576)."
            ) {
                $0.http.maxBodySize = $1
            },
            seconds("http.request_head_timeout", "Deadline for a complete request head, slowloris guard (default 10).")
            {
                $0.requestHeadTimeout = $1
            },
            seconds("http.keep_alive_timeout", "Idle time allowed between requests (default 30).") {
                $0.keepAliveTimeout = $1
            },
            seconds("http.request_body_timeout", "Time allowed for a request body (default 60).") {
                $0.requestBodyTimeout = $1
            },
            integer("websocket.max_frame_bytes", 125...(1 << 30), "Largest frame, else close 1009 (default 65536).") {
                $0.webSocket.maxFrameSize = $1
            },
            integer(
                "websocket.max_message_bytes",
                125...(1 << 30),
                "Largest message after decompression, else close 1009 (default 65536)."
            ) {
                $0.webSocket.maxMessageSize = $1
            },
            integer(
                "websocket.max_fragments",
                1...1_000_000,
                "Most frames in one message, else close 1009 (default 1024)."
            ) {
                $0.webSocket.maxFragmentsPerMessage = $1
            },
            bool("websocket.deflate", "Offer permessage-deflate (default true).") { $0.deflate = $1 },
            integer("websocket.deflate_threshold", 0...(1 << 30), "Smallest payload worth compressing (default 256).") {
                $0.webSocket.compressionThreshold = $1
            },
            strings(
                "websocket.allowed_origins",
                "Browser origins allowed to connect, exact scheme://host[:port] (default: any)."
            ) {
                $0.allowedOrigins = $1
            },
            seconds("websocket.ping_interval", "Seconds between pings on a quiet connection (default 30).") {
                $0.pingInterval = $1
            },
            seconds(
                "websocket.pong_timeout",
                "Seconds without any frame after a ping before disconnecting (default 20)."
            ) {
                $0.pongTimeout = $1
            },
            seconds("websocket.close_timeout", "Seconds to wait for the client's close frame (default 5).") {
                $0.closeTimeout = $1
            },
            seconds("server.shutdown_timeout", "Seconds graceful shutdown waits for connections to close (default 5).")
            {
                $0.shutdownTimeout = $1
            },
            string("ops.token", "Bearer token for GET /metrics on the main port (default: no metrics there).") {
                $0.opsToken = $1
            },
            string(
                "ops.listen",
                "host:port of an operators-only listener for /healthz, /readyz, /metrics (default: none)."
            ) {
                $0.opsListen = $1
            },
            string("auth.secret", "Token signing secret, 32+ bytes (default: secret.key in the data directory).") {
                $0.authSecret = $1
            },
            Setting(
                key: "store.durability",
                flag: nil,
                type: "string",
                help: "process (default) or power: what an acked message survives."
            ) {
                (config, value) throws(SettingError) in
                switch value {
                case .string("process"): config.durability = .process
                case .string("power"): config.durability = .power
                default: throw SettingError(description: "store.durability must be process or power")
                }
            },
            seconds("hub.recall_window", "Seconds a sender may recall a message (default 120).") {
                $0.hub.recallWindow = $1
            },
            integer("hub.recent_messages", 1...100_000, "Newest messages per group kept in memory (default 128).") {
                $0.hub.recentMessages = $1
            },
            integer("hub.max_group_members", 2...100_000, "Members a group may have (default 5000).") {
                $0.hub.maxGroupMembers = $1
            },
            integer("hub.max_text_length", 1...100_000, "Characters in a text message (default 5000).") {
                $0.hub.maxTextLength = $1
            },
            seconds("hub.receipt_interval", "Seconds between coalesced receipt pushes (default 1).") {
                $0.hub.receiptInterval = $1
            },
            integer(
                "news.follow_up",
                0...31_536_000,
                "Seconds after an important article when its unread get a second reminder, 0 = none (default 86400)."
            ) {
                $0.hub.news.followUpDelay = Double($1)
            },
            seconds("news.remind_interval", "Seconds between one-click reminders of one article (default 600).") {
                $0.hub.news.remindInterval = $1
            },
            seconds("news.hot_half_life", "Seconds for an article's hot score to halve (default 21600).") {
                $0.hub.news.hotHalfLife = $1
            },
            string("news.webhook_url", "http(s) URL that gets the still-unread of important articles (default: none).")
            {
                $0.newsWebhookURL = $1
            },
            string("news.webhook_secret", "Key of the webhook's HMAC-SHA256 signature, 16+ bytes; needed with a URL.") {
                $0.newsWebhookSecret = $1
            },
            seconds(
                "news.webhook_delay",
                "Seconds after the follow-up when the still unread go to the webhook (default 3600)."
            ) {
                $0.hub.news.webhookDelay = $1
            },
            integer(
                "news.webhook_attempts",
                1...50,
                "Attempts per webhook delivery before it is a dead letter (default 8)."
            ) {
                $0.hub.news.webhookAttempts = $1
            },
            seconds("news.feed_timeout", "Seconds one feed fetch may take (default 20).") {
                $0.newsFeedTimeout = $1
            },
            integer(
                "retention.messages_days",
                0...36_500,
                "Days messages are kept unless a rule says otherwise, 0 = for ever (default 365)."
            ) {
                $0.hub.retention.messageDays = $1 == 0 ? nil : $1
            },
            strings(
                "retention.rules",
                "Overrides, first match wins: \"group_kind:message_kind=days\" with * for any kind and forever (default none)."
            ) {
                (config, values) throws(SettingError) in
                var rules: [RetentionPolicy.Rule] = []
                for value in values {
                    guard let rule = RetentionPolicy.Rule(value) else {
                        throw SettingError(
                            description: "retention.rules: '\(value)' is not group_kind:message_kind=days (kinds: "
                                + GroupKind.allCases.map(\.rawValue).joined(separator: ", ") + "; "
                                + MessageKind.allCases.map(\.rawValue).joined(separator: ", ") + "; or *)"
                        )
                    }
                    rules.append(rule)
                }
                config.hub.retention.rules = rules
            },
            Setting(
                key: "retention.records",
                flag: nil,
                type: "string",
                help: "Closed cards and tasks: academic_year (default), forever, or \"N days\" after they closed."
            ) {
                (config, value) throws(SettingError) in
                guard case .string(let text) = value else {
                    throw SettingError(description: "retention.records must be a string")
                }
                let parts = text.split(separator: " ")
                if text == "academic_year" {
                    config.hub.retention.records = .academicYear
                } else if text == "forever" {
                    config.hub.retention.records = .forever
                } else if parts.count == 2, parts[1] == "days", let days = Int(parts[0]), (1...36_500).contains(days) {
                    config.hub.retention.records = .days(days)
                } else {
                    throw SettingError(description: "retention.records must be academic_year, forever or \"N days\"")
                }
            },
            Setting(
                key: "retention.academic_year_end",
                flag: nil,
                type: "string",
                help: "Last day of the academic year, MM-DD (default 08-31)."
            ) {
                (config, value) throws(SettingError) in
                guard case .string(let text) = value, let day = RetentionPolicy.MonthDay(text) else {
                    throw SettingError(description: "retention.academic_year_end must be MM-DD, like 08-31")
                }
                config.hub.retention.academicYearEnd = day
            },
            Setting(
                key: "retention.purge_time",
                flag: nil,
                type: "string",
                help: "Local time of the daily purge, HH:MM (default 03:30)."
            ) {
                (config, value) throws(SettingError) in
                let parts: [Int] = {
                    guard case .string(let text) = value else { return [] }
                    return text.split(separator: ":").compactMap { Int($0) }
                }()
                guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else {
                    throw SettingError(description: "retention.purge_time must be HH:MM, like 03:30")
                }
                config.hub.retention.purgeMinuteOfDay = parts[0] * 60 + parts[1]
            },
            integer("retention.unsent_upload_days", 1...3650, "Days an upload never sent anywhere is kept (default 7).")
            {
                $0.hub.retention.unsentUploadDays = $1
            },
            integer("files.max_upload_bytes", 0...(1 << 40), "Largest file upload, else 413 (default 104857600).") {
                $0.maxUploadBytes = $1
            },
        ] + rates

    /// The rate limits, each a `_per_<unit>` and a `_burst` key.
    private static let rates: [Setting] = [
        rate(
            "limits.posts",
            per: "minute",
            "60, bursts of 20",
            "Messages, cards, tasks and groups per user",
            \.hub.rateLimits.posts
        ),
        rate(
            "limits.answers",
            per: "minute",
            "60, bursts of 20",
            "Card answers and task check-offs per user",
            \.hub.rateLimits.answers
        ),
        rate(
            "limits.reminders",
            per: "hour",
            "30, bursts of 10",
            "One-click reminders per user",
            \.hub.rateLimits.reminders
        ),
        rate(
            "limits.handshakes_per_ip",
            per: "minute",
            "1200, bursts of 600",
            "WebSocket handshakes per IP",
            \.handshakesPerIP
        ),
        rate("limits.requests_per_ip", per: "minute", "6000, bursts of 1000", "HTTP requests per IP", \.requestsPerIP),
        rate(
            "limits.upload_mib",
            per: "hour",
            "1024, bursts of 2048",
            "Uploaded MiB per user",
            \.uploadMiBPerUser
        ),
        rate(
            "limits.requests_per_connection",
            per: "minute",
            "3000, bursts of 200",
            "WebSocket requests per connection",
            \.requestsPerConnection
        ),
    ].flatMap { $0 }

    /// Applies a parsed config file. Unknown keys are errors, so a typo never passes silently.
    public static func apply(_ file: ConfigFile, to configuration: inout ServerConfiguration) throws(ConfigFile.Error) {
        for entry in file.entries {
            guard let setting = all.first(where: { $0.key == entry.key }) else {
                throw ConfigFile.Error(line: entry.line, message: "unknown setting '\(entry.key)'")
            }
            do {
                try setting.apply(&configuration, entry.value)
            } catch {
                throw ConfigFile.Error(line: entry.line, message: error.description)
            }
        }
    }

    // MARK: Builders

    private static func string(
        _ key: String,
        flag: String? = nil,
        _ help: String,
        _ set: @escaping @Sendable (inout ServerConfiguration, String) -> Void
    ) -> Setting {
        Setting(key: key, flag: flag, type: "string", help: help) { (config, value) throws(SettingError) in
            guard case .string(let text) = value else { throw SettingError(description: "\(key) must be a string") }
            set(&config, text)
        }
    }

    private static func integer(
        _ key: String,
        flag: String? = nil,
        _ range: ClosedRange<Int>,
        _ help: String,
        _ set: @escaping @Sendable (inout ServerConfiguration, Int) -> Void
    ) -> Setting {
        Setting(key: key, flag: flag, type: "integer", help: help) { (config, value) throws(SettingError) in
            guard case .integer(let number) = value, range.contains(number) else {
                throw SettingError(
                    description: "\(key) must be an integer in \(range.lowerBound)...\(range.upperBound)"
                )
            }
            set(&config, number)
        }
    }

    private static func seconds(
        _ key: String,
        flag: String? = nil,
        _ help: String,
        _ set: @escaping @Sendable (inout ServerConfiguration, Double) -> Void
    ) -> Setting {
        Setting(key: key, flag: flag, type: "seconds", help: help) { (config, value) throws(SettingError) in
            let seconds: Double
            switch value {
            case .integer(let number): seconds = Double(number)
            case .float(let number): seconds = number
            default: throw SettingError(description: "\(key) must be a number of seconds")
            }
            guard seconds > 0, seconds <= 86_400 * 365 else {
                throw SettingError(description: "\(key) must be between 0 and one year of seconds")
            }
            set(&config, seconds)
        }
    }

    private static func bool(
        _ key: String,
        flag: String? = nil,
        _ help: String,
        _ set: @escaping @Sendable (inout ServerConfiguration, Bool) -> Void
    ) -> Setting {
        Setting(key: key, flag: flag, type: "bool", help: help) { (config, value) throws(SettingError) in
            guard case .bool(let flag) = value else { throw SettingError(description: "\(key) must be true or false") }
            set(&config, flag)
        }
    }

    /// Two settings in one: `<key>_per_<unit>` (0 = no limit) and `<key>_burst`.
    private static func rate(
        _ key: String,
        per unit: String,
        _ defaults: String,
        _ what: String,
        _ path: WritableKeyPath<ServerConfiguration, RateLimit> & Sendable
    ) -> [Setting] {
        let seconds: Double = unit == "hour" ? 3600 : 60
        return [
            integer("\(key)_per_\(unit)", 0...1_000_000, "\(what) per \(unit), 0 = no limit (default \(defaults)).") {
                $0[keyPath: path] = RateLimit(perSecond: Double($1) / seconds, burst: $0[keyPath: path].burst)
            },
            integer("\(key)_burst", 1...1_000_000, "\(what): how many at once before the rate applies.") {
                $0[keyPath: path] = RateLimit(perSecond: $0[keyPath: path].perSecond, burst: Double($1))
            },
        ]
    }

    private static func strings(
        _ key: String,
        _ help: String,
        _ set: @escaping @Sendable (inout ServerConfiguration, [String]) throws(SettingError) -> Void
    ) -> Setting {
        Setting(key: key, flag: nil, type: "strings", help: help) { (config, value) throws(SettingError) in
            guard case .array(let items) = value else {
                throw SettingError(description: "\(key) must be an array of strings")
            }
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw SettingError(description: "\(key) must be an array of strings")
                }
                texts.append(text)
            }
            try set(&config, texts)
        }
    }
}
