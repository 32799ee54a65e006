import Foundation
import JSON
import Testing

@testable import Hub

/// Protocol/hub.schema.json describes every frame: the frames of the examples (as the hub really sent them) and
/// of README.md are validated against it with Python's `jsonschema` (Tests/Scripts/validate_protocol_schema.py),
/// and the schema and README.md are checked to cover every command, error code and system message event.
@Suite struct ProtocolSchemaTests {
    static let schema: JSONValue? = try? ProtocolDocuments.load("hub.schema.json")
    static let readme: String = (try? ProtocolDocuments.text("README.md")) ?? ""

    var definitions: JSONObject { Self.schema?["$defs"]?.objectValue ?? JSONObject() }

    static func readmeHas(_ text: String) -> Bool { readme.contains(text) }

    @Test func everyFrameMatchesTheSchema() throws {
        var checks: [ObservedFrame] = []
        for file in ProtocolDocuments.exampleFiles {
            let replay = try ExampleReplay(file: file)
            replay.run()
            checks += replay.observed
        }
        #expect(checks.count > 200, "\(checks.count) frames")
        let (fromReadme, readmeIssues) = ReadmeFrames.checks(Self.readme)
        for issue in readmeIssues { Issue.record(Comment(rawValue: issue)) }
        #expect(fromReadme.count > 50, "README.md has \(fromReadme.count) frames")
        checks += fromReadme
        checks += try DirectoryImportDocument.checks()
        for problem in try SchemaValidator.run(checks) { Issue.record(Comment(rawValue: problem)) }
    }

    /// The validator notices what it should: a frame that breaks the schema is reported.
    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let checks = [
            ObservedFrame(
                definition: "request.send",
                value: [
                    "id": "1", "type": "send", "group": 1, "clientMsgId": "x", "kind": "text",
                    "body": ["text": .string(String(repeating: "字", count: 6000))],
                ],
                valid: false,
                place: "6000 characters"
            ),
            ObservedFrame(
                definition: "request.group.rename",
                value: [
                    "id": "1", "type": "group.rename", "group": 1, "name": .string(String(repeating: "名", count: 90)),
                ],
                valid: false,
                place: "270 bytes"
            ),
            ObservedFrame(definition: "push", value: ["type": "read", "group": 1], valid: false, place: "no seq"),
        ]
        #expect(try SchemaValidator.run(checks).isEmpty)
    }

    /// The decoder's commands are exactly the documented ones.
    @Test func theDecoderHasNoUndocumentedCommand() throws {
        let known = try DecoderSource.commandTypes()
        #expect(known.count > 30, "\(known)")
        let listed = Set(ProtocolDocuments.commandTypes)
        #expect(known.subtracting(listed).isEmpty, "undocumented commands: \(known.subtracting(listed).sorted())")
        #expect(listed.subtracting(known).isEmpty, "no longer in the decoder: \(listed.subtracting(known).sorted())")
    }

    /// Nothing is left as "not documented yet", in the README or in the schema.
    @Test func nothingIsLeftUndocumented() throws {
        let schema = try ProtocolDocuments.text("hub.schema.json")
        for (name, text) in [("README.md", Self.readme), ("hub.schema.json", schema)] {
            let pending = text.lowercased().contains("not documented yet")
            #expect(!pending, "\(name) still says something is not documented yet")
        }
    }

    /// Every push type and every message kind has its schema and its row in README.md.
    @Test func everyPushAndMessageKindIsInTheReadmeAndTheSchema() {
        let pushes = (definitions["push"]?["oneOf"]?.arrayValue ?? []).compactMap {
            $0["$ref"]?.stringValue?.replacingOccurrences(of: "#/$defs/push.", with: "")
        }
        #expect(pushes == ProtocolDocuments.pushTypes)
        for type in ProtocolDocuments.pushTypes {
            #expect(Self.readmeHas("| `\(type)` |"), "README.md's push table lacks \(type)")
        }
        let kinds = MessageKind.allCases.map(\.rawValue)
        let schemaKinds = definitions["message"]?["properties"]?["kind"]?["enum"]?.arrayValue?.compactMap(\.stringValue)
        #expect(schemaKinds == kinds)
        for kind in kinds {
            #expect(Self.readmeHas("| `\(kind)` |"), "README.md's message kind table lacks \(kind)")
            if kind != "system" {
                #expect(definitions["body.\(kind)"] != nil, "hub.schema.json lacks body.\(kind)")
            }
        }
    }

    @Test func everyCommandIsKnownToTheDecoderAndDescribed() throws {
        let unknown = RequestDecoder.decode(
            Array(#"{"id":"1","type":"no.such"}"#.utf8),
            configuration: HubConfiguration()
        )
        #expect(unknownCommand(unknown))
        for type in ProtocolDocuments.commandTypes {
            let bytes = JSONValue.object(["id": "1", "type": .string(type)]).encoded()
            let result = RequestDecoder.decode(bytes, configuration: HubConfiguration())
            #expect(!unknownCommand(result), "the decoder does not know \(type)")
            #expect(definitions["request.\(type)"] != nil, "hub.schema.json lacks request.\(type)")
            #expect(definitions["reply.\(type)"] != nil, "hub.schema.json lacks reply.\(type)")
            #expect(Self.readmeHas("### `\(type)`"), "README.md lacks a section ### `\(type)`")
        }
        // The schema's list of requests is exactly the list of commands.
        let listed = (definitions["request"]?["oneOf"]?.arrayValue ?? []).compactMap {
            $0["$ref"]?.stringValue?.replacingOccurrences(of: "#/$defs/request.", with: "")
        }
        #expect(listed == ProtocolDocuments.commandTypes)
        // Every request definition is closed, as the decoder refuses unknown fields.
        for type in ProtocolDocuments.commandTypes {
            #expect(definitions["request.\(type)"]?["additionalProperties"] == false, "request.\(type)")
        }
    }

    @Test func everyErrorCodeIsInTheReadmeAndTheSchema() {
        let codes = Set(
            definitions["error"]?["properties"]?["code"]?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
        for code in HubError.Code.allCases.map(\.rawValue) {
            #expect(Self.readmeHas("| `\(code)` |"), "README.md's error table lacks \(code)")
            #expect(codes.contains(code), "hub.schema.json's error codes lack \(code)")
        }
        #expect(codes.count == HubError.Code.allCases.count)
    }

    @Test func everySystemEventIsInTheReadmeAndTheSchema() throws {
        // `task_reminder` is the body of reminder messages, not a system message.
        let events = try SystemEvents.inSources().subtracting(["task_reminder"])
        let defined = Set(
            (definitions["systemBody"]?["oneOf"]?.arrayValue ?? []).compactMap {
                $0["$ref"]?.stringValue?.replacingOccurrences(of: "#/$defs/system.", with: "")
            }
        )
        #expect(events.subtracting(defined).isEmpty, "hub.schema.json lacks \(events.subtracting(defined).sorted())")
        let sources = try SystemEvents.sourceText()
        for event in defined.union(events) {
            #expect(Self.readmeHas("| `\(event)` |"), "README.md's system message table lacks \(event)")
            #expect(sources.contains("\"\(event)\""), "\(event) is documented but the hub no longer writes it")
        }
    }

    private func unknownCommand(_ result: Result<Request, RequestDecoder.Failure>) -> Bool {
        if case .failure(let failure) = result { return failure.error.code == .unknownCommand }
        return false
    }
}

/// The frames in README.md's ```json blocks: a block holds one JSON value, or one per line (a request followed by
/// its reply and pushes). Requests must decode (unless the block shows the decoder refusing them), replies are
/// paired with their requests by id, and everything is validated against the schema.
enum ReadmeFrames {
    /// Types of frames from the server. `read`, `receipts`, `card.stats` and `task.progress` are also commands: a
    /// frame with an `id` and one of these types is a request, without an `id` a push.
    static let serverTypes: Set<String> = [
        "reply", "error", "message", "read", "receipts", "card.stats", "task.progress", "news.article",
        "news.retracted",
    ]

    static func isRequest(_ value: JSONValue) -> Bool {
        guard let type = value["type"]?.stringValue else { return false }
        return !["reply", "error", "message"].contains(type) && (value["id"] != nil || !serverTypes.contains(type))
    }

    static func checks(_ readme: String) -> ([ObservedFrame], [String]) {
        var checks: [ObservedFrame] = []
        var issues: [String] = []
        let lines = readme.components(separatedBy: "\n")
        var index = 0
        while index < lines.count {
            guard lines[index].trimmingCharacters(in: .whitespaces) == "```json" else {
                index += 1
                continue
            }
            let start = index + 2
            var block: [String] = []
            index += 1
            while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                block.append(lines[index])
                index += 1
            }
            index += 1
            var values: [(line: Int, value: JSONValue)] = []
            if let whole = try? JSONParser.parse(block.joined(separator: "\n")) {
                values = [(start, whole)]
            } else {
                for (offset, line) in block.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    do {
                        values.append((start + offset, try JSONParser.parse(line)))
                    } catch {
                        issues.append("README.md line \(start + offset): not JSON: \(line.prefix(80))")
                    }
                }
            }
            let (blockChecks, blockIssues) = classify(values)
            checks += blockChecks
            issues += blockIssues
        }
        return (checks, issues)
    }

    private static func classify(_ values: [(line: Int, value: JSONValue)]) -> ([ObservedFrame], [String]) {
        var checks: [ObservedFrame] = []
        var issues: [String] = []
        var requestTypes: [String: String] = [:]
        var refusals: [String: String] = [:]
        for (_, value) in values {
            guard let type = value["type"]?.stringValue, let id = value["id"]?.stringValue else { continue }
            if isRequest(value) {
                requestTypes[id] = type
            } else if value["ok"] == false, let code = value["error"]?["code"]?.stringValue {
                refusals[id] = code
            }
        }
        for (line, value) in values {
            let place = "README.md line \(line)"
            guard case .object(let object) = value else { continue }
            let type = object["type"]?.stringValue
            if let type, isRequest(value) {
                let result = RequestDecoder.decode(value.encoded(), configuration: HubConfiguration())
                var valid = true
                if case .failure(let failure) = result {
                    let id = object["id"]?.stringValue ?? ""
                    if refusals[id] == failure.error.code.rawValue
                        || (object["id"] == nil && failure.error.code == .invalidRequest)
                    {
                        valid = false
                    } else {
                        issues.append("\(place): the request does not decode: \(failure.error.message)")
                    }
                }
                checks.append(ObservedFrame(definition: "request", value: value, valid: valid, place: place))
                if valid, ProtocolDocuments.commandTypes.contains(type) {
                    checks.append(ObservedFrame(definition: "request.\(type)", value: value, valid: true, place: place))
                }
            } else if type == "reply" {
                if object["ok"] == true {
                    guard let id = object["id"]?.stringValue, let request = requestTypes[id] else {
                        issues.append("\(place): a reply without its request in the same block")
                        continue
                    }
                    checks.append(
                        ObservedFrame(definition: "reply.\(request)", value: value, valid: true, place: place)
                    )
                } else {
                    checks.append(ObservedFrame(definition: "replyError", value: value, valid: true, place: place))
                }
            } else if type == "error" {
                checks.append(ObservedFrame(definition: "errorFrame", value: value, valid: true, place: place))
            } else if let type, serverTypes.contains(type) {
                checks.append(ObservedFrame(definition: "push", value: value, valid: true, place: place))
            } else if object["event"] == "task_reminder" {
                checks.append(ObservedFrame(definition: "body.reminder", value: value, valid: true, place: place))
            } else if object["event"] != nil {
                checks.append(ObservedFrame(definition: "systemBody", value: value, valid: true, place: place))
            } else if object["seq"] != nil, object["kind"] != nil, object["sender"] != nil {
                checks.append(ObservedFrame(definition: "message", value: value, valid: true, place: place))
            } else if object["groupsCreated"] != nil {
                checks.append(ObservedFrame(definition: "directory.report", value: value, valid: true, place: place))
            } else if object["error"]?["problems"] != nil {
                checks.append(ObservedFrame(definition: "directory.problems", value: value, valid: true, place: place))
            } else if let definition = HTTPBodies.definition(of: object) {
                checks.append(ObservedFrame(definition: definition, value: value, valid: true, place: place))
            }
        }
        return (checks, issues)
    }
}

/// The answers documented in Protocol/directory-import.json (replayed over HTTP by the gateway tests).
enum DirectoryImportDocument {
    static func checks() throws -> [ObservedFrame] {
        guard FileManager.default.fileExists(atPath: ProtocolDocuments.url("directory-import.json").path) else {
            return []
        }
        let document = try ProtocolDocuments.load("directory-import.json")
        var checks: [ObservedFrame] = []
        for (index, example) in (document["examples"]?.arrayValue ?? []).enumerated() {
            guard let response = example["response"] else { continue }
            let place = "directory-import.json example \(index + 1)"
            switch example["status"]?.intValue {
            case 200:
                checks.append(ObservedFrame(definition: "directory.report", value: response, valid: true, place: place))
            case 422:
                checks.append(
                    ObservedFrame(definition: "directory.problems", value: response, valid: true, place: place)
                )
            default: break
            }
        }
        return checks
    }
}

/// The JSON bodies of the REST endpoints of the group services and of files, recognised by their members.
enum HTTPBodies {
    static func definition(of object: JSONObject) -> String? {
        let keys = Set(object.keys)
        if keys.contains("to"), keys.contains("title") { return "http.appMessages.request" }
        if keys == ["delivered", "duplicates"] { return "http.appMessages.response" }
        if keys.contains("object"), keys.contains("sha256") { return "http.upload" }
        if keys == ["summary", "columns", "rows"] { return "http.export" }
        if keys == ["error"], object["error"]?["code"] != nil { return "http.error" }
        return nil
    }
}

/// Runs Tests/Scripts/validate_protocol_schema.py on a list of checks; returns its problems.
enum SchemaValidator {
    static func run(_ checks: [ObservedFrame]) throws -> [String] {
        let root = ProtocolDocuments.directory.deletingLastPathComponent()
        let job: JSONValue = [
            "schema": .string(ProtocolDocuments.url("hub.schema.json").path),
            "checks": .array(
                checks.map {
                    [
                        "def": .string($0.definition), "instance": $0.value, "valid": .bool($0.valid),
                        "place": .string($0.place),
                    ]
                }
            ),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yizhan-schema-\(UUID().uuidString).json"
        )
        try Data(job.encoded()).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", root.appendingPathComponent("Tests/Scripts/validate_protocol_schema.py").path, file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        if process.terminationStatus != 0, lines.isEmpty {
            return [
                "the validator failed (exit \(process.terminationStatus)); is jsonschema installed? "
                    + "python3 -m pip install 'jsonschema>=4.18' (scripts/ensure-deps --test)"
            ]
        }
        return process.terminationStatus == 0 ? [] : lines
    }
}
