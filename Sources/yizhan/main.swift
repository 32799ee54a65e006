import Auth
import Foundation
import Gateway
import Glibc
import JSON
import Logging
import Store

/// `yizhan`: serve, token, import, backup, restore, migrate, user, audit, version.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: yizhan <command> [options]

    commands:
      serve     start the server (yizhan serve --help lists the options)
      token     mint an access token: --user ID --role ROLE [--role ROLE] [--ttl 1h]
                or a service token: --service NAME --scope SCOPE [--ttl 30d]
      import    import the school directory from a JSON or CSV file: yizhan import FILE
      backup    copy the data directory consistently, also while the server runs: yizhan backup --to DIR
      restore   restore a backup into an empty data directory: yizhan restore --from DIR
      migrate   show the schema versions of the data directory: yizhan migrate --status
      user      everything stored about a person: yizhan user export ID [--out FILE]
                erase it when they leave (server stopped): yizhan user erase ID --yes
      audit     check the audit log's hash chain: yizhan audit verify
                print entries as JSON lines: yizhan audit list [--after SEQ] [--limit N]
      version   print the version

    All commands but version read the same --config and --data-dir as serve.
    """

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("yizhan: \(message)\n".utf8))
    exit(status)
}

/// Splits `command`-specific options (with values) from the shared server options.
func split(
    _ args: [String],
    taking names: Set<String>
) -> (own: [(String, String)], rest: [String], positional: [String]) {
    var own: [(String, String)] = []
    var rest: [String] = []
    var positional: [String] = []
    var index = 0
    while index < args.count {
        let arg = args[index]
        if names.contains(arg) {
            guard index + 1 < args.count else { fail("\(arg) needs a value") }
            own.append((arg, args[index + 1]))
            index += 2
        } else if arg.hasPrefix("--") {
            rest.append(arg)
            if index + 1 < args.count, !args[index + 1].hasPrefix("--"), arg != "--echo", arg != "--yes" {
                rest.append(args[index + 1])
                index += 1
            }
            index += 1
        } else {
            positional.append(arg)
            index += 1
        }
    }
    return (own, rest, positional)
}

func loadConfiguration(_ args: [String]) -> ServerConfiguration {
    do {
        return try CommandLineOptions.configuration(from: args) { path in
            try String(contentsOfFile: path, encoding: .utf8)
        }
    } catch {
        fail("\(error)")
    }
}

/// "90", "90s", "30m", "1h", "7d" → seconds.
func duration(_ text: String) -> Int64? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    if let unit = text.last, let factor = units[unit], let value = Int64(text.dropLast()), value > 0 {
        return value * factor
    }
    if let value = Int64(text), value > 0 { return value }
    return nil
}

switch arguments.first {
case "serve":
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        print(CommandLineOptions.serveHelp)
        exit(0)
    }
    let configuration = loadConfiguration(rest)
    let log = Logger(minimumLevel: configuration.logLevel)
    let directory = DataDirectory(path: configuration.dataDirectory)
    do {
        guard try directory.lock() != nil else {
            fail("another yizhan process is using \(configuration.dataDirectory)", status: 1)
        }
    } catch {
        fail("\(error)", status: 1)
    }
    let metrics = ServerMetrics()
    let service: HubService
    do {
        service = try HubService(configuration: configuration, log: log, metrics: metrics)
    } catch {
        log.error("cannot open the data directory", ("error", .string("\(error)")))
        fail("\(error)", status: 1)
    }
    var routes = Routes()
    service.install(into: &routes)
    let server = Server(
        configuration: configuration,
        routes: routes,
        log: log,
        metrics: metrics,
        readiness: service.readiness
    )
    server.onStopped = { service.close() }
    server.handleTerminationSignals()
    do {
        try server.start()
    } catch {
        log.error("cannot start", ("error", .string("\(error)")))
        exit(1)
    }
    server.parkMainThread()

case "token":
    let (own, rest, _) = split(
        Array(arguments.dropFirst()),
        taking: ["--user", "--role", "--ttl", "--service", "--scope"]
    )
    let configuration = loadConfiguration(rest)
    let user = own.first { $0.0 == "--user" }?.1
    let service = own.first { $0.0 == "--service" }?.1
    guard (user == nil) != (service == nil) else { fail("give either --user ID or --service NAME\n\(usage)") }
    var ttl: Int64?
    if let text = own.first(where: { $0.0 == "--ttl" })?.1 {
        guard let seconds = duration(text) else { fail("--ttl takes 90, 90s, 30m, 1h or 7d") }
        ttl = seconds
    }
    let secret: [UInt8]
    do {
        secret = try DataDirectory(path: configuration.dataDirectory).tokenSecret(configured: configuration.authSecret)
    } catch {
        fail("\(error)")
    }
    guard let authority = TokenAuthority(secret: secret) else { fail("auth.secret must be at least 32 bytes") }
    let now = Int64(time(nil))
    let roles = own.filter { $0.0 == "--role" }.map(\.1)
    for role in roles where !["student", "counselor", "teacher", "staff", "admin"].contains(role) {
        fail("unknown role '\(role)' (student, counselor, teacher, staff, admin)")
    }
    let claims = TokenClaims(
        subject: user ?? service!,
        kind: user != nil ? .user : .service,
        roles: roles,
        scopes: own.filter { $0.0 == "--scope" }.map(\.1),
        issuedAt: now,
        expiresAt: now + (ttl ?? (user != nil ? 3600 : 30 * 86400))
    )
    print(authority.mint(claims))

case "import":
    let (_, rest, files) = split(Array(arguments.dropFirst()), taking: [])
    guard files.count == 1 else { fail("usage: yizhan import FILE [--config FILE] [--data-dir DIR]") }
    let configuration = loadConfiguration(rest)
    let directory = DataDirectory(path: configuration.dataDirectory)
    let lock: Int32?
    do { lock = try directory.lock() } catch { fail("\(error)") }
    guard lock != nil else {
        fail(
            "a server is running on \(configuration.dataDirectory); import through it: "
                + "curl -X POST -H 'Authorization: Bearer <admin token>' --data-binary @\(files[0]) "
                + "http://\(configuration.host):\(configuration.port)/v1/admin/directory",
            status: 1
        )
    }
    do {
        let report = try OfflineImport.run(file: files[0], configuration: configuration)
        print(report.json.jsonString)
    } catch {
        fail("\(error)", status: 1)
    }

case "backup", "restore":
    let command = arguments[0]
    let flag = command == "backup" ? "--to" : "--from"
    let (own, rest, _) = split(Array(arguments.dropFirst()), taking: [flag])
    guard let place = own.first?.1 else {
        fail("usage: yizhan \(command) \(flag) DIR [--config FILE] [--data-dir DIR]")
    }
    let configuration = loadConfiguration(rest)
    do {
        if command == "restore" {
            // A running server must not see its data replaced underneath it.
            guard try DataDirectory(path: configuration.dataDirectory).lock() != nil else {
                fail("a server is running on \(configuration.dataDirectory); stop it first", status: 1)
            }
        }
        let report =
            command == "backup"
            ? try Backup.run(dataDirectory: configuration.dataDirectory, to: place)
            : try Backup.restore(from: place, into: configuration.dataDirectory)
        print(
            "\(command) done: schema version \(report.schemaVersion), \(report.objects) files (\(report.bytes) bytes)"
        )
    } catch {
        fail("\(error)", status: 1)
    }

case "migrate":
    let rest = Array(arguments.dropFirst())
    guard rest.first == "--status" else { fail("usage: yizhan migrate --status [--config FILE] [--data-dir DIR]") }
    let configuration = loadConfiguration(Array(rest.dropFirst()))
    do {
        let applied = try SQLiteStore.migrationStatus(directory: configuration.dataDirectory)
        print("schema versions known to this build: 1...\(SQLiteStore.schemaVersion)")
        if applied.isEmpty { print("no database yet in \(configuration.dataDirectory)") }
        for migration in applied {
            let date = Date(timeIntervalSince1970: Double(migration.appliedAt) / 1000)
            let note = migration.version > SQLiteStore.schemaVersion ? "  (newer than this build: upgrade yizhan)" : ""
            print("version \(migration.version) applied \(ISO8601DateFormatter().string(from: date))\(note)")
        }
        let pending = SQLiteStore.schemaVersion - (applied.last?.version ?? 0)
        if pending > 0 { print("\(pending) migration(s) will run at the next start") }
    } catch {
        fail("\(error)", status: 1)
    }

case "user":
    let (own, rest, positional) = split(Array(arguments.dropFirst()), taking: ["--out"])
    let yes = rest.contains("--yes")
    guard positional.count == 2, ["export", "erase"].contains(positional[0]) else {
        fail("usage: yizhan user export ID [--out FILE] | yizhan user erase ID --yes [--config FILE] [--data-dir DIR]")
    }
    let configuration = loadConfiguration(rest.filter { $0 != "--yes" })
    let user = positional[1]
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    do {
        if positional[0] == "export" {
            let export = try SQLiteStore.exportUser(user, directory: configuration.dataDirectory, now: now)
            let bytes = Data(export.encoded() + [0x0A])
            if let out = own.first(where: { $0.0 == "--out" })?.1 {
                guard
                    FileManager.default.createFile(atPath: out, contents: bytes, attributes: [.posixPermissions: 0o600])
                else { fail("cannot write \(out)", status: 1) }
            } else {
                FileHandle.standardOutput.write(bytes)
            }
        } else {
            guard yes else { fail("erasing '\(user)' cannot be undone: add --yes (export first: yizhan user export)") }
            // The hub keeps people in memory: it must not run while they are erased underneath it.
            guard try DataDirectory(path: configuration.dataDirectory).lock() != nil else {
                fail("a server is running on \(configuration.dataDirectory); stop it first", status: 1)
            }
            let report = try SQLiteStore.eraseUser(user, directory: configuration.dataDirectory, now: now)
            print(
                "erased \(user): now \(report.pseudonym) (已离校成员); \(report.messagesReattributed) messages, "
                    + "\(report.entriesReattributed) answers and \(report.uploadsReattributed) uploads kept under it, "
                    + "\(report.membershipsRemoved) memberships and \(report.inboxMessagesDeleted) inbox messages deleted"
            )
        }
    } catch {
        fail("\(error)", status: 1)
    }

case "audit":
    let (own, rest, positional) = split(Array(arguments.dropFirst()), taking: ["--after", "--limit"])
    guard positional.count == 1, ["verify", "list"].contains(positional[0]) else {
        fail(
            "usage: yizhan audit verify | yizhan audit list [--after SEQ] [--limit N] [--config FILE] [--data-dir DIR]"
        )
    }
    let configuration = loadConfiguration(rest)
    do {
        if positional[0] == "verify" {
            switch try SQLiteStore.verifyAuditLog(directory: configuration.dataDirectory) {
            case .intact(let entries, let head):
                print("audit log intact: \(entries) entries, head \(head)")
            case .broken(let seq, let reason):
                fail("audit log broken at entry \(seq): \(reason)", status: 1)
            }
        } else {
            let after = own.first { $0.0 == "--after" }.flatMap { Int64($0.1) } ?? 0
            let limit = own.first { $0.0 == "--limit" }.flatMap { Int($0.1) } ?? 1000
            for row in try SQLiteStore.auditLog(directory: configuration.dataDirectory, after: after, limit: limit) {
                let line: JSONValue = [
                    "seq": .int(row.seq), "at": .int(row.at), "actor": row.actor.map { .string($0) } ?? .null,
                    "action": .string(row.action), "target": row.target.map { .string($0) } ?? .null,
                    "detail": (try? JSONParser.parse(Array(row.detail.utf8))) ?? .string(row.detail),
                    "hash": .string(row.hash),
                ]
                print(line.jsonString)
            }
        }
    } catch {
        fail("\(error)", status: 1)
    }

case "version", "--version":
    print("yizhan \(Version.current)")
case nil, "help", "--help", "-h":
    print(usage)
default:
    fail("unknown command '\(arguments[0])'\n\(usage)")
}
