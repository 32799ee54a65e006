import Foundation
import JSON
import Testing

@testable import Hub

/// Replays every file of Protocol/examples/ against the hub: each request is decoded by `RequestDecoder` and
/// handled by a hub on an in-memory store, and its reply and pushes are compared with the file.
@Suite struct ProtocolExamplesTests {
    @Test func thereAreExamples() {
        #expect(ProtocolDocuments.exampleFiles.count >= 5, "\(ProtocolDocuments.exampleFiles)")
    }

    @Test(arguments: ProtocolDocuments.exampleFiles)
    func example(_ file: String) throws {
        let replay = try ExampleReplay(file: file)
        replay.run()
        for issue in replay.issues { Issue.record(Comment(rawValue: issue)) }
    }

    /// Every error code the hub has is shown by at least one example.
    @Test func examplesShowEveryErrorCode() throws {
        var seen: Set<String> = []
        for file in ProtocolDocuments.exampleFiles {
            let replay = try ExampleReplay(file: file)
            replay.run()
            seen.formUnion(replay.errorCodes)
        }
        let missing = HubError.Code.allCases.map(\.rawValue).filter {
            !seen.contains($0) && !PendingDocumentation.errorCodes.contains($0)
        }
        #expect(missing.isEmpty, "no example shows \(missing)")
    }

    /// Every system message event the hub writes is shown by at least one example.
    @Test func examplesShowEverySystemEvent() throws {
        var seen: Set<String> = []
        for file in ProtocolDocuments.exampleFiles {
            let replay = try ExampleReplay(file: file)
            replay.run()
            seen.formUnion(replay.systemEvents)
        }
        let events = try SystemEvents.inSources()
        #expect(events.count >= 14, "\(events)")
        let missing = events.subtracting(seen).subtracting(PendingDocumentation.events).sorted()
        #expect(missing.isEmpty, "no example shows the system events \(missing)")
    }

    /// The placeholder language itself.
    @Test func placeholdersMatchAndCapture() {
        var bindings: [String: JSONValue] = [:]
        #expect(ExampleReplay.match(["ts": "$ts", "group": "$office"], ["ts": 5, "group": 4], &bindings))
        #expect(bindings["office"] == 4)
        #expect(ExampleReplay.match(["group": "$office"], ["group": 4], &bindings))
        #expect(!ExampleReplay.match(["group": "$office"], ["group": 5], &bindings))
        #expect(!ExampleReplay.match(["ts": "$ts"], ["ts": "5"], &bindings))
        #expect(ExampleReplay.match(["x": "$any"], ["x": ["a": 1]], &bindings))
        #expect(ExampleReplay.match(["x": "$$ts"], ["x": "$ts"], &bindings))
        #expect(!ExampleReplay.match(["a": 1], ["a": 1, "b": 2], &bindings))
        #expect(!ExampleReplay.match([1, 2], [1, 2, 3], &bindings))
        let frames: [JSONValue] = [["type": "read"], ["type": "reply", "id": "1"], ["type": "message"]]
        let reply: JSONValue = ["type": "reply", "id": "1"]
        #expect(
            ExampleReplay.matchSequence(["$reply", ["type": "message"]], frames, exact: false, reply: reply, &bindings)
        )
        #expect(
            !ExampleReplay.matchSequence(
                [["type": "message"], "$reply"],
                frames,
                exact: false,
                reply: reply,
                &bindings
            )
        )
        #expect(
            !ExampleReplay.matchSequence(["$reply", ["type": "message"]], frames, exact: true, reply: reply, &bindings)
        )
    }
}

/// The system message events the hub writes, read from its sources (Sources/Hub and below): every string
/// literal on a line that calls `Wire.systemBody(`.
enum SystemEvents {
    /// All of Sources/Hub, for checking that a documented event is still written somewhere.
    static func sourceText() throws -> String {
        let sources = ProtocolDocuments.directory.deletingLastPathComponent().appendingPathComponent("Sources/Hub")
        let names = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        return try names.filter { $0.hasSuffix(".swift") }.map {
            try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8)
        }.joined(separator: "\n")
    }

    static func inSources() throws -> Set<String> {
        let sources = ProtocolDocuments.directory.deletingLastPathComponent().appendingPathComponent("Sources/Hub")
        var events: Set<String> = []
        let names = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        for name in names where name.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("Wire.systemBody(") {
                let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
                for (index, part) in parts.enumerated() where index % 2 == 1 { events.insert(String(part)) }
            }
        }
        return events
    }
}
