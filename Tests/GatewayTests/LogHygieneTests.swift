import Auth
import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// A full scenario against a real process logging at debug level: its log must not contain message bodies,
/// answers, file names, tokens (valid, expired or forged, in headers or in URLs) or anything else personal.
@Suite(.serialized) struct LogHygieneTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path

    func token(_ dataDirectory: String, _ user: String, roles: [String], ttl: Int64 = 600) throws -> String {
        try mintToken(dataDirectory, user, roles: roles, ttl: ttl)
    }

    @Test func aFullScenarioLogsNothingPersonal() throws {
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yizhan-logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        #expect(try ServerProcess.runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        let server = try ServerProcess(arguments: [
            "--data-dir", dataDirectory, "--config", try ServerProcess.unlimitedRatesConfig(),
        ])
        var secrets: [String] = []
        let counselorToken = try token(dataDirectory, "T1001", roles: ["counselor"])
        let studentToken = try token(dataDirectory, "2023010101", roles: ["student"])
        let expiredToken = try token(dataDirectory, "2023010102", roles: ["student"], ttl: -60)
        let forgedToken = String(studentToken.dropLast(4)) + "AAAA"
        secrets += [counselorToken, studentToken, expiredToken, forgedToken]
        // The signature part alone must not appear either.
        secrets += [counselorToken, studentToken].compactMap { $0.split(separator: ".").last.map(String.init) }

        let counselor = try HubClient(port: server.port, token: counselorToken)
        let student = try HubClient(port: server.port, token: studentToken, inQuery: true)
        let conversations = try student.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)

        let body = "私密消息正文-7f3a"
        secrets.append(body)
        #expect(
            try student.request([
                "type": "send", "group": .int(group), "clientMsgId": "b1", "kind": "text",
                "body": ["text": .string(body)],
            ])["ok"] == true
        )
        // A rejected send (too long) must not echo its body into the log either.
        let rejected = String(repeating: "拒", count: 6000) + "-rejected-9c1d"
        secrets.append("rejected-9c1d")
        _ = try student.request([
            "type": "send", "group": .int(group), "clientMsgId": "b2", "kind": "text",
            "body": ["text": .string(rejected)],
        ])

        let published = try counselor.request([
            "type": "card.publish", "group": .int(group), "clientMsgId": "q1",
            "card": [
                "type": "questionnaire", "title": "校外住宿意向",
                "questions": [["kind": "text", "title": "家庭住址"]],
            ],
        ])
        let card = try #require(published["data"]?["card"]?.int64Value, "\(published)")
        let answer = "北京市海淀区学院路37号-5e2b"
        secrets.append(answer)
        #expect(
            try student.request([
                "type": "card.respond", "card": .int(card), "response": ["answers": [.string(answer)]],
            ])[
                "ok"
            ] == true
        )
        let export = try HTTPTestClient(port: server.port).request(
            "GET",
            "/v1/cards/\(card)/export?format=json",
            headers: ["Authorization: Bearer \(counselorToken)"]
        )
        #expect(export?.status == 200)
        #expect(export?.text.contains(answer) == true)

        let fileName = "身份证正面-3b8e.jpg"
        secrets.append("身份证正面-3b8e")
        let upload = try HTTPTestClient(port: server.port).request(
            "POST",
            "/v1/files?name=\(fileName.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)",
            headers: ["Authorization: Bearer \(studentToken)"],
            body: Array("not really a photo".utf8)
        )
        #expect(upload?.status == 201)

        // Refused handshakes: expired and forged tokens, in the header and in the URL.
        for bad in [expiredToken, forgedToken] {
            for inQuery in [false, true] {
                #expect(throws: (any Error).self) {
                    let client = try HubClient(port: server.port, token: bad, inQuery: inQuery)
                    _ = try client.request(["type": "ping"])
                }
            }
        }
        let unauthorized = try HTTPTestClient(port: server.port).request(
            "GET",
            "/v1/cards/\(card)/export",
            headers: ["Authorization: Bearer \(forgedToken)"]
        )
        #expect(unauthorized?.status == 401)
        counselor.disconnect()
        student.disconnect()
        #expect(server.stop() == 0)

        let logs = server.logs()
        #expect(logs.contains(#""msg":"file uploaded""#), "the scenario did not run: \(logs)")
        for secret in secrets {
            #expect(!logs.contains(secret), "the log contains \(secret.prefix(40))…")
        }
    }
}
