import Foundation
import JSON
import Synchronization

@testable import Hub

/// The documents in Protocol/, as the tests read them.
enum ProtocolDocuments {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol")

    static func url(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }

    static func load(_ name: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: url(name))))
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    /// The example files in Protocol/examples/, sorted.
    static let exampleFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url("examples").path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    /// Every command type the protocol has (Protocol/README.md "Commands"). The tests check that the decoder
    /// knows exactly these and that the schema and the README describe each of them.
    static let commandTypes = [
        "ping", "sync", "history", "conversations", "send", "recall", "read", "receipts", "group.info",
        "group.create", "group.rename", "group.addMembers", "group.removeMembers", "group.leave", "group.setAdmin",
        "group.transferOwner", "group.muteAll", "group.muteMember", "group.unmuteMember", "group.freeze",
        "group.dissolve", "group.settings", "card.publish", "card.get", "card.respond", "card.stats", "card.close",
        "task.publish", "task.get", "task.complete", "task.undo", "task.excuse", "task.progress", "task.remind",
        "file.list", "file.add", "file.rename", "file.delete",
    ]

    /// Every push type (Protocol/README.md "Pushes"). `read`, `receipts`, `card.stats` and `task.progress` are also
    /// command names: a push has no `id`.
    static let pushTypes = [
        "message", "read", "receipts", "card.stats", "task.progress", "news.article", "news.retracted",
    ]
}

/// The command types `RequestDecoder` knows, read from its source (the keys of its `decoders` table).
enum DecoderSource {
    static func commandTypes() throws -> Set<String> {
        let file = ProtocolDocuments.directory.deletingLastPathComponent()
            .appendingPathComponent("Sources/Hub/RequestDecoder.swift")
        var types: Set<String> = []
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("\""), let end = trimmed.dropFirst().firstIndex(of: "\"") else { continue }
            let rest = trimmed[trimmed.index(after: end)...]
            if rest.hasPrefix(": {") { types.insert(String(trimmed[trimmed.index(after: trimmed.startIndex)..<end])) }
        }
        return types
    }
}

/// A frame seen while replaying an example, for the schema test: what it is and which `$defs` entry of
/// Protocol/hub.schema.json describes it.
struct ObservedFrame: Sendable {
    /// The `$defs` entry the frame must match (`request`, `reply.send`, `push`, …).
    var definition: String
    var value: JSONValue
    /// False for requests the server refuses while decoding: the schema must reject them too.
    var valid: Bool
    /// Where it comes from, for messages.
    var place: String
}

/// Replays one file of Protocol/examples/ on a `HubHarness` (see Protocol/README.md "Examples" for the format
/// and the placeholder language), collecting every mismatch as a readable issue.
final class ExampleReplay {
    let file: String
    let document: JSONValue
    private(set) var harness: HubHarness!
    private var configuration = HubConfiguration()
    private var sessions: [String: Session] = [:]
    private var order: [String] = []
    /// Values captured by `"$name"` placeholders.
    private(set) var bindings: [String: JSONValue] = [:]
    private(set) var issues: [String] = []
    private(set) var observed: [ObservedFrame] = []
    /// Error codes of every reply and sync page seen (for the coverage check).
    private(set) var errorCodes: Set<String> = []
    /// Events of every system message (and reminder) seen.
    private(set) var systemEvents: Set<String> = []
    /// Types of every push seen, and kinds of every message seen.
    private(set) var pushTypes: Set<String> = []
    private(set) var messageKinds: Set<String> = []

    /// The group ids the sample directory's groups get, which the examples use as literals.
    static let directoryGroups: [String: Int64] = ["class:se2301": 1, "class:se2302": 2, "course:DS": 3]

    init(file: String) throws {
        self.file = file
        self.document = try ProtocolDocuments.load("examples/" + file)
    }

    /// Runs every step.
    func run() {
        guard let steps = document["steps"]?.arrayValue, !steps.isEmpty else {
            return issue("the file has no steps")
        }
        guard document["title"]?.stringValue != nil else { return issue("the file has no title") }
        if let overrides = document["configuration"]?.objectValue { configure(overrides) }
        harness = HubHarness(configuration: configuration)
        for (key, id) in Self.directoryGroups where harness.group(key).rawValue != id {
            issue("the sample directory's group \(key) is \(harness.group(key)), not \(id) as the examples assume")
        }
        // Sessions are connected up front, unless a step connects them explicitly.
        var explicit: Set<String> = []
        for step in steps {
            if let name = step["connect"]?.stringValue { explicit.insert(name) }
        }
        for step in steps {
            var names: [String] = []
            if let name = step["as"]?.stringValue { names.append(name) }
            names += step["pushes"]?.objectValue?.keys ?? []
            names += step["closed"]?.objectValue?.keys ?? []
            for name in names where !explicit.contains(name) && sessions[name] == nil { connect(name, roles: nil) }
        }
        for (index, step) in steps.enumerated() {
            run(step, place: "step \(index + 1)")
        }
    }

    private func configure(_ overrides: JSONObject) {
        for (key, value) in overrides {
            switch (key, value) {
            case ("maxGroupMembers", .int(let number)): configuration.maxGroupMembers = Int(number)
            case ("recentMessages", .int(let number)): configuration.recentMessages = Int(number)
            case ("defaultPage", .int(let number)): configuration.defaultPage = Int(number)
            case ("maxPage", .int(let number)): configuration.maxPage = Int(number)
            case ("recallWindow", .int(let number)): configuration.recallWindow = Double(number)
            case ("taskRemindInterval", .int(let number)): configuration.taskRemindInterval = Double(number)
            case ("receiptInterval", .int(let number)): configuration.receiptInterval = Double(number)
            case ("postsPerMinute", .int(let number)):
                configuration.rateLimits.posts = .perMinute(Double(number), burst: configuration.rateLimits.posts.burst)
            case ("postsBurst", .int(let number)):
                configuration.rateLimits.posts = RateLimit(
                    perSecond: configuration.rateLimits.posts.perSecond,
                    burst: Double(number)
                )
            default: issue("unknown configuration \(key): \(value)")
            }
        }
    }

    // MARK: Sessions

    /// `S1` or `S1:phone` (a second device of S1): the user is the part before the colon.
    private static func user(of name: String) -> UserID {
        String(name.split(separator: ":", maxSplits: 1).first ?? "")
    }

    private func connect(_ name: String, roles: [String]?) {
        let user = Self.user(of: name)
        let directoryRoles = Directory.sample.users.first { $0.id == user }?.roles ?? []
        let roles = roles.map { Set($0.compactMap(SchoolRole.init(rawValue:))) } ?? Set(directoryRoles)
        sessions[name] = harness.connect(user, roles: roles)
        order.append(name)
    }

    // MARK: Steps

    private func run(_ step: JSONValue, place: String) {
        let place = "\(file) \(place)" + (step["note"]?.stringValue.map { " (\($0.prefix(60)))" } ?? "")
        for key in ["pushes", "closed"] where step[key] != nil && step[key]?.objectValue == nil {
            issue("\(place): \"\(key)\" must be an object keyed by connection")
        }
        var reply: JSONValue?
        var actor: Session?
        var requestType: String?
        if let name = step["connect"]?.stringValue {
            connect(name, roles: step["roles"]?.arrayValue?.compactMap(\.stringValue))
            harness.settle()
        } else if let name = step["disconnect"]?.stringValue {
            guard let session = sessions[name] else { return issue("\(place): no session \(name)") }
            harness.hub.queue.sync { harness.hub.disconnect(session) }
            harness.settle()
        } else if let seconds = step["advance"]?.doubleValue {
            harness.advance(seconds: seconds)
            harness.hub.queue.sync { harness.hub.tick() }
            harness.settle()
        } else if let count = step["failNextCommits"]?.intValue {
            harness.store.failNextCommits = count
            return
        } else if let upload = step["upload"] {
            guard let id = upload["object"]?.stringValue, let owner = upload["owner"]?.stringValue else {
                return issue("\(place): an upload needs object and owner")
            }
            let object = ObjectRecord(
                id: id,
                sha256: upload["sha256"]?.stringValue ?? String(repeating: "0", count: 64),
                size: upload["size"]?.int64Value ?? 0,
                mime: upload["mime"]?.stringValue ?? "application/octet-stream",
                name: upload["name"]?.stringValue ?? "",
                owner: owner,
                createdAt: harness.now
            )
            harness.hub.queue.sync { harness.hub.registerObject(object) { _ in } }
            harness.settle()
        } else if let directory = step["import"] {
            runImport(directory, expected: step["report"], place: place)
        } else if let post = step["app"] {
            runAppMessage(post, expected: step["result"], place: place)
        } else if step["request"] != nil || step["raw"] != nil {
            guard let name = step["as"]?.stringValue, let session = sessions[name] else {
                return issue("\(place): a request needs \"as\" naming a session")
            }
            actor = session
            (reply, requestType) = send(step, from: session, place: place)
        } else {
            return issue("\(place): the step does nothing")
        }
        checkPushes(step, actor: actor, reply: reply, requestType: requestType, place: place)
        if let closed = step["closed"]?.objectValue {
            for (name, code) in closed {
                guard let session = sessions[name] else { continue }
                let actual = harness.output.closeCode(of: session).map { Int64($0) }
                if actual != code.int64Value {
                    issue("\(place): \(name) should be closed with \(code), was \(actual.map(String.init) ?? "open")")
                }
            }
        }
    }

    /// Sends a step's request (or raw frame) as the gateway would, and returns the reply and the command type.
    private func send(_ step: JSONValue, from session: Session, place: String) -> (JSONValue?, String?) {
        let bytes: [UInt8]
        var type: String?
        if let raw = step["raw"]?.stringValue {
            bytes = Array(raw.utf8)
        } else {
            let request = substitute(step["request"]!, place: place)
            bytes = request.encoded()
            type = request["type"]?.stringValue
            // `schemaValid: false`: the request decodes, but the hub refuses it with invalid_request for a rule
            // the schema states too (a blank group name).
            let valid = (step["decodes"]?.boolValue ?? true) && (step["schemaValid"]?.boolValue ?? true)
            observed.append(
                ObservedFrame(definition: "request", value: request, valid: valid, place: place + " request")
            )
            if valid, let type, ProtocolDocuments.commandTypes.contains(type) {
                observed.append(
                    ObservedFrame(definition: "request.\(type)", value: request, valid: true, place: place + " request")
                )
            }
        }
        let decodes = step["decodes"]?.boolValue ?? true
        var reply: JSONValue?
        switch RequestDecoder.decode(bytes, configuration: configuration) {
        case .success(let request):
            if !decodes { issue("\(place): the request should be refused by the decoder, but it decodes") }
            harness.hub.queue.sync { harness.hub.handle(request, from: session) }
            harness.settle()
            reply = harness.output.frames(of: session).last { $0["id"]?.stringValue == request.id }
        case .failure(let failure):
            if decodes { issue("\(place): the request does not decode: \(failure.error.message)") }
            // The gateway answers on the connection at once.
            reply = try? JSONParser.parse(Wire.error(failure.error, id: failure.id))
            harness.settle()
        }
        guard let reply else {
            issue("\(place): no reply")
            return (nil, type)
        }
        if let code = reply["error"]?["code"]?.stringValue { errorCodes.insert(code) }
        let definition: String
        switch (reply["type"]?.stringValue, reply["ok"]?.boolValue) {
        case ("reply", true): definition = "reply." + (type ?? "?")
        case ("reply", false): definition = "replyError"
        default: definition = "errorFrame"
        }
        observed.append(ObservedFrame(definition: definition, value: reply, valid: true, place: place + " reply"))
        if let expected = step["reply"] {
            var trial = bindings
            if Self.match(expected, reply, &trial) {
                bindings = trial
            } else {
                issue("\(place): reply\n  expected \(expected)\n  actual   \(reply)")
            }
        } else {
            issue("\(place): the step has no \"reply\"; the actual reply is \(reply)")
        }
        return (reply, type)
    }

    /// Compares every session's frames of this step with the step's `pushes`.
    private func checkPushes(_ step: JSONValue, actor: Session?, reply: JSONValue?, requestType: String?, place: String)
    {
        let expected = step["pushes"]?.objectValue ?? JSONObject()
        let exact = step["exactPushes"]?.boolValue ?? false
        for case .object(let page) in reply?["data"]?["groups"]?.arrayValue ?? [] {
            if let code = page["error"]?.stringValue { errorCodes.insert(code) }
        }
        if let reply { collectEvents(reply) }
        for name in order {
            guard let session = sessions[name] else { continue }
            var frames = harness.output.take(session)
            for frame in frames where !isReply(frame, reply) {
                observed.append(ObservedFrame(definition: "push", value: frame, valid: true, place: "\(place) \(name)"))
                if let type = frame["type"]?.stringValue, frame["id"] == nil { pushTypes.insert(type) }
                collectEvents(frame)
            }
            let list = expected[name]?.arrayValue ?? []
            let marksReply = list.contains("$reply")
            if session === actor, !marksReply, let index = frames.firstIndex(where: { isReply($0, reply) }) {
                frames.remove(at: index)
            }
            if session === actor, marksReply, !frames.contains(where: { isReply($0, reply) }) {
                issue("\(place): \(name) should get the reply among its pushes")
            }
            guard !list.isEmpty || exact else { continue }
            var trial = bindings
            if Self.matchSequence(list, frames, exact: exact, reply: reply, &trial) {
                bindings = trial
            } else {
                let actual = frames.map { isReply($0, reply) ? "$reply" : $0.jsonString }
                issue(
                    "\(place): pushes to \(name)\(exact ? " (exact)" : "")\n  expected \(JSONValue.array(list))\n"
                        + "  actual   [\(actual.joined(separator: ",\n            "))]"
                )
            }
        }
    }

    private func isReply(_ frame: JSONValue, _ reply: JSONValue?) -> Bool {
        guard let reply else { return false }
        return frame["type"]?.stringValue == "reply" && frame == reply
    }

    private func collectEvents(_ value: JSONValue) {
        switch value {
        case .object(let object):
            if object["kind"] == "system" || object["kind"] == "reminder",
                let event = object["body"]?["event"]?.stringValue
            {
                systemEvents.insert(event)
            }
            if object["seq"] != nil, object["sender"] != nil, let kind = object["kind"]?.stringValue {
                messageKinds.insert(kind)
            }
            for (_, member) in object { collectEvents(member) }
        case .array(let elements):
            for element in elements { collectEvents(element) }
        default:
            break
        }
    }

    // MARK: Imports

    private func runImport(_ document: JSONValue, expected: JSONValue?, place: String) {
        let directory: Directory
        do {
            directory = try Self.directory(from: document)
        } catch {
            return issue("\(place): \(error)")
        }
        let result = harness.importDirectory(directory)
        guard case .success(let report) = result else { return issue("\(place): the import failed: \(result)") }
        let actual = Self.json(report)
        observed.append(
            ObservedFrame(definition: "directory.report", value: actual, valid: true, place: place + " report")
        )
        if let expected {
            var trial = bindings
            if Self.match(expected, actual, &trial) {
                bindings = trial
            } else {
                issue("\(place): report\n  expected \(expected)\n  actual   \(actual)")
            }
        }
    }

    // MARK: App messages

    /// Posts an app message as `POST /v1/apps/messages` does: `post` is that endpoint's body plus `service` (the
    /// service token's subject); `classes` and `courses` name the sample directory's groups.
    private func runAppMessage(_ post: JSONValue, expected: JSONValue?, place: String) {
        guard let service = post["service"]?.stringValue, case .object(var body) = post else {
            return issue("\(place): an app message needs a service")
        }
        body["service"] = nil
        observed.append(
            ObservedFrame(definition: "http.appMessages.request", value: .object(body), valid: true, place: place)
        )
        let request: AppMessageRequest
        do throws(JSONFieldError) {
            request = try AppMessageRequest.decode(JSONValue.object(body).encoded())
        } catch {
            return issue("\(place): the endpoint refuses the body: \(error.message)")
        }
        var groups = request.groups
        for (prefix, ids) in [("class:", request.classes), ("course:", request.courses)] {
            for id in ids {
                guard let group = harness.hub.queue.sync(execute: { harness.hub.groupID(forExternalKey: prefix + id) })
                else { return issue("\(place): no group \(prefix)\(id) in the sample directory") }
                groups.append(group)
            }
        }
        let outcome = Mutex<Result<AppMessageReport, HubError>?>(nil)
        harness.hub.queue.sync {
            harness.hub.postAppMessage(
                request.message,
                service: service,
                users: request.users,
                groups: groups,
                externalID: request.externalID
            ) { result in outcome.withLock { $0 = result } }
        }
        harness.settle()
        let actual: JSONValue
        switch outcome.withLock({ $0 }) {
        case .success(let report)?:
            actual = ["delivered": .int(Int64(report.delivered)), "duplicates": .int(Int64(report.duplicates))]
            observed.append(
                ObservedFrame(definition: "http.appMessages.response", value: actual, valid: true, place: place)
            )
        case .failure(let error)?:
            actual = ["error": ["code": .string(error.code.rawValue), "message": .string(error.message)]]
            observed.append(ObservedFrame(definition: "http.error", value: actual, valid: true, place: place))
        case nil:
            return issue("\(place): the app message got no answer")
        }
        var trial = bindings
        if let expected, Self.match(expected, actual, &trial) {
            bindings = trial
        } else {
            issue("\(place): result\n  expected \(expected ?? .null)\n  actual   \(actual)")
        }
    }

    struct DirectoryError: Error, CustomStringConvertible {
        var description: String
    }

    /// A directory document (the JSON format of `POST /v1/admin/directory`) as records. The examples only use
    /// well-formed documents; the real parser and its errors are tested in DirectoryImportTests.
    static func directory(from document: JSONValue) throws -> Directory {
        func roles(_ value: JSONValue?) throws -> [SchoolRole] {
            try (value?.arrayValue ?? []).map { role in
                guard let role = role.stringValue.flatMap(SchoolRole.init(rawValue:)) else {
                    throw DirectoryError(description: "unknown role \(role)")
                }
                return role
            }
        }
        func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var directory = Directory()
        for unit in document["orgUnits"]?.arrayValue ?? [] {
            guard let id = unit["id"]?.stringValue, let name = unit["name"]?.stringValue,
                let kind = unit["kind"]?.stringValue.flatMap(OrgUnitKind.init(rawValue:))
            else { throw DirectoryError(description: "bad org unit \(unit)") }
            directory.orgUnits.append(
                OrgUnitRecord(
                    id: id,
                    kind: kind,
                    name: name,
                    parentID: unit["parent"]?.stringValue,
                    counselors: strings(unit["counselors"])
                )
            )
        }
        for user in document["users"]?.arrayValue ?? [] {
            guard let id = user["id"]?.stringValue, let name = user["name"]?.stringValue else {
                throw DirectoryError(description: "bad user \(user)")
            }
            directory.users.append(
                UserRecord(
                    id: id,
                    name: name,
                    roles: try roles(user["roles"]),
                    classID: user["class"]?.stringValue,
                    orgUnitID: user["orgUnit"]?.stringValue,
                    active: user["active"]?.boolValue ?? true
                )
            )
        }
        for course in document["courses"]?.arrayValue ?? [] {
            guard let id = course["id"]?.stringValue, let name = course["name"]?.stringValue else {
                throw DirectoryError(description: "bad course \(course)")
            }
            directory.courses.append(
                CourseRecord(
                    id: id,
                    name: name,
                    teachers: strings(course["teachers"]),
                    students: strings(course["students"])
                )
            )
        }
        return directory
    }

    /// The report as `POST /v1/admin/directory` returns it (the gateway's `ImportReport.json`; the gateway test
    /// of Protocol/directory-import.json checks the real endpoint).
    static func json(_ report: ImportReport) -> JSONValue {
        func counts(_ counts: ImportReport.Counts) -> JSONValue {
            [
                "created": .int(Int64(counts.created)), "updated": .int(Int64(counts.updated)),
                "unchanged": .int(Int64(counts.unchanged)),
            ]
        }
        return [
            "orgUnits": counts(report.orgUnits),
            "users": counts(report.users),
            "courses": counts(report.courses),
            "groupsCreated": .int(Int64(report.groupsCreated)),
            "groupsRenamed": .int(Int64(report.groupsRenamed)),
            "membersAdded": .int(Int64(report.membersAdded)),
            "membersRemoved": .int(Int64(report.membersRemoved)),
            "adminsSet": .int(Int64(report.adminsSet)),
            "usersDeactivated": .int(Int64(report.usersDeactivated)),
            "groupsSkipped": .int(Int64(report.groupsSkipped)),
            "unknownUsers": .array(report.unknownUsers.map { .string($0) }),
        ]
    }

    // MARK: Placeholders

    private func issue(_ text: String) {
        issues.append(text)
    }

    /// Replaces `"$name"` strings by their captured values (and `"$$…"` by `"$…"`).
    private func substitute(_ value: JSONValue, place: String) -> JSONValue {
        switch value {
        case .string(let text) where text.hasPrefix("$$"):
            return .string(String(text.dropFirst()))
        case .string(let text) where text.hasPrefix("$"):
            guard let bound = bindings[String(text.dropFirst())] else {
                issue("\(place): \(text) is used before it is captured")
                return value
            }
            return bound
        case .array(let elements):
            return .array(elements.map { substitute($0, place: place) })
        case .object(let object):
            return .object(JSONObject(object.pairs.map { ($0.key, substitute($0.value, place: place)) }))
        default:
            return value
        }
    }

    /// Whether `actual` has the structure and values of `expected`: objects have the same keys, arrays the same
    /// length, and placeholders match as Protocol/README.md "Examples" says, capturing into `bindings`.
    static func match(_ expected: JSONValue, _ actual: JSONValue, _ bindings: inout [String: JSONValue]) -> Bool {
        switch (expected, actual) {
        case (.string(let text), _) where text.hasPrefix("$$"):
            return actual == .string(String(text.dropFirst()))
        case (.string("$ts"), _):
            if case .int = actual { return true }
            return false
        case (.string("$any"), _):
            return true
        case (.string(let text), _) where text.hasPrefix("$"):
            let name = String(text.dropFirst())
            if let bound = bindings[name] { return bound == actual }
            bindings[name] = actual
            return true
        case (.object(let left), .object(let right)):
            guard Set(left.keys) == Set(right.keys), left.count == right.count else { return false }
            for (key, value) in left {
                guard let other = right[key], match(value, other, &bindings) else { return false }
            }
            return true
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            for (value, other) in zip(left, right) where !match(value, other, &bindings) { return false }
            return true
        case (.int(let left), .double(let right)), (.double(let right), .int(let left)):
            return Double(left) == right
        default:
            return expected == actual
        }
    }

    /// Matches a list of expected frames (`"$reply"` standing for the reply) against the frames a session got:
    /// all of them in order when `exact`, otherwise as an ordered subsequence.
    static func matchSequence(
        _ expected: [JSONValue],
        _ frames: [JSONValue],
        exact: Bool,
        reply: JSONValue?,
        _ bindings: inout [String: JSONValue]
    ) -> Bool {
        if exact, expected.count != frames.count { return false }
        var position = 0
        for item in expected {
            var found = false
            while position < frames.count {
                let frame = frames[position]
                position += 1
                var trial = bindings
                let isReply = reply.map { frame["type"]?.stringValue == "reply" && frame == $0 } ?? false
                let matches = item == "$reply" ? isReply : (!isReply && match(item, frame, &trial))
                if matches {
                    bindings = trial
                    found = true
                    break
                }
                if exact { return false }
            }
            if !found { return false }
        }
        return true
    }
}
