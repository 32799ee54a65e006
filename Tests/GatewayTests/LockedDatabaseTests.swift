import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// Another process holds the database's write lock (an operator's `sqlite3` session left in a transaction): sends
/// are refused with `storage_unavailable` after the busy timeout, nothing is acknowledged, the server does not
/// crash, and once the lock is gone a retry with the same `clientMsgId` stores the message exactly once.
@Suite(.serialized) struct LockedDatabaseTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path

    /// Reads the holder's output until `word` has appeared (true) or it ends (false); a pipe may deliver a line in
    /// pieces.
    static func read(_ handle: FileHandle, until word: String) -> Bool {
        var seen = ""
        while !seen.contains(word) {
            let data = handle.availableData
            if data.isEmpty { return false }
            seen += String(decoding: data, as: UTF8.self)
        }
        return true
    }

    @Test func aWriteLockHeldElsewhereRefusesSendsUntilItIsReleased() throws {
        let dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yizhan-locked-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        #expect(try ServerProcess.runCLI(["import", Self.fixture, "--data-dir", dataDirectory]).status == 0)
        let server = try ServerProcess(arguments: ["--data-dir", dataDirectory])
        defer { _ = server.stop() }
        let client = try HubClient(port: server.port, token: try mintToken(dataDirectory, "2023010101"))
        // The refusal comes after the store's 5 s busy timeout: wait longer than that for replies.
        var patience = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(client.socket.socket.fd, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
        let conversations = try client.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)

        // The lock holder: takes the write lock, says so, and lets go when told on standard input.
        let holder = Process()
        let input = Pipe()
        let output = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.readline()
            db.execute("ROLLBACK")
            print("released", flush=True)
            """,
            dataDirectory + "/yizhan.db",
        ]
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        let lines = output.fileHandleForReading
        #expect(Self.read(lines, until: "locked"))

        let send: JSONObject = [
            "type": "send", "group": .int(group), "clientMsgId": "during-lock", "kind": "text",
            "body": ["text": "锁住的时候发的"],
        ]
        let refused = try client.request(send)
        #expect(refused["ok"] == false, "\(refused)")
        #expect(refused["error"]?["code"] == "storage_unavailable", "\(refused)")

        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(Self.read(lines, until: "released"))
        holder.waitUntilExit()

        let accepted = try client.request(send)
        let seq = try #require(accepted["data"]?["seq"]?.int64Value, "\(accepted)")
        let again = try client.request(send)
        #expect(again["data"]?["seq"]?.int64Value == seq)
        let history = try client.request(["type": "sync", "cursors": [["group": .int(group), "seq": 0]]])
        let stored = (history["data"]?["groups"]?[0]?["messages"]?.arrayValue ?? []).filter {
            $0["clientMsgId"] == "during-lock"
        }
        #expect(stored.count == 1, "\(history)")
        client.disconnect()
        #expect(server.process.isRunning)
    }
}
