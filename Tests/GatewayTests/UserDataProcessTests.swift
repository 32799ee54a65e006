import Auth
import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// `yizhan user export` / `user erase` and `yizhan audit verify` against real processes and a real data directory.
@Suite(.serialized) struct UserDataProcessTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path
    static let student = "2023010101"
    static let classmate = "2023010102"

    func token(_ dataDirectory: String, _ user: String) throws -> String {
        try mintToken(dataDirectory, user)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains {
            haystack[$0..<($0 + needle.count)].elementsEqual(needle)
        }
    }

    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-userdata-\(UUID().uuidString)").path
    }

    /// Every row of every table but the audit log, as text (Python's sqlite3: an independent reader).
    func tableDump(_ dataDirectory: String) throws -> String {
        try python(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'audit_log'"):
                for row in db.execute(f'SELECT * FROM "{name}"'):
                    print(name, [bytes(v).decode() if isinstance(v, bytes) else v for v in row])
            """,
            dataDirectory + "/yizhan.db"
        )
    }

    func python(_ script: String, _ arguments: String...) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func exportThenEraseKeepsTheGroupHistoryUnderAFormerMember() throws {
        let dataDirectory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        #expect(try ServerProcess.runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        let arguments = ["--data-dir", dataDirectory, "--config", try ServerProcess.unlimitedRatesConfig()]
        var server = try ServerProcess(arguments: arguments)
        let client = try HubClient(port: server.port, token: try token(dataDirectory, Self.student))
        let conversations = try client.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)
        let sent = try client.request([
            "type": "send", "group": .int(group), "clientMsgId": "m1", "kind": "text",
            "body": ["text": "我下周实习，班会请假。"],
        ])
        let seq = try #require(sent["data"]?["seq"]?.int64Value, "\(sent)")
        client.disconnect()
        let classmate = try HubClient(port: server.port, token: try token(dataDirectory, Self.classmate))
        let mention = try classmate.request([
            "type": "send", "group": .int(group), "clientMsgId": "m2", "kind": "text",
            "body": ["text": "收到"], "mentions": [.string(Self.student)],
        ])
        #expect(mention["ok"] == true, "\(mention)")
        classmate.disconnect()
        // News: the student is an editor of a column, follows it, opens an important article and gets its notice.
        func rest(_ method: String, _ path: String, as user: String, roles: [String], _ body: JSONValue) throws -> Int {
            let http = try HTTPTestClient(port: server.port)
            let token = try mintToken(dataDirectory, user, roles: roles)
            return try #require(
                try http.request(method, path, headers: ["Authorization: Bearer \(token)"], body: body.encoded())
            ).status
        }
        let column: JSONValue = [
            "id": "club", "name": "社团", "audience": ["everyone": true], "editors": [.string(Self.student)],
        ]
        #expect(try rest("POST", "/v1/news/columns", as: "admin", roles: ["admin"], column) == 201)
        #expect(
            try rest("PUT", "/v1/news/subscriptions", as: Self.student, roles: ["student"], ["columns": ["club"]])
                == 200
        )
        let article: JSONValue = [
            "column": "club", "title": "招新", "body": "<p>欢迎</p>", "publish": true, "important": true,
        ]
        #expect(try rest("POST", "/v1/news/articles", as: Self.student, roles: ["student"], article) == 201)
        #expect(try rest("GET", "/v1/news/articles/1", as: Self.student, roles: ["student"], [:]) == 200)

        // Export works while the server runs; erasing does not.
        let export = try ServerProcess.runCLI(["user", "export", Self.student, "--data-dir", dataDirectory])
        #expect(export.status == 0, "\(export.output)")
        let exported = try JSONParser.parse(Array(export.output.utf8))
        #expect(exported["directory"]?["name"] == "张伟")
        #expect(exported["messagesSent"]?.arrayValue?.contains { $0["seq"]?.int64Value == seq } == true)
        #expect(exported["groups"]?.arrayValue?.contains { $0["group"]?.int64Value == group } == true)
        #expect(exported["newsReads"]?[0]?["article"] == 1, "\(exported)")
        #expect(exported["newsSubscriptions"]?["subscribed"] == ["club"])
        let busy = try ServerProcess.runCLI(["user", "erase", Self.student, "--yes", "--data-dir", dataDirectory])
        #expect(busy.status == 1 && busy.output.contains("stop it first"), "\(busy.output)")
        #expect(server.stop() == 0)

        let unconfirmed = try ServerProcess.runCLI(["user", "erase", Self.student, "--data-dir", dataDirectory])
        #expect(unconfirmed.status == 2)
        let erase = try ServerProcess.runCLI(["user", "erase", Self.student, "--yes", "--data-dir", dataDirectory])
        #expect(erase.status == 0, "\(erase.output)")
        let pseudonym = try #require(
            erase.output.split(separator: " ").first { $0.hasPrefix("former-") }.map(String.init),
            "\(erase.output)"
        )
        // Nothing but the audit log names the person any more.
        let dump = try tableDump(dataDirectory)
        #expect(!dump.isEmpty)
        #expect(!dump.contains(Self.student), "\(dump.split(separator: "\n").filter { $0.contains(Self.student) })")
        #expect(!dump.contains("张伟"))
        // Nor do the bytes of the files: the rows were overwritten, not just unlinked.
        for file in ["yizhan.db", "yizhan.db-wal"] {
            let bytes = [UInt8](FileManager.default.contents(atPath: dataDirectory + "/" + file) ?? Data())
            #expect(!bytes.isEmpty || file.hasSuffix("-wal"))
            #expect(!Self.contains(bytes, Array("张伟".utf8)), "\(file) still holds the name")
        }
        let again = try ServerProcess.runCLI(["user", "export", Self.student, "--data-dir", dataDirectory])
        #expect(again.status == 1 && again.output.contains("no user"), "\(again.output)")

        // Classmates still see the whole history, the erased person's message under the pseudonym.
        server = try ServerProcess(arguments: arguments)
        defer { _ = server.stop() }
        let reader = try HubClient(port: server.port, token: try token(dataDirectory, Self.classmate))
        let history = try reader.request([
            "type": "sync", "cursors": [["group": .int(group), "seq": .int(seq - 1)]],
        ])
        let messages = history["data"]?["groups"]?[0]?["messages"]?.arrayValue ?? []
        let original = try #require(messages.first { $0["seq"]?.int64Value == seq }, "\(history)")
        #expect(original["sender"] == .string(pseudonym))
        #expect(original["body"]?["text"] == "我下周实习，班会请假。")
        #expect(messages.first { $0["clientMsgId"] == "m2" }?["mentions"] == [.string(pseudonym)])
        let members = try reader.request(["type": "group.info", "group": .int(group)])
        #expect(!members.jsonString.contains(Self.student), "\(members)")
        reader.disconnect()

        let verify = try ServerProcess.runCLI(["audit", "verify", "--data-dir", dataDirectory])
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")
        let list = try ServerProcess.runCLI(["audit", "list", "--data-dir", dataDirectory])
        let actions = list.output.split(separator: "\n").compactMap {
            try? JSONParser.parse(Array($0.utf8))["action"]?.stringValue
        }
        #expect(actions == ["directory.import", "user.export", "user.erase"], "\(list.output)")
    }

    @Test func auditVerifyFindsAnEditedOrDeletedEntry() throws {
        let dataDirectory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        #expect(try ServerProcess.runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        for _ in 0..<3 {
            #expect(
                try ServerProcess.runCLI(["user", "export", Self.student, "--data-dir", dataDirectory]).status == 0
            )
        }
        let intact = try ServerProcess.runCLI(["audit", "verify", "--data-dir", dataDirectory])
        #expect(intact.status == 0 && intact.output.contains("4 entries"), "\(intact.output)")

        // The triggers refuse edits…
        let refused = try python(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            try:
                db.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 2"); db.commit(); print("changed")
            except sqlite3.DatabaseError as error:
                print("refused:", error)
            """,
            dataDirectory + "/yizhan.db"
        )
        #expect(refused.contains("refused: the audit log is append-only"), "\(refused)")
        // …and the chain shows an edit made around them.
        _ = try python(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("DROP TRIGGER audit_log_no_update")
            db.execute("UPDATE audit_log SET target = 'user:2023010199' WHERE seq = 2")
            db.commit()
            """,
            dataDirectory + "/yizhan.db"
        )
        let edited = try ServerProcess.runCLI(["audit", "verify", "--data-dir", dataDirectory])
        #expect(edited.status == 1 && edited.output.contains("broken at entry 2"), "\(edited.output)")

        _ = try python(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("DROP TRIGGER audit_log_no_delete")
            db.execute("UPDATE audit_log SET target = 'user:2023010101' WHERE seq = 2")
            db.execute("DELETE FROM audit_log WHERE seq = 3")
            db.commit()
            """,
            dataDirectory + "/yizhan.db"
        )
        let deleted = try ServerProcess.runCLI(["audit", "verify", "--data-dir", dataDirectory])
        #expect(deleted.status == 1 && deleted.output.contains("broken at entry 4"), "\(deleted.output)")
        #expect(deleted.output.contains("missing"))
    }
}
