import Foundation
import JSON
import TestSupport
import Testing

/// The daily retention purge in a real `yizhan` process: data written, then aged on disk (Python's sqlite3 moves
/// its times back), then a restart with the purge time already passed today, so the purge runs on the first tick.
@Suite(.serialized) struct RetentionProcessTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path
    static let student = "2023010101"
    static let day: Int64 = 86_400_000

    func python(_ script: String, _ arguments: String...) throws -> (status: Int32, output: String) {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Files under `objects/` (each blob is `objects/ab/cd/<sha256>`).
    func blobs(_ dataDirectory: String) -> Int {
        let enumerator = FileManager.default.enumerator(atPath: dataDirectory + "/objects")
        var count = 0
        while let path = enumerator?.nextObject() as? String {
            if path.split(separator: "/").count == 3 { count += 1 }
        }
        return count
    }

    @Test func thePurgeExpiresOldMessagesAndDeletesTheirFiles() throws {
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yizhan-retention-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        #expect(try ServerProcess.runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        let config = dataDirectory + ".toml"
        defer { try? FileManager.default.removeItem(atPath: config) }
        // Messages 30 days; the purge at 00:00, which every start of the day has passed.
        try "[retention]\nmessages_days = 30\npurge_time = \"00:00\"\n".write(
            toFile: config,
            atomically: true,
            encoding: .utf8
        )
        let arguments = ["--data-dir", dataDirectory, "--config", config]

        var server = try ServerProcess(arguments: arguments)
        let token = try mintToken(dataDirectory, Self.student)
        let upload = try #require(
            try HTTPTestClient(port: server.port).request(
                "POST",
                "/v1/files?name=notes.txt",
                headers: ["Authorization: Bearer \(token)"],
                body: Array("复习提纲：第一章到第五章".utf8)
            )
        )
        #expect(upload.status == 201)
        let object = try #require(try JSONParser.parse(upload.text)["object"]?.stringValue)
        let client = try HubClient(port: server.port, token: token)
        let conversations = try client.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)
        let file = try client.request([
            "type": "send", "group": .int(group), "clientMsgId": "f1", "kind": "file",
            "body": ["object": .string(object), "name": "notes.txt"],
        ])
        let fileSeq = try #require(file["data"]?["seq"]?.int64Value, "\(file)")
        let text = try client.request([
            "type": "send", "group": .int(group), "clientMsgId": "t1", "kind": "text", "body": ["text": "旧消息"],
        ])
        let textSeq = try #require(text["data"]?["seq"]?.int64Value)
        client.disconnect()
        #expect(server.stop() == 0)
        #expect(blobs(dataDirectory) == 1)

        // Forty days pass for everything written so far.
        let aged = try python(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            shift = int(sys.argv[2])
            db.execute("UPDATE messages SET created_at = created_at - ?", (shift,))
            db.execute("UPDATE objects SET created_at = created_at - ?", (shift,))
            db.commit()
            """,
            dataDirectory + "/yizhan.db",
            String(40 * Self.day)
        )
        #expect(aged.status == 0, "\(aged.output)")

        server = try ServerProcess(arguments: arguments)
        defer { _ = server.stop() }
        #expect(
            waitUntil(timeout: 20) { server.logs().contains(#""msg":"retention purge""#) },
            "no purge: \(server.logs())"
        )
        let purgeLine = server.logs().split(separator: "\n").first { $0.contains(#""msg":"retention purge""#) }
        #expect(purgeLine?.contains(#""filesRemoved":1"#) == true, "\(purgeLine ?? "")")
        #expect(blobs(dataDirectory) == 0)

        let reader = try HubClient(port: server.port, token: try mintToken(dataDirectory, "2023010102"))
        let history = try reader.request([
            "type": "sync", "cursors": [["group": .int(group), "seq": .int(fileSeq - 1)]],
        ])
        let messages = history["data"]?["groups"]?[0]?["messages"]?.arrayValue ?? []
        for seq in [fileSeq, textSeq] {
            let message = try #require(messages.first { $0["seq"]?.int64Value == seq }, "\(history)")
            #expect(message["expired"] == true && message["body"] == nil && message["sender"] == .null, "\(message)")
        }
        let download = try HTTPTestClient(port: server.port).request(
            "GET",
            "/v1/files/\(object)",
            headers: ["Authorization: Bearer \(token)"]
        )
        #expect(download?.status == 404)
        reader.disconnect()
    }
}
