import Auth
import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// The shipped `deploy/` files against real processes: the production config starts the `yizhan` binary, and
/// Debian's nginx, running the shipped locations (`deploy/nginx/yizhan-locations.conf`) and the site's `map` and
/// `upstream`, carries a hub session, REST calls, streamed uploads and the client address for per-IP limits.
@Suite(.serialized) struct NginxProxyTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let deploy = repository.appendingPathComponent("deploy")
    static let fixture = repository.appendingPathComponent(
        "Tests/DirectoryImportTests/Fixtures/sample-directory.json"
    ).path

    @Test func productionConfigStartsTheServer() throws {
        let config = try DeployFiles.productionConfig()
        let server = try ServerProcess(arguments: ["--config", config])
        let health = try ProxiedHTTP.request(port: server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"ok""#))
        // No ops.token in the file: no metrics on the main port; the ops listener serves them without one.
        #expect(try ProxiedHTTP.request(port: server.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n").status == 404)
        let opsPort = try #require(DeployFiles.opsPort(in: server.logs()), "no ops listener: \(server.logs())")
        let metrics = try ProxiedHTTP.request(
            host: DeployFiles.opsHost,
            port: opsPort,
            "GET /metrics HTTP/1.1\r\nHost: x\r\n"
        )
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("yizhan_connections"))
        #expect(server.stop() == 0)
        #expect(!server.logs().contains(#""level":"error""#), "\(server.logs())")
        #expect(server.logs().contains(#""msg":"stopped""#))
    }

    @Test func shippedSiteConfigPassesNginxTest() throws {
        let nginx = try NginxProcess.binary()
        let directory = try DeployScratch.temporaryDirectory("yizhan-nginx-site")
        let certificate = try TestCertificate.make()
        let site = try DeployFiles.text("nginx/yizhan.conf")
        let substitutions = [
            ("/etc/ssl/certs/im.example.edu.cn.fullchain.pem", certificate.certificatePath),
            ("/etc/ssl/private/im.example.edu.cn.key", certificate.keyPath),
            (
                "/etc/nginx/snippets/yizhan-locations.conf",
                Self.deploy.appendingPathComponent("nginx/yizhan-locations.conf").path
            ),
            ("/var/log/nginx/", directory + "/"),
        ]
        var tested = site
        for (placeholder, value) in substitutions {
            try #require(tested.contains(placeholder), "deploy/nginx/yizhan.conf no longer mentions \(placeholder)")
            tested = tested.replacingOccurrences(of: placeholder, with: value)
        }
        try tested.write(toFile: directory + "/site.conf", atomically: true, encoding: .utf8)
        try "events {}\nhttp {\n    include \(directory)/site.conf;\n}\n".write(
            toFile: directory + "/nginx.conf",
            atomically: true,
            encoding: .utf8
        )
        let check = try DeployScratch.run(
            nginx,
            [
                "-t", "-p", directory, "-c", directory + "/nginx.conf", "-g",
                "pid \(directory)/nginx.pid; error_log stderr;",
            ]
        )
        #expect(check.status == 0, "nginx -t: \(check.output)")
        #expect(check.output.contains("test is successful"), "\(check.output)")
    }

    @Test func hubSessionRESTAndStreamedUploadsThroughNginx() throws {
        let dataDirectory = try DeployScratch.temporaryDirectory("yizhan-nginx-data")
        #expect(
            try DeployScratch.run(ServerProcess.binaryPath, ["import", Self.fixture, "--data-dir", dataDirectory])
                .status == 0
        )
        let server = try ServerProcess(arguments: [
            "--data-dir", dataDirectory, "--config", try DeployFiles.productionConfig(),
        ])
        let proxy = try NginxProcess(upstreamPort: server.port)

        // The hub over the proxied WebSocket: send, ack, push to the other member, sync back.
        let a = try HubClient(port: proxy.port, token: try token(dataDirectory, "2023010101"))
        let b = try HubClient(port: proxy.port, token: try token(dataDirectory, "2023010102"))
        #expect(a.socket.responseHead.contains("Sec-WebSocket-Accept"))
        let conversations = try a.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)
        #expect(try a.request(["type": "sync"]).isOK)
        #expect(try b.request(["type": "sync"]).isOK)
        let ack = try a.request([
            "type": "send", "group": .int(group), "clientMsgId": "nginx-1", "kind": "text",
            "body": ["text": "明天上午九点开班会"],
        ])
        #expect(ack.isOK, "\(ack)")
        let seq = try #require(ack["data"]?["seq"]?.int64Value)
        let pushed = try b.messages(count: 1)
        #expect(pushed.first?["message"]?["body"]?["text"]?.stringValue == "明天上午九点开班会")
        let synced = try b.request([
            "type": "sync", "cursors": [["group": .int(group), "seq": .int(seq - 1)]],
        ])
        let messages = synced["data"]?["groups"]?[0]?["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["seq"]?.int64Value } == [seq], "\(synced)")
        #expect(messages.first?["body"]?["text"]?.stringValue == "明天上午九点开班会")

        // REST: health through the proxy; metrics are refused by nginx itself.
        let rest = try HTTPTestClient(port: proxy.port)
        let health = try #require(try rest.request("GET", "/healthz"))
        #expect(health.status == 200)
        #expect(health.text.contains(#""status":"ok""#))
        #expect(try rest.request("GET", "/metrics")?.status == 403)

        // An upload reaches Yizhan's temporary file while its body is still arriving: nginx streams it.
        let uploader = try token(dataDirectory, "2023010101")
        let content = Array(String(repeating: "一站 deploy test line\n", count: 40_000).utf8)
        let upload = try HTTPTestClient(port: proxy.port)
        try upload.socket.send(
            "POST /v1/files?name=notes.txt HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(uploader)\r\n"
                + "Content-Length: \(content.count)\r\n\r\n"
        )
        let half = content.count / 2
        try upload.socket.send(Array(content[..<half]))
        let temporary = dataDirectory + "/tmp"
        #expect(
            waitUntil(timeout: 10) { Self.bytesIn(temporary) > 0 },
            "no upload bytes reached \(temporary) before the body ended: nginx buffered the request"
        )
        try upload.socket.send(Array(content[half...]))
        let stored = try #require(upload.readResponse())
        #expect(stored.status == 201, "\(stored.text)")
        let object = try JSONParser.parse(stored.text)
        #expect(object["size"]?.intValue == content.count)
        let id = try #require(object["object"]?.stringValue)
        let download = try #require(
            try rest.request("GET", "/v1/files/\(id)", headers: ["Authorization: Bearer \(uploader)"])
        )
        #expect(download.status == 200)
        #expect(download.body == content)

        for client in [a, b] { client.disconnect() }
        #expect(server.stop() == 0)
    }

    @Test func perIPLimitsCountTheClientNginxForwardsNotItsClaims() throws {
        // One request a minute, bursts of two, per client address.
        let config = try DeployFiles.productionConfig(replacing: [
            ("requests_per_ip_per_minute = 6000", "requests_per_ip_per_minute = 1"),
            ("requests_per_ip_burst = 1000", "requests_per_ip_burst = 2"),
        ])
        let server = try ServerProcess(arguments: ["--config", config])
        let proxy = try NginxProcess(upstreamPort: server.port)
        // A counted route (no token: 401 once past the limiter); 127.0.0.x are distinct clients to nginx.
        func get(
            from source: String,
            _ path: String = "/v1/files/aaaa",
            claiming: String? = nil
        ) throws
            -> ProxiedHTTP
            .Response
        {
            let header = claiming.map { "X-Forwarded-For: \($0)\r\n" } ?? ""
            return try ProxiedHTTP.request(
                port: proxy.port,
                source: source,
                "GET \(path) HTTP/1.1\r\nHost: x\r\n\(header)"
            )
        }
        // Every request claims another address on the left of X-Forwarded-For; Yizhan believes only the entry nginx
        // appended (the TCP peer it saw), so all three count against 127.0.0.2.
        #expect(try get(from: "127.0.0.2", claiming: "198.51.100.1").status == 401)
        #expect(try get(from: "127.0.0.2", claiming: "198.51.100.2").status == 401)
        let limited = try get(from: "127.0.0.2", claiming: "198.51.100.3")
        #expect(limited.status == 429, "\(limited.head)")
        #expect(limited.body.contains(#""code":"rate_limited""#))
        #expect((limited.header("Retry-After").flatMap { Int($0) } ?? 0) >= 1, "\(limited.head)")
        // All requests reach Yizhan from nginx's one address, yet another client has its own budget.
        #expect(try get(from: "127.0.0.3").status == 401)
        // Health checks are exempt.
        #expect(try get(from: "127.0.0.2", "/healthz").status == 200)
        #expect(try get(from: "127.0.0.2", "/readyz").status == 200)
        #expect(server.stop() == 0)
    }

    // MARK: Helpers

    func token(_ dataDirectory: String, _ user: String) throws -> String {
        try mintToken(dataDirectory, user)
    }

    /// Bytes in the regular files of `directory`.
    static func bytesIn(_ directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { return total }
            return total + Int(info.st_size)
        }
    }
}

/// The files under `deploy/`, prepared for a test run.
enum DeployFiles {
    /// Where the tests move the production config's `ops.listen`: a fixed port would collide between runs, and
    /// 127.0.0.2 keeps its log line apart from the main listener's, which ``ServerProcess`` looks for.
    static let opsHost = "127.0.0.2"

    static func text(_ path: String) throws -> String {
        try String(contentsOf: NginxProxyTests.deploy.appendingPathComponent(path), encoding: .utf8)
    }

    /// `deploy/yizhan.toml` with `ops.listen` on a free port and `replacing` applied (each must match), written to
    /// a temporary file. `ServerProcess` overrides the port and data directory with flags.
    static func productionConfig(replacing: [(String, String)] = []) throws -> String {
        try config(
            "yizhan.toml",
            replacing: [(#"listen = "127.0.0.1:9090""#, #"listen = "\#(opsHost):0""#)] + replacing
        )
    }

    /// `deploy/<name>` with `replacing` applied (each must match), written to a temporary file.
    static func config(_ name: String, replacing: [(String, String)]) throws -> String {
        var text = try text(name)
        for (old, new) in replacing {
            guard text.contains(old) else { throw DeployTestError("deploy/\(name) no longer contains '\(old)'") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = try DeployScratch.temporaryDirectory("yizhan-deploy-config") + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The ops listener's port, from its "ops listening" log line.
    static func opsPort(in logs: String) -> UInt16? {
        guard let range = logs.range(of: #""address":"\#(opsHost):"#) else { return nil }
        return UInt16(logs[range.upperBound...].prefix { $0.isNumber })
    }

    /// The block of `site` that starts with the line beginning `opening` and ends at the next line that is `}`.
    static func block(_ opening: String, in site: String) throws -> String {
        let lines = site.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(opening) }),
            let end = lines[start...].firstIndex(where: { $0 == "}" })
        else { throw DeployTestError("deploy/nginx/yizhan.conf has no '\(opening) … }' block") }
        return lines[start...end].joined(separator: "\n")
    }
}

/// Debian's nginx in the foreground, as the current user, on a free loopback port, serving the shipped locations
/// in front of a Yizhan on `upstreamPort`. Stopped when released.
final class NginxProcess: @unchecked Sendable {
    let process = Process()
    let port: UInt16
    let directory: String
    private let output = Pipe()
    private let lock = NSLock()
    private var logText = ""

    static func binary() throws -> String {
        let path = "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DeployTestError("nginx is not installed (\(path)): run scripts/ensure-deps --test, which installs it")
        }
        return path
    }

    init(upstreamPort: UInt16) throws {
        let binary = try Self.binary()
        directory = try DeployScratch.temporaryDirectory("yizhan-nginx")
        port = try Loopback.freePort()
        let site = try DeployFiles.text("nginx/yizhan.conf")
        // The site's map and upstream as shipped, pointed at the test server; its TLS server blocks are checked by
        // `nginx -t` in shippedSiteConfigPassesNginxTest.
        let upstream = try DeployFiles.block("upstream yizhan {", in: site)
        guard upstream.contains("server 127.0.0.1:8080;") else {
            throw DeployTestError("deploy/nginx/yizhan.conf: the upstream no longer names 127.0.0.1:8080")
        }
        let locations = NginxProxyTests.deploy.appendingPathComponent("nginx/yizhan-locations.conf").path
        let config = """
            worker_processes 1;
            events { worker_connections 256; }
            http {
                client_body_temp_path \(directory)/client_body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                access_log \(directory)/access.log;
            \(try DeployFiles.block("map $http_upgrade", in: site))
            \(upstream.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(upstreamPort)"))
                server {
                    listen 127.0.0.1:\(port);
                    include \(locations);
                }
            }

            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "-p", directory, "-c", directory + "/nginx.conf",
            "-g", "daemon off; pid \(directory)/nginx.pid; error_log stderr;",
        ]
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            lock.lock()
            logText += String(decoding: data, as: UTF8.self)
            lock.unlock()
        }
        try process.run()
        let port = self.port
        let process = self.process
        let listening = waitUntil(timeout: 10) { !process.isRunning || Loopback.canConnect(port: port) }
        guard listening, process.isRunning else {
            stop()
            throw DeployTestError("nginx did not start on 127.0.0.1:\(port): \(logs())")
        }
    }

    deinit { stop() }

    func logs() -> String {
        lock.lock()
        defer { lock.unlock() }
        return logText
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
    }
}

/// One HTTP/1.1 request per connection (`Connection: close`), from a chosen loopback source address, to any
/// loopback host: what `TestSocket` cannot do.
enum ProxiedHTTP {
    struct Response {
        var status: Int
        var head: String
        var body: String

        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":"),
                    line[..<colon].lowercased() == name.lowercased()
                else { continue }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
    }

    /// Sends `head` (the request line and fields, each ending in CRLF) plus `Connection: close`, reads to EOF.
    static func request(
        host: String = "127.0.0.1",
        port: UInt16,
        source: String? = nil,
        _ head: String
    ) throws -> Response {
        let fd = try Loopback.connectTCP(host: host, port: port, source: source)
        defer { close(fd) }
        let bytes = Array((head + "Connection: close\r\n\r\n").utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw DeployTestError("send failed")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw DeployTestError("no HTTP response from \(host):\(port): '\(text)'")
        }
        return Response(status: status, head: parts[0], body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

/// Plain IPv4 sockets on loopback, with a chosen source address where asked.
enum Loopback {
    /// A blocking IPv4 TCP connection with 5 s timeouts, bound to `source` if given.
    static func connectTCP(host: String, port: UInt16, source: String? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeployTestError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = Loopback.socketAddress(source, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(fd)
                throw DeployTestError("bind \(source): errno \(errno)")
            }
        }
        var remote = Loopback.socketAddress(host, port: port)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw DeployTestError("connect \(host):\(port): errno \(code)")
        }
        return fd
    }

    static func socketAddress(_ host: String, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func canConnect(port: UInt16) -> Bool {
        guard let fd = try? Loopback.connectTCP(host: "127.0.0.1", port: port) else { return false }
        close(fd)
        return true
    }

    /// A loopback port nothing listens on right now: bound to port 0, read back, released.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeployTestError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = Loopback.socketAddress("127.0.0.1", port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw DeployTestError("bind 127.0.0.1:0: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Temporary directories and child processes for the deploy tests.
enum DeployScratch {
    /// A fresh directory under the system's temporary directory.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `executable` to completion; returns its exit status and everything it printed.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

struct DeployTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
