import Auth
import Dispatch
import Foundation
import Glibc
import JSON
import Synchronization
import TestSupport
import Testing

/// `yizhan backup` while a server takes writes, `yizhan restore` into a new directory, and a server started on the
/// restored data that has every message acknowledged before the backup began, and the files they refer to.
@Suite(.serialized) struct BackupTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path

    func runCLI(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.runCLI(arguments)
    }

    func token(_ dataDirectory: String, _ user: String) throws -> String {
        try mintToken(dataDirectory, user)
    }

    func temporaryDirectory(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-\(name)-\(UUID().uuidString)").path
    }

    /// Every message of `group` from the start, through paged `sync`.
    func messages(_ client: HubClient, group: Int64) throws -> [Int64: JSONValue] {
        var stored: [Int64: JSONValue] = [:]
        var cursor: Int64 = 0
        while true {
            let reply = try client.request([
                "type": "sync", "limit": 500, "cursors": [["group": .int(group), "seq": .int(cursor)]],
            ])
            let page = try #require(reply["data"]?["groups"]?[0])
            for message in page["messages"]?.arrayValue ?? [] {
                let seq = try #require(message["seq"]?.int64Value)
                stored[seq] = message
                cursor = seq
            }
            if page["more"] != true { return stored }
        }
    }

    @Test func backupUnderWriteLoadRestoresEveryAcknowledgedMessageAndFile() throws {
        let dataDirectory = temporaryDirectory("backup-source")
        let backupDirectory = temporaryDirectory("backup")
        let restoredDirectory = temporaryDirectory("backup-restored")
        defer {
            for directory in [dataDirectory, backupDirectory, restoredDirectory] {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        #expect(try runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        let server = try ServerProcess(arguments: [
            "--data-dir", dataDirectory, "--config", try ServerProcess.unlimitedRatesConfig(),
        ])
        let sender = "2023010101"
        let senderToken = try token(dataDirectory, sender)

        // A file, and a message that refers to it.
        let content = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let upload = try #require(
            try HTTPTestClient(port: server.port).request(
                "POST",
                "/v1/files?name=timetable.bin",
                headers: ["Authorization: Bearer \(senderToken)"],
                body: content
            )
        )
        #expect(upload.status == 201)
        let object = try #require(try JSONParser.parse(upload.text)["object"]?.stringValue)
        let client = try HubClient(port: server.port, token: senderToken)
        let conversations = try client.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)
        let fileReply = try client.request([
            "type": "send", "group": .int(group), "clientMsgId": "file-1", "kind": "file",
            "body": ["object": .string(object), "name": "timetable.bin"],
        ])
        let fileSeq = try #require(fileReply["data"]?["seq"]?.int64Value, "\(fileReply)")

        // Writers keep going while the backup runs.
        let acked = Mutex<[Int64: String]>([:])
        let stop = Atomic<Bool>(false)
        let writersDone = DispatchGroup()
        let port = server.port
        let writerTokens = try ["2023010102", "2023010103"].map { try token(dataDirectory, $0) }
        for (index, writerToken) in writerTokens.enumerated() {
            writersDone.enter()
            DispatchQueue.global().async {
                defer { writersDone.leave() }
                guard let writer = try? HubClient(port: port, token: writerToken) else { return }
                var i = 0
                while !stop.load(ordering: .relaxed) {
                    let text = "backup load \(index)-\(i)"
                    guard
                        let reply = try? writer.request([
                            "type": "send", "group": .int(group), "clientMsgId": .string("w\(index)-\(i)"),
                            "kind": "text", "body": ["text": .string(text)],
                        ]), let seq = reply["data"]?["seq"]?.int64Value
                    else { return }
                    acked.withLock { $0[seq] = text }
                    i += 1
                }
                writer.disconnect()
            }
        }
        #expect(waitUntil(timeout: 20) { acked.withLock { $0.count } >= 100 })
        let ackedBeforeBackup = acked.withLock { $0 }
        let backup = try runCLI(["backup", "--to", backupDirectory, "--data-dir", dataDirectory])
        let countDuringBackup = acked.withLock { $0.count }
        stop.store(true, ordering: .relaxed)
        writersDone.wait()
        #expect(backup.status == 0, "\(backup.output)")
        #expect(backup.output.contains("1 files (70000 bytes)"), "\(backup.output)")
        #expect(countDuringBackup > ackedBeforeBackup.count, "the writers kept being acknowledged during the backup")
        let manifest = try JSONParser.parse(
            String(contentsOfFile: backupDirectory + "/backup.json", encoding: .utf8)
        )
        #expect(manifest["objects"] == 1)

        // A second backup into the same place is refused; so is a restore over live data.
        #expect(try runCLI(["backup", "--to", backupDirectory, "--data-dir", dataDirectory]).status == 1)
        let overLive = try runCLI(["restore", "--from", backupDirectory, "--data-dir", dataDirectory])
        #expect(overLive.status == 1)
        #expect(overLive.output.contains("a server is running"))
        client.disconnect()
        #expect(server.stop() == 0)

        let restore = try runCLI(["restore", "--from", backupDirectory, "--data-dir", restoredDirectory])
        #expect(restore.status == 0, "\(restore.output)")
        let status = try runCLI(["migrate", "--status", "--data-dir", restoredDirectory])
        #expect(status.output.contains("version 1 applied"), "\(status.output)")
        #expect(!status.output.contains("will run at the next start"), "\(status.output)")

        let restored = try ServerProcess(arguments: [
            "--data-dir", restoredDirectory, "--config", try ServerProcess.unlimitedRatesConfig(),
        ])
        let reader = try HubClient(port: restored.port, token: try token(restoredDirectory, "2023010104"))
        let stored = try messages(reader, group: group)
        for (seq, text) in ackedBeforeBackup {
            #expect(stored[seq]?["body"]?["text"]?.stringValue == text, "acked seq \(seq) is missing from the backup")
        }
        let seqs = stored.keys.sorted()
        #expect(seqs == Array(seqs.first!...seqs.last!))
        #expect(stored[fileSeq]?["body"]?["object"]?.stringValue == object)
        #expect(stored[fileSeq]?["body"]?["size"] == 70000, "the size comes from the stored object")
        // The old token secret came along, and the file is readable.
        let download = try #require(
            try HTTPTestClient(port: restored.port).request(
                "GET",
                "/v1/files/\(object)",
                headers: ["Authorization: Bearer \(senderToken)"]
            )
        )
        #expect(download.status == 200)
        #expect(download.body == content)
        reader.disconnect()
        #expect(restored.stop() == 0)
    }

    @Test func restoreRefusesWhatIsNotABackupAndDirectoriesInUse() throws {
        let empty = temporaryDirectory("backup-none")
        let target = temporaryDirectory("backup-target")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer {
            for directory in [empty, target] { try? FileManager.default.removeItem(atPath: directory) }
        }
        let notBackup = try runCLI(["restore", "--from", empty, "--data-dir", target])
        #expect(notBackup.status == 1)
        #expect(notBackup.output.contains("is not a yizhan backup"))

        // A damaged database is refused before anything is copied.
        try Data("SQLite format 3\0 but not really".utf8).write(to: URL(fileURLWithPath: empty + "/yizhan.db"))
        let damaged = try runCLI(["restore", "--from", empty, "--data-dir", target])
        #expect(damaged.status == 1)
        #expect(!FileManager.default.fileExists(atPath: target + "/yizhan.db"))
    }
}
