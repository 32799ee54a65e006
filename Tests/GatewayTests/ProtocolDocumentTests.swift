import Auth
import Foundation
import Gateway
import Hub
import JSON
import TestSupport
import Testing
import Transport
import WebSocket

/// The documents in Protocol/ are checked against the running code, so they cannot drift.
@Suite struct ProtocolDocumentTests {
    static let protocolDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol")

    static func document(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: protocolDirectory.appendingPathComponent(name))
        return try JSONParser.parse(Array(data))
    }

    struct ErrorExample: Sendable, CustomTestStringConvertible {
        let code: String
        let status: Int
        let request: String
        /// Limits of the server for this example (see `configure`).
        let configuration: JSONObject
        /// The request is sent this many times, each on a new connection; the last answer is checked.
        let attempts: Int
        /// Response headers the answer must have.
        let headers: [String]
        var testDescription: String { code }
    }

    static let errorExamples: [ErrorExample] = {
        guard let errors = try? document("http-errors.json")["errors"]?.arrayValue else { return [] }
        return errors.compactMap { entry in
            guard let code = entry["code"]?.stringValue, let status = entry["status"]?.intValue,
                let request = entry["example"]?.stringValue
            else { return nil }
            return ErrorExample(
                code: code,
                status: status,
                request: request,
                configuration: entry["configuration"]?.objectValue ?? JSONObject(),
                attempts: entry["attempts"]?.intValue ?? 1,
                headers: entry["headers"]?.arrayValue?.compactMap(\.stringValue) ?? []
            )
        }
    }()

    /// Applies an example's `configuration`: the per-IP limits, which the other examples leave off.
    static func configure(_ configuration: inout ServerConfiguration, _ settings: JSONObject) {
        configuration.allowedOrigins = ["https://app.example.edu"]
        for (key, value) in settings {
            let number = value.doubleValue ?? 0
            switch key {
            case "maxConnections": configuration.transport.maxConnections = Int(number)
            case "maxConnectionsPerIP": configuration.transport.maxConnectionsPerIP = Int(number)
            case "handshakesPerIPPerMinute":
                configuration.handshakesPerIP = .perMinute(
                    number,
                    burst: settings["handshakesPerIPBurst"]?.doubleValue ?? 1
                )
            case "requestsPerIPPerMinute":
                configuration.requestsPerIP = .perMinute(
                    number,
                    burst: settings["requestsPerIPBurst"]?.doubleValue ?? 1
                )
            case "handshakesPerIPBurst", "requestsPerIPBurst": break
            default: Issue.record("http-errors.json: unknown configuration \(key)")
            }
        }
    }

    @Test func errorDocumentIsNotEmpty() {
        #expect(Self.errorExamples.count >= 20)
    }

    @Test(arguments: errorExamples)
    func everyDocumentedHTTPErrorIsWhatTheServerAnswers(_ example: ErrorExample) throws {
        let server = try TestServer { Self.configure(&$0, example.configuration) }
        var response = ""
        for _ in 0..<max(1, example.attempts) {
            let client = try TestSocket(port: server.port)
            // A connection refused at accept may be closed before the request is written.
            try? client.send(example.request)
            response = String(decoding: client.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 \(example.status) "), "\(response.prefix(200))")
        let parts = response.split(separator: "\r\n\r\n", maxSplits: 1)
        let head = parts.first.map(String.init) ?? ""
        for name in example.headers {
            let present = head.lowercased().contains("\r\n\(name.lowercased()): ")
            #expect(present, "\(example.code): no \(name) header in\n\(head)")
        }
        let body = try JSONParser.parse(String(parts.last ?? ""))
        #expect(body["error"]?["code"]?.stringValue == example.code)
        #expect((body["error"]?["message"]?.stringValue ?? "").hasSuffix("."))
    }

    @Test func closeCodeDocumentMatchesTheCode() throws {
        let codes = try Self.document("close-codes.json")["closeCodes"]?.arrayValue ?? []
        let documented = Set(codes.compactMap { $0["code"]?.intValue })
        var sent: Set<Int> = [
            CloseCode.normal, .goingAway, .protocolError, .invalidPayload, .messageTooBig, .internalError,
            .slowConsumer,
        ].map { Int($0.rawValue) }.reduce(into: []) { $0.insert($1) }
        // The hub's own codes (Hub.CloseCodes).
        sent.insert(Int(CloseCodes.tokenExpired))
        sent.insert(Int(CloseCodes.unknownUser))
        sent.insert(Int(CloseCodes.tooManyRequests))
        #expect(documented == sent)
        let readme = try String(contentsOf: Self.protocolDirectory.appendingPathComponent("README.md"), encoding: .utf8)
        let undocumented = documented.filter { !readme.contains("| \($0) |") }
        #expect(undocumented.isEmpty, "Protocol/README.md lacks close codes \(undocumented)")
    }

    /// Protocol/README.md lists every refusal of an access token with its code and message.
    @Test func tokenErrorsAreDocumented() throws {
        let readme = try String(contentsOf: Self.protocolDirectory.appendingPathComponent("README.md"), encoding: .utf8)
        let errors: [TokenError] = [.missing, .malformed, .badSignature, .expired, .notYetValid, .wrongKind]
        for error in errors {
            let row = "| `\(error.code)` | \(error.message) |"
            let documented = readme.contains(row)
            #expect(documented, "Protocol/README.md lacks the row \(row)")
        }
    }

    /// Protocol/directory-import.json: every example is sent, in order, to a server with an empty directory.
    @Test func directoryImportExamplesAreWhatTheServerAnswers() throws {
        let examples = try Self.document("directory-import.json")["examples"]?.arrayValue ?? []
        #expect(examples.count >= 8)
        let server = try HubTestServer(importSample: false)
        for (index, example) in examples.enumerated() {
            let body = example["body"]?.stringValue ?? ""
            var head = "POST /v1/admin/directory\(example["query"]?.stringValue ?? "") HTTP/1.1\r\nHost: x\r\n"
            if let token = example["token"], let user = token["user"]?.stringValue {
                let roles = token["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
                head += "Authorization: Bearer \(server.token(user, roles: roles))\r\n"
            }
            if let type = example["contentType"]?.stringValue { head += "Content-Type: \(type)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let client = try TestSocket(port: server.port)
            try client.send(head + body)
            let response = String(decoding: client.receiveAll(), as: UTF8.self)
            let place = "directory-import.json example \(index + 1)"
            let status = example["status"]?.intValue ?? 0
            #expect(response.hasPrefix("HTTP/1.1 \(status) "), "\(place): \(response.prefix(300))")
            let answer = try JSONParser.parse(String(response.split(separator: "\r\n\r\n", maxSplits: 1).last ?? ""))
            let expected = example["response"] ?? .null
            #expect(Self.matches(expected, answer), "\(place)\n  expected \(expected)\n  actual   \(answer)")
        }
    }

    /// `expected` with `"$any"` standing for any value; objects must have the same keys.
    static func matches(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        switch (expected, actual) {
        case (.string("$any"), _): return true
        case (.object(let left), .object(let right)):
            guard Set(left.keys) == Set(right.keys) else { return false }
            return left.allSatisfy { key, value in right[key].map { matches(value, $0) } ?? false }
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { matches($0, $1) }
        default: return expected == actual
        }
    }

    @Test func readmeDocumentsEverySetting() throws {
        let readme = try String(
            contentsOf: Self.protocolDirectory.deletingLastPathComponent().appendingPathComponent("README.md"),
            encoding: .utf8
        )
        let missing = Settings.all.map(\.key).filter { !readme.contains("`\($0)`") }
        #expect(missing.isEmpty, "README.md lacks \(missing)")
    }
}
