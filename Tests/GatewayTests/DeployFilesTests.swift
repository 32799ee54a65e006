import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// The rest of `deploy/`: the systemd unit, checked by systemd's own analyzer; the container's config and health
/// check, run against a real `yizhan`; and the values the unit, the configs, the Dockerfile and the compose file
/// must agree on. (The nginx site is run in `NginxProxyTests`.)
@Suite struct DeployFilesTests {
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        .enabled(
            if: systemdAnalyze != nil,
            "systemd-analyze is not installed: Debian's package systemd has it (scripts/ensure-deps --test)"
        )
    )
    func systemdUnitPassesVerify() throws {
        let analyze = try #require(Self.systemdAnalyze)
        let root = try SystemdRoot.make()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let verify = try DeployScratch.run(
            analyze,
            ["verify", "--man=no", "--root=\(root)", "/etc/systemd/system/yizhan.service"]
        )
        #expect(verify.status == 0, "systemd-analyze verify: \(verify.output)")
        // verify exits 0 after warnings such as an unknown key or a bad value, which it ignores: any output fails.
        #expect(verify.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(verify.output)")

        // The check itself: the same unit with one bad value is reported.
        let unit = try DeployFiles.text("yizhan.service")
        try #require(unit.contains("\nProtectSystem=strict\n"))
        try unit.replacingOccurrences(of: "\nProtectSystem=strict\n", with: "\nProtectSystem=stricter\n").write(
            toFile: root + "/etc/systemd/system/yizhan-broken.service",
            atomically: true,
            encoding: .utf8
        )
        let broken = try DeployScratch.run(
            analyze,
            ["verify", "--man=no", "--root=\(root)", "/etc/systemd/system/yizhan-broken.service"]
        )
        #expect(broken.output.contains("stricter"), "\(broken.output)")
    }

    @Test(
        .enabled(
            if: systemdAnalyze != nil,
            "systemd-analyze is not installed: Debian's package systemd has it (scripts/ensure-deps --test)"
        )
    )
    func systemdExposureIsNoWorseThanDocumented() throws {
        let analyze = try #require(Self.systemdAnalyze)
        let unit = NginxProxyTests.deploy.appendingPathComponent("yizhan.service").path
        let security = try DeployScratch.run(analyze, ["security", "--offline=true", "--no-pager", unit])
        #expect(security.status == 0, "\(security.output)")
        let marker = "Overall exposure level for yizhan.service: "
        let measured = try #require(Self.number(after: marker, in: security.output), "\(security.output)")
        for readme in ["deploy/README.md", "README.md"] {
            let text = try String(
                contentsOf: NginxProxyTests.repository.appendingPathComponent(readme),
                encoding: .utf8
            )
            let documented = try #require(
                Self.number(after: "exposure level of **", in: text),
                "\(readme) no longer states the unit's exposure level as 'exposure level of **N.N**'"
            )
            #expect(
                measured <= documented,
                "systemd-analyze security rates deploy/yizhan.service \(measured), \(readme) says \(documented)"
            )
        }
    }

    @Test func containerConfigStartsTheServerAndPassesTheHealthCheck() throws {
        // The container listens on all interfaces and serves ops on 0.0.0.0:9090; here, loopback and free ports.
        let config = try DeployFiles.config(
            "container.toml",
            replacing: [(#"listen = "0.0.0.0:9090""#, #"listen = "\#(DeployFiles.opsHost):0""#)]
        )
        let server = try ServerProcess(arguments: ["--config", config, "--host", "127.0.0.1"])
        #expect(try ProxiedHTTP.request(port: server.port, "GET /readyz HTTP/1.1\r\nHost: x\r\n").status == 200)
        let opsPort = try #require(DeployFiles.opsPort(in: server.logs()), "no ops listener: \(server.logs())")
        let metrics = try ProxiedHTTP.request(
            host: DeployFiles.opsHost,
            port: opsPort,
            "GET /metrics HTTP/1.1\r\nHost: x\r\n"
        )
        #expect(metrics.status == 200)

        // The Dockerfile's HEALTHCHECK command, as Docker would run it, against this server.
        let check = try Self.healthCheck(port: server.port)
        let healthy = try DeployScratch.run("/usr/bin/env", check)
        #expect(healthy.status == 0, "HEALTHCHECK failed against a ready server: \(healthy.output)")
        #expect(server.stop() == 0)
        #expect(!server.logs().contains(#""level":"error""#), "\(server.logs())")
        let unhealthy = try DeployScratch.run("/usr/bin/env", check)
        #expect(unhealthy.status != 0, "HEALTHCHECK passed with no server")
    }

    @Test func unitConfigsDockerfileAndComposeAgree() throws {
        let unit = try DeployFiles.text("yizhan.service")
        let production = try DeployFiles.text("yizhan.toml")
        let container = try DeployFiles.text("container.toml")
        let dockerfile = try DeployFiles.text("Dockerfile")
        let ignore = try DeployFiles.text("Dockerfile.dockerignore")
        let compose = try DeployFiles.text("compose.yaml")
        let locations = try DeployFiles.text("nginx/yizhan-locations.conf")

        // systemd: the config it names, the state directory it creates, descriptors and stop time to spare.
        #expect(unit.contains("ExecStart=/usr/local/bin/yizhan serve --config /etc/yizhan/yizhan.toml\n"))
        #expect(try Self.toml(production, "server", "data_dir") == #""/var/lib/yizhan""#)
        #expect(unit.contains("\nStateDirectory=yizhan\n") && unit.contains("\nReadWritePaths=/var/lib/yizhan\n"))
        let maxConnections = try #require(Int(try Self.toml(production, "limits", "max_connections")))
        let noFile = try #require(Int(try Self.setting(unit, "LimitNOFILE")))
        #expect(noFile >= maxConnections + 1000, "LimitNOFILE=\(noFile) leaves no room beside the connections")
        let shutdown = try #require(Int(try Self.toml(production, "server", "shutdown_timeout")))
        #expect(try #require(Int(try Self.setting(unit, "TimeoutStopSec"))) >= shutdown + 5)

        // The image: its config, its data volume, its ports, its health check, and what the context lets in.
        let port = try Self.toml(container, "server", "port")
        #expect(dockerfile.contains("COPY deploy/container.toml /etc/yizhan/yizhan.toml\n"))
        #expect(dockerfile.contains(#"CMD ["serve", "--config", "/etc/yizhan/yizhan.toml"]"#))
        #expect(try Self.toml(container, "server", "data_dir") == #""/var/lib/yizhan""#)
        #expect(dockerfile.contains(#"VOLUME ["/var/lib/yizhan"]"#))
        #expect(compose.contains("- yizhan-data:/var/lib/yizhan\n"))
        #expect(dockerfile.contains("EXPOSE \(port) 9090\n"))
        #expect(try Self.toml(container, "ops", "listen") == #""0.0.0.0:9090""#)
        #expect(dockerfile.contains("/dev/tcp/127.0.0.1/\(port) "))
        #expect(compose.contains(#"- "127.0.0.1:8080:\#(port)""#) && compose.contains(#"- "127.0.0.1:9090:9090""#))
        for entry in ["Package.swift", "Sources", "Tests", "deploy/container.toml"] {
            #expect(ignore.contains("\n!\(entry)\n"), "deploy/Dockerfile.dockerignore keeps \(entry) out")
        }

        // Compose: the gateway the host's nginx appears from is the container's trusted proxy; descriptors and
        // stop time as in the unit.
        let gateway = try Self.setting(compose, "          gateway", separator: ": ")
        #expect(compose.contains("- subnet: 172.31.250.0/24\n") && gateway == "172.31.250.1")
        #expect(try Self.toml(container, "http", "trusted_proxies") == #"["\#(gateway)"]"#)
        #expect(compose.contains("soft: \(noFile)\n") && compose.contains("hard: \(noFile)\n"))
        #expect(try Self.toml(container, "limits", "max_connections") == String(maxConnections))
        #expect(compose.contains("stop_grace_period: \(try Self.setting(unit, "TimeoutStopSec"))s\n"))

        // nginx lets through the largest upload either config allows.
        for config in [production, container] {
            let maxUpload = try #require(Int(try Self.toml(config, "files", "max_upload_bytes")))
            #expect(locations.contains("client_max_body_size \(maxUpload >> 20)m;"))
        }
    }

    // MARK: Helpers

    /// The Dockerfile's `HEALTHCHECK … CMD [...]`, aimed at `port` on loopback.
    static func healthCheck(port: UInt16) throws -> [String] {
        let dockerfile = try DeployFiles.text("Dockerfile")
        guard let start = dockerfile.range(of: "\nHEALTHCHECK "),
            let command = dockerfile[start.upperBound...].range(of: "CMD [")
        else { throw DeployTestError("deploy/Dockerfile has no HEALTHCHECK … CMD [...]") }
        let line = dockerfile[dockerfile.index(before: command.upperBound)...].prefix { $0 != "\n" }
        let words = try JSONParser.parse(String(line)).arrayValue ?? []
        let arguments = words.compactMap(\.stringValue)
        guard arguments.count == words.count, !arguments.isEmpty else {
            throw DeployTestError("HEALTHCHECK CMD is not a JSON array of strings: \(line)")
        }
        return arguments.map {
            $0.replacingOccurrences(of: "/dev/tcp/127.0.0.1/8080", with: "/dev/tcp/127.0.0.1/\(port)")
        }
    }

    /// The value of `key` in `[section]` of a TOML file as written (strings keep their quotes).
    static func toml(_ text: String, _ section: String, _ key: String) throws -> String {
        var current = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast())
            } else if current == section, line.hasPrefix(key + " =") {
                return line.dropFirst(key.count + 2).trimmingCharacters(in: .whitespaces)
            }
        }
        throw DeployTestError("no \(section).\(key)")
    }

    /// The value of the first line `name=value` (or `name: value`).
    static func setting(_ text: String, _ name: String, separator: String = "=") throws -> String {
        for line in text.split(separator: "\n") where line.hasPrefix(name + separator) {
            return String(line.dropFirst(name.count + separator.count))
        }
        throw DeployTestError("no \(name)\(separator)")
    }

    /// The decimal number right after `marker` in `text`.
    static func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}

/// A directory that systemd-analyze can treat as a machine's root (`--root`): the host's own unit files, the unit
/// under test in /etc/systemd/system, and the built `yizhan` at the path its `ExecStart=` names, so the check that
/// the binary exists is made against the real one.
enum SystemdRoot {
    static func make() throws -> String {
        let root = try DeployScratch.temporaryDirectory("yizhan-systemd-root")
        let files = FileManager.default
        let hostUnits = ["/usr/lib/systemd/system", "/lib/systemd/system"].first { files.fileExists(atPath: $0) }
        guard let hostUnits else { throw DeployTestError("no /usr/lib/systemd/system on this machine") }
        try files.createDirectory(atPath: root + "/usr/lib/systemd", withIntermediateDirectories: true)
        try files.copyItem(atPath: hostUnits, toPath: root + "/usr/lib/systemd/system")
        try files.createDirectory(atPath: root + "/etc/systemd/system", withIntermediateDirectories: true)
        let unit = try DeployFiles.text("yizhan.service")
        try unit.write(toFile: root + "/etc/systemd/system/yizhan.service", atomically: true, encoding: .utf8)
        let execStart = try DeployFilesTests.setting(unit, "ExecStart")
        let binary = String(execStart.prefix { $0 != " " })
        try files.createDirectory(
            atPath: root + (binary as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try files.copyItem(atPath: ServerProcess.binaryPath, toPath: root + binary)
        return root
    }
}
