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

    /// Everything the examples show, over all files.
    static let shown: (errorCodes: Set<String>, events: Set<String>, pushTypes: Set<String>, kinds: Set<String>) = {
        var shown: (Set<String>, Set<String>, Set<String>, Set<String>) = ([], [], [], [])
        for file in ProtocolDocuments.exampleFiles {
            guard let replay = try? ExampleReplay(file: file) else { continue }
            replay.run()
            shown.0.formUnion(replay.errorCodes)
            shown.1.formUnion(replay.systemEvents)
            shown.2.formUnion(replay.pushTypes)
            shown.3.formUnion(replay.messageKinds)
        }
        return shown
    }()

    /// What only the news center's REST routes cause: Protocol/openapi.json's replay shows it (OpenAPITests).
    static let shownByOpenAPI = (
        errorCodes: Set([
            "column_not_found", "article_not_found", "version_mismatch", "delivery_not_found", "request_not_found",
            "invalid_transition", "comment_required", "insufficient_stock", "slot_taken",
        ]),
        events: Set(["news_important", "news_reminder"]),
        pushTypes: Set(["news.article", "news.retracted"])
    )

    /// Every error code the hub has is shown by at least one example.
    @Test func examplesShowEveryErrorCode() throws {
        let missing = HubError.Code.allCases.map(\.rawValue).filter {
            !Self.shown.errorCodes.contains($0) && !Self.shownByOpenAPI.errorCodes.contains($0)
        }
        #expect(missing.isEmpty, "no example shows \(missing)")
    }

    /// Every system message event the hub writes (and `task_reminder`, the body of reminders) is shown by at least
    /// one example.
    @Test func examplesShowEverySystemEvent() throws {
        let events = try SystemEvents.inSources()
        #expect(events.count >= 20, "\(events)")
        let missing = events.subtracting(Self.shown.events).subtracting(Self.shownByOpenAPI.events).sorted()
        #expect(missing.isEmpty, "no example shows the system events \(missing)")
    }

    /// Every push type and every message kind is shown by at least one example.
    @Test func examplesShowEveryPushAndMessageKind() {
        let pushes = Set(ProtocolDocuments.pushTypes).subtracting(Self.shown.pushTypes)
            .subtracting(Self.shownByOpenAPI.pushTypes).sorted()
        #expect(pushes.isEmpty, "no example shows the pushes \(pushes)")
        #expect(Self.shown.pushTypes.isSubset(of: ProtocolDocuments.pushTypes), "\(Self.shown.pushTypes)")
        let kinds = Set(MessageKind.allCases.map(\.rawValue)).subtracting(Self.shown.kinds).sorted()
        #expect(kinds.isEmpty, "no example shows messages of kind \(kinds)")
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
/// literal on a line that calls `Wire.systemBody(`, and the first string literal passed to a function that hands
/// its own parameter to `Wire.systemBody(` (such as `notice("file_added", file, by: user)`).
enum SystemEvents {
    /// The Swift files of Sources/Hub, by path.
    static func sources() throws -> [(name: String, text: String)] {
        let sources = ProtocolDocuments.directory.deletingLastPathComponent().appendingPathComponent("Sources/Hub")
        let names = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        return try names.filter { $0.hasSuffix(".swift") }.sorted().map {
            ($0, try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// All of Sources/Hub, for checking that a documented event is still written somewhere.
    static func sourceText() throws -> String {
        try sources().map(\.text).joined(separator: "\n")
    }

    static func inSources() throws -> Set<String> {
        let files = try sources()
        var events: Set<String> = []
        // Functions that pass a parameter on as the event: `func notice(_ event: String, …)` calling
        // `Wire.systemBody(event)`.
        var forwarders: Set<String> = []
        for (_, text) in files {
            var function: String?
            for line in text.split(separator: "\n") {
                if let name = declaredFunction(line) { function = name }
                guard let call = line.range(of: "Wire.systemBody(") else { continue }
                let literals = stringLiterals(line)
                events.formUnion(literals)
                if literals.isEmpty, let function, line[call.upperBound...].first?.isLetter == true {
                    forwarders.insert(function)
                }
            }
        }
        for (_, text) in files {
            for line in text.split(separator: "\n") {
                for function in forwarders {
                    var rest = line[...]
                    while let call = rest.range(of: function + "(\"") {
                        let literal = rest[call.upperBound...].prefix { $0 != "\"" }
                        events.insert(String(literal))
                        rest = rest[call.upperBound...]
                    }
                }
            }
        }
        return events
    }

    /// The name of the function a line declares, if it declares one.
    private static func declaredFunction(_ line: Substring) -> String? {
        guard let range = line.range(of: "func ") else { return nil }
        let name = line[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }

    private static func stringLiterals(_ line: Substring) -> [String] {
        let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
