import Gateway
import Testing

@Suite struct ConfigurationTests {
    @Test func fileAndFlagsBuildTheConfiguration() throws {
        let file = """
            # comment
            [server]
            host = "0.0.0.0"   # trailing comment
            port = 9000
            [websocket]
            allowed_origins = ["https://a.example", "https://b.example",]
            ping_interval = 12.5
            deflate = false
            [limits]
            max_outbound_bytes = 2_097_152
            """
        let configuration = try CommandLineOptions.configuration(from: [
            "--config", "y.toml", "--port", "9100", "--echo",
        ]) {
            _ in file
        }
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9100)
        #expect(configuration.echo)
        #expect(configuration.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.pingInterval == 12.5)
        #expect(!configuration.deflate)
        #expect(configuration.transport.maxOutboundBytes == 2_097_152)
    }

    @Test(arguments: [
        ("[server]\nprot = 1", "line 2: unknown setting 'server.prot'"),
        ("[server]\nport = \"80\"", "line 2: server.port must be an integer in 0...65535"),
        ("[server]\nport = 70000", "line 2: server.port must be an integer in 0...65535"),
        ("[server]\nport = 1\nport = 2", "line 3: 'server.port' is set twice"),
        ("[server\n", "line 1: expected ']' after section name"),
        ("[server]\nhost = localhost", "line 2: 'localhost' is not a value (quote strings: \"localhost\")"),
        ("[server]\nhost = \"a", "line 2: unterminated string"),
        (
            "[websocket]\nping_interval = -1",
            "line 2: websocket.ping_interval must be between 0 and one year of seconds"
        ),
    ])
    func badFilesFailWithTheLine(_ text: String, _ message: String) {
        do {
            _ = try CommandLineOptions.configuration(from: ["--config", "y.toml"]) { _ in text }
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)" == "y.toml: \(message)")
        }
    }

    @Test func unknownFlagsAreRefused() {
        #expect(throws: CommandLineOptions.Error.self) {
            try CommandLineOptions.configuration(from: ["--prot", "1"]) { _ in "" }
        }
    }

    @Test func stringEscapesAndUnicode() throws {
        let file = try ConfigFile(parsing: #"a = "x\"y\\z\u4e00\t""#)
        #expect(file.entries.first?.value == .string("x\"y\\z一\t"))
    }
}
