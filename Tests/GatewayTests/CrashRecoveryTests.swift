import Auth
import Dispatch
import Foundation
import Glibc
import JSON
import Synchronization
import TestSupport
import Testing

/// kill -9 right after acks: a restarted server has every acknowledged message, once, with dense seqs.
@Suite(.serialized) struct CrashRecoveryTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DirectoryImportTests/Fixtures/sample-directory.json").path

    func runCLI(_ arguments: [String]) throws -> Int32 {
        try ServerProcess.runCLI(arguments).status
    }

    func token(_ dataDirectory: String, _ user: String) throws -> String {
        try mintToken(dataDirectory, user)
    }

    @Test(arguments: 0..<3)
    func everyAckedMessageSurvivesKillMinus9(round: Int) throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yizhan-crash-\(UUID().uuidString)"
        ).path
        #expect(try runCLI(["import", Self.fixture, "--data-dir", dataDirectory]) == 0)
        let first = try ServerProcess(arguments: [
            "--data-dir", dataDirectory, "--config", try ServerProcess.unlimitedRatesConfig(),
        ])
        let senders = ["2023010101", "2023010102", "2023010103"]
        let acked = Mutex<[String: (seq: Int64, text: String)]>([:])
        let probe = try HubClient(port: first.port, token: try token(dataDirectory, senders[0]))
        let conversations = try probe.request(["type": "conversations"])
        let group = try #require(conversations["data"]?["conversations"]?[0]?["group"]?.int64Value)
        let port = first.port
        let tokens = try senders.map { try token(dataDirectory, $0) }
        let killed = DispatchSemaphore(value: 0)
        let killAfter = 40 + round * 25
        DispatchQueue.global().async {
            // Kill once enough acks are in, while the senders are still going.
            while acked.withLock({ $0.count }) < killAfter { usleep(500) }
            kill(first.pid, SIGKILL)
            killed.signal()
        }
        DispatchQueue.concurrentPerform(iterations: senders.count) { index in
            guard let client = try? HubClient(port: port, token: tokens[index]) else { return }
            for i in 0..<1000 {
                let id = "r\(round)-\(index)-\(i)"
                let text = "crash test \(id)"
                guard
                    let reply = try? client.request([
                        "type": "send", "group": .int(group), "clientMsgId": .string(id), "kind": "text",
                        "body": ["text": .string(text)],
                    ]), let seq = reply["data"]?["seq"]?.int64Value
                else { return }
                acked.withLock { $0[id] = (seq, text) }
            }
        }
        killed.wait()
        first.process.waitUntilExit()

        let second = try ServerProcess(arguments: [
            "--data-dir", dataDirectory, "--config", try ServerProcess.unlimitedRatesConfig(),
        ])
        let reader = try HubClient(port: second.port, token: try token(dataDirectory, "2023010104"))
        var stored: [Int64: String] = [:]
        var cursor: Int64 = 0
        while true {
            let reply = try reader.request([
                "type": "sync", "limit": 500, "cursors": [["group": .int(group), "seq": .int(cursor)]],
            ])
            let page = try #require(reply["data"]?["groups"]?[0])
            for message in page["messages"]?.arrayValue ?? [] {
                let seq = message["seq"]!.int64Value!
                stored[seq] = message["body"]?["text"]?.stringValue ?? ""
                cursor = seq
            }
            if page["more"] != true { break }
        }
        let all = acked.withLock { $0 }
        #expect(all.count >= killAfter)
        for (id, ack) in all {
            #expect(stored[ack.seq] == ack.text, "acked \(id) at seq \(ack.seq) is missing after the crash")
        }
        // Dense: every seq from the first visible one to the head is there.
        let seqs = stored.keys.sorted()
        #expect(seqs == Array(seqs.first!...seqs.last!))
        // No message twice.
        let texts = stored.values.filter { $0.hasPrefix("crash test") }
        #expect(Set(texts).count == texts.count)
        // An unacknowledged send retried after the restart is stored at most once.
        let retry = try HubClient(port: second.port, token: try token(dataDirectory, senders[0]))
        let lastID = "r\(round)-0-999"
        let retried = try retry.request([
            "type": "send", "group": .int(group), "clientMsgId": .string(lastID), "kind": "text",
            "body": ["text": "retry"],
        ])
        #expect(retried.isOK)
        for client in [probe, reader, retry] { client.disconnect() }
        #expect(second.stop() == 0)
    }
}
