import Foundation
import Gateway
import JSON
import TestSupport
import Testing
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
        var testDescription: String { code }
    }

    static let errorExamples: [ErrorExample] = {
        guard let errors = try? document("http-errors.json")["errors"]?.arrayValue else { return [] }
        return errors.compactMap { entry in
            guard let code = entry["code"]?.stringValue, let status = entry["status"]?.intValue,
                let request = entry["example"]?.stringValue
            else { return nil }
            return ErrorExample(code: code, status: status, request: request)
        }
    }()

    @Test func errorDocumentIsNotEmpty() {
        #expect(Self.errorExamples.count >= 20)
    }

    @Test(arguments: errorExamples)
    func everyDocumentedHTTPErrorIsWhatTheServerAnswers(_ example: ErrorExample) throws {
        let server = try TestServer { $0.allowedOrigins = ["https://app.example.edu"] }
        let client = try TestSocket(port: server.port)
        try client.send(example.request)
        let response = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 \(example.status) "), "\(response.prefix(200))")
        let body = try JSONParser.parse(String(response.split(separator: "\r\n\r\n", maxSplits: 1).last ?? ""))
        #expect(body["error"]?["code"]?.stringValue == example.code)
        #expect((body["error"]?["message"]?.stringValue ?? "").hasSuffix("."))
    }

    @Test func closeCodeDocumentMatchesTheCode() throws {
        let codes = try Self.document("close-codes.json")["closeCodes"]?.arrayValue ?? []
        let documented = Set(codes.compactMap { $0["code"]?.intValue })
        let sent: Set<Int> = [
            CloseCode.normal, .goingAway, .protocolError, .invalidPayload, .messageTooBig, .internalError,
            .slowConsumer,
        ].map { Int($0.rawValue) }.reduce(into: []) { $0.insert($1) }
        #expect(documented == sent)
        let readme = try String(contentsOf: Self.protocolDirectory.appendingPathComponent("README.md"), encoding: .utf8)
        let undocumented = documented.filter { !readme.contains("| \($0) |") }
        #expect(undocumented.isEmpty, "Protocol/README.md lacks close codes \(undocumented)")
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
