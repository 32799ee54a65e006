import Auth
import Foundation
import Gateway
import Glibc
import HTTP
import JSON
import Testing

/// Protocol/openapi.json against the server: it documents exactly the routes the server registers, it is a valid
/// OpenAPI 3.1 document whose examples fit their schemas, and its examples are what a live server answers (its
/// `x-replay` steps are sent in order, and each answer is compared with the example and validated against the
/// documented schema).
@Suite struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let documentURL = root.appendingPathComponent("Protocol/openapi.json")

    static func document() throws -> OpenAPIDocument {
        let data = try Data(contentsOf: documentURL)
        return OpenAPIDocument(
            root: try JSONParser.parse(Array(data), limits: JSONLimits(maxDepth: 256, maxInputBytes: 16 << 20))
        )
    }

    /// A method and a path pattern as the router spells it (`/v1/files/:object`).
    struct Route: Hashable, Comparable, CustomStringConvertible {
        let method: String
        let pattern: String
        var description: String { "\(method) \(pattern)" }
        static func < (left: Route, right: Route) -> Bool { left.description < right.description }
    }

    // MARK: Routes

    /// The routes in openapi.json: `{name}` becomes `:name`.
    static func documentedRoutes(_ document: OpenAPIDocument) -> Set<Route> {
        var routes = Set<Route>()
        for (path, item) in document.root["paths"]?.objectValue?.pairs ?? [] {
            let pattern = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            for (method, _) in item.objectValue?.pairs ?? [] where OpenAPIDocument.methods.contains(method) {
                routes.insert(Route(method: method.uppercased(), pattern: pattern))
            }
        }
        return routes
    }

    /// The routes a running server's routers hold (main listener and `ops.listen`), read by reflection: `Routes`
    /// and `Router` do not expose their tables. Nil when their layout changed (update this function then).
    static func registeredRoutes(_ server: Server) -> Set<Route>? {
        let mirror = Mirror(reflecting: server)
        guard let main = mirror.descendant("context", "router").flatMap(routes(inRouter:)),
            let ops = mirror.descendant("opsContext", "some", "router").flatMap(routes(inRouter:))
        else { return nil }
        return main.union(ops)
    }

    private static func routes(inRouter router: Any) -> Set<Route>? {
        guard let nodes = Mirror(reflecting: router).descendant("nodes") else { return nil }
        var routes = Set<Route>()
        for node in Mirror(reflecting: nodes).children {
            for table in ["routes", "catchAllRoutes"] {
                guard let entries = Mirror(reflecting: node.value).descendant(table) else { return nil }
                for entry in Mirror(reflecting: entries).children {
                    let pair = Mirror(reflecting: entry.value)
                    guard let method = pair.descendant("key") as? HTTPMethod,
                        let pattern = pair.descendant("value", "pattern") as? String
                    else { return nil }
                    routes.insert(Route(method: method.rawValue, pattern: pattern))
                }
            }
        }
        return routes
    }

    /// Every `….add(.METHOD, "/pattern"` in Sources/Gateway, whatever the configuration: routes registered only
    /// under a setting the test does not turn on show up here.
    static func declaredRoutes() throws -> Set<Route> {
        let directory = root.appendingPathComponent("Sources/Gateway")
        let pattern = try NSRegularExpression(pattern: #"\.add\(\s*\.([A-Z]+)\s*,\s*"(/[^"]*)""#)
        var routes = Set<Route>()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                guard let method = Range(match.range(at: 1), in: text), let path = Range(match.range(at: 2), in: text)
                else { continue }
                routes.insert(Route(method: String(text[method]), pattern: String(text[path])))
            }
        }
        return routes
    }

    /// The server configuration the examples were made with (`x-replay.configuration`).
    static func configure(_ configuration: inout ServerConfiguration, _ document: OpenAPIDocument) {
        for (key, value) in document.root["x-replay"]?["configuration"]?.objectValue?.pairs ?? [] {
            switch key {
            case "opsToken": configuration.opsToken = value.stringValue
            case "echo": configuration.echo = value.boolValue ?? false
            case "allowedOrigins": configuration.allowedOrigins = value.arrayValue?.compactMap(\.stringValue) ?? []
            default: Issue.record("openapi.json: x-replay.configuration has an unknown key \(key)")
            }
        }
    }

    @Test func documentsExactlyTheRoutesTheServerRegisters() throws {
        let document = try Self.document()
        let server = try HubTestServer(
            {
                Self.configure(&$0, document)
                $0.opsListen = "127.0.0.1:0"
            },
            importSample: false
        )
        let registered = try #require(
            Self.registeredRoutes(server.server),
            "Cannot read the server's route table by reflection (Server.context/opsContext, Router.nodes, its routes); update OpenAPITests.registeredRoutes"
        )
        #expect(registered.count >= 10, "\(registered.sorted())")
        let documented = Self.documentedRoutes(document)
        let undocumented = registered.subtracting(documented).sorted()
        #expect(
            undocumented.isEmpty,
            "Routes the server registers that Protocol/openapi.json does not describe: \(undocumented)"
        )
        // The router answers HEAD with the GET route: a documented HEAD needs a registered GET.
        let phantom = documented.filter { route in
            route.method == "HEAD"
                ? !registered.contains(Route(method: "GET", pattern: route.pattern)) : !registered.contains(route)
        }
        #expect(phantom.isEmpty, "Protocol/openapi.json describes routes the server does not have: \(phantom.sorted())")
        let declared = try Self.declaredRoutes()
        #expect(
            declared == registered,
            "Routes declared in Sources/Gateway but not registered by a server with every option on, or the reverse: \(declared.symmetricDifference(registered).sorted())"
        )
    }

    // MARK: The document

    @Test func isValidOpenAPIWithExamplesThatFitTheirSchemas() throws {
        let (status, output) = try runPython("validate_openapi.py", [Self.documentURL.path])
        #expect(
            status == 0,
            "\(output)\n(validate_openapi.py needs Python's jsonschema >= 4.18: scripts/ensure-deps --test installs it)"
        )
    }

    // MARK: Replay

    @Test func examplesAreWhatALiveServerAnswers() throws {
        let document = try Self.document()
        let server = try HubTestServer({ Self.configure(&$0, document) }, importSample: false)
        var replay = Replay(document: document, server: server)
        let steps = try need(document.root["x-replay"]?["steps"]?.arrayValue, "openapi.json has no x-replay.steps")
        #expect(steps.count >= 40)
        for (index, step) in steps.enumerated() {
            let place = "x-replay step \(index + 1)" + (step["note"]?.stringValue.map { " (\($0))" } ?? "")
            if let hub = step["hub"] {
                try replay.hub(hub, place: place)
            } else {
                try replay.http(step, place: place)
            }
        }
        replay.checkCoverage()
        // What only the news center's REST calls cause is shown here (Protocol/examples/ replays hub commands).
        for push in ["news.article", "news.retracted", "message/news_important", "message/news_reminder"] {
            #expect(replay.shownPushes.contains(push), "x-replay shows no \(push) push")
        }
        for code in [
            "column_not_found", "article_not_found", "version_mismatch", "delivery_not_found", "request_not_found",
            "invalid_transition", "comment_required", "insufficient_stock", "slot_taken",
        ] {
            #expect(replay.shownErrorCodes.contains(code), "x-replay shows no \(code) answer")
        }
        // Dropped rather than left open, so that the server's graceful shutdown does not wait for close frames.
        for client in replay.clients.values { client.disconnect() }

        // The answers against the documented schemas.
        let checks = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: checks) }
        let observed: JSONValue = ["observed": .array(replay.observed)]
        try Data(observed.encoded()).write(to: checks)
        let (status, output) = try runPython("validate_openapi.py", [Self.documentURL.path, checks.path])
        #expect(status == 0, "\(output)")
        #expect(replay.observed.count >= 40)
    }
}

/// Protocol/openapi.json, with `$ref`s inside it followed.
struct OpenAPIDocument {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    let root: JSONValue

    /// A JSON pointer token.
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func tokens(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func value(in value: JSONValue, at pointer: String) -> JSONValue? {
        var node: JSONValue? = value
        for token in tokens(pointer) {
            if case .array(let items)? = node, let index = Int(token) {
                node = items.indices.contains(index) ? items[index] : nil
            } else {
                node = node?[token]
            }
        }
        return node
    }

    /// The object at `pointer`, following `$ref`s into this document (responses, headers, examples, parameters).
    func resolve(_ pointer: String) -> (value: JSONValue, pointer: String)? {
        var pointer = pointer
        for _ in 0..<8 {
            guard let value = Self.value(in: root, at: pointer) else { return nil }
            guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/") else {
                return (value, pointer)
            }
            pointer = String(reference.dropFirst())
        }
        return nil
    }

    /// `GET /v1/files/{object}` → the pointer to its Operation Object.
    func operationPointer(_ name: String) -> String? {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let pointer = "/paths/\(Self.escape(parts[1]))/\(parts[0].lowercased())"
        return Self.value(in: root, at: pointer) == nil ? nil : pointer
    }

    /// Every example of a response: operation name, status, example name, and where the Example Object is.
    var responseExamples: [(operation: String, status: String, name: String, pointer: String)] {
        var found: [(String, String, String, String)] = []
        for (path, item) in root["paths"]?.objectValue?.pairs ?? [] {
            for (method, operation) in item.objectValue?.pairs ?? [] where Self.methods.contains(method) {
                let operationPointer = "/paths/\(Self.escape(path))/\(method)"
                for (status, _) in operation["responses"]?.objectValue?.pairs ?? [] {
                    guard let response = resolve("\(operationPointer)/responses/\(Self.escape(status))") else {
                        continue
                    }
                    for (mediaType, media) in response.value["content"]?.objectValue?.pairs ?? [] {
                        for (name, _) in media["examples"]?.objectValue?.pairs ?? [] {
                            let at =
                                "\(response.pointer)/content/\(Self.escape(mediaType))/examples/\(Self.escape(name))"
                            if let example = resolve(at) {
                                found.append(("\(method.uppercased()) \(path)", status, name, example.pointer))
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    /// Every example of a request body: where it is.
    var requestExamples: [String] {
        var found: [String] = []
        for (path, item) in root["paths"]?.objectValue?.pairs ?? [] {
            for (method, _) in item.objectValue?.pairs ?? [] where Self.methods.contains(method) {
                guard let body = resolve("/paths/\(Self.escape(path))/\(method)/requestBody") else { continue }
                for (mediaType, media) in body.value["content"]?.objectValue?.pairs ?? [] {
                    for (name, _) in media["examples"]?.objectValue?.pairs ?? [] {
                        let at = "\(body.pointer)/content/\(Self.escape(mediaType))/examples/\(Self.escape(name))"
                        if let example = resolve(at) { found.append(example.pointer) }
                    }
                }
            }
        }
        return found
    }
}

/// A replay step that cannot run: the document does not say what the step needs.
struct ReplayProblem: Error, CustomStringConvertible {
    let description: String
}

/// `value`, or a ``ReplayProblem`` (unlike `#require`, it does not print the whole document).
func need<T>(_ value: T?, _ problem: @autoclosure () -> String = "a value is missing") throws -> T {
    guard let value else { throw ReplayProblem(description: problem()) }
    return value
}

/// Sends the `x-replay` steps to a live server and checks the answers.
struct Replay {
    let document: OpenAPIDocument
    let server: HubTestServer
    /// Values captured from answers (`$object`).
    var variables: [String: String] = [:]
    var clients: [String: HubClient] = [:]
    /// Answers to validate against the documented schemas: `{schema, instance, place}`.
    var observed: [JSONValue] = []
    var replayedExamples = Set<String>()
    var usedRequestExamples = Set<String>()
    var replayedOperations = Set<String>()
    /// Push types and inbox events the hub steps saw, and error codes of the answers: what only REST causes (the
    /// news center) is shown here rather than in Protocol/examples/.
    var shownPushes = Set<String>()
    var shownErrorCodes = Set<String>()

    init(document: OpenAPIDocument, server: HubTestServer) {
        self.document = document
        self.server = server
    }

    /// A hub command over the WebSocket (cards and tasks the exports need).
    mutating func hub(_ step: JSONValue, place: String) throws {
        let user = try need(step["as"]?.stringValue, "\(place): hub step without 'as'")
        let roles = step["roles"]?.arrayValue?.compactMap(\.stringValue) ?? ["student"]
        let client = try clients[user] ?? server.connect(user, roles: roles)
        clients[user] = client
        if let expected = step["push"] {
            return try push(expected, to: client, step: step, place: place)
        }
        let request = try need(step["request"]?.objectValue, "\(place): hub step without a request")
        let reply = try client.request(request)
        #expect(reply.isOK, "\(place): \(reply)")
        for (key, value) in step["reply"]?.objectValue?.pairs ?? [] {
            #expect(
                reply["data"]?[key] == value,
                "\(place): reply \(key) is \(reply["data"]?[key] ?? .null), not \(value)"
            )
        }
    }

    /// A push the session must have received by now (REST steps cause them): the first frame of the same type (and
    /// for messages, the same body event) is compared with the expected one, `volatile` paths aside.
    mutating func push(_ expected: JSONValue, to client: HubClient, step: JSONValue, place: String) throws {
        func key(_ frame: JSONValue) -> String {
            let type = frame["type"]?.stringValue ?? ""
            return frame["message"]?["body"]?["event"]?.stringValue.map { "\(type)/\($0)" } ?? type
        }
        let wanted = key(expected)
        var frame: JSONValue?
        if let index = client.pushes.firstIndex(where: { key($0) == wanted }) {
            frame = client.pushes.remove(at: index)
        }
        while frame == nil, let next = try client.nextFrame() {
            if key(next) == wanted { frame = next } else { client.pushes.append(next) }
        }
        let received = try need(frame, "\(place): no \(wanted) push arrived")
        let volatile = step["volatile"]?.arrayValue?.compactMap(\.stringValue).map(OpenAPIDocument.tokens) ?? []
        let differences = Self.differences(expected, received, at: [], volatile: volatile)
        #expect(differences.isEmpty, "\(place): the push differs: \(differences)\n  push: \(received)")
        shownPushes.insert(wanted)
    }

    func substitute(_ text: String) -> String {
        var text = text
        for (name, value) in variables.sorted(by: { $0.key.count > $1.key.count }) {
            text = text.replacingOccurrences(of: "$" + name, with: value)
        }
        return text
    }

    func token(_ auth: JSONValue, place: String) throws -> String {
        if let raw = auth["raw"]?.stringValue { return raw }
        if auth["ops"]?.boolValue == true {
            return try need(
                document.root["x-replay"]?["configuration"]?["opsToken"]?.stringValue,
                "\(place): x-replay.configuration has no opsToken"
            )
        }
        let now = Int64(time(nil))
        if let service = auth["service"]?.stringValue {
            let scopes = auth["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return server.service.authority.mint(
                TokenClaims(subject: service, kind: .service, scopes: scopes, issuedAt: now, expiresAt: now + 600)
            )
        }
        let user = try need(auth["user"]?.stringValue, "\(place): auth names no user, service, ops or raw token")
        let claims = TokenClaims(
            subject: user,
            roles: auth["roles"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            issuedAt: now,
            expiresAt: now + (auth["ttl"]?.int64Value ?? 3600)
        )
        if let secret = auth["secret"]?.stringValue {
            let other = try need(TokenAuthority(secret: Array(secret.utf8)), "\(place): secret too short")
            return other.mint(claims)
        }
        return server.service.authority.mint(claims)
    }

    /// One HTTP request on its own connection, and its answer checked against the documented response.
    mutating func http(_ step: JSONValue, place: String) throws {
        let send = try need(step["send"], "\(place): no send")
        let expect = try need(step["expect"], "\(place): no expect")
        let operationName = try need(expect["operation"]?.stringValue, "\(place): expect names no operation")
        let operationPointer = try need(
            document.operationPointer(operationName),
            "\(place): openapi.json has no operation \(operationName)"
        )
        replayedOperations.insert(operationName)
        let operation = OpenAPIDocument.value(in: document.root, at: operationPointer) ?? .null
        let method = try need(send["method"]?.stringValue, "\(place): no method")
        var target = substitute(try need(send["path"]?.stringValue, "\(place): no path"))
        var headers: [String] = []
        if let auth = send["auth"] {
            let token = try token(auth, place: place)
            if auth["in"]?.stringValue == "query" {
                target += (target.contains("?") ? "&" : "?") + "access_token=" + token
            } else {
                headers.append("Authorization: Bearer \(token)")
            }
        }
        for (name, value) in send["headers"]?.objectValue?.pairs ?? [] {
            headers.append("\(name): \(substitute(value.stringValue ?? ""))")
        }
        var body: [UInt8]?
        if let source = send["body"] {
            if let name = source["example"]?.stringValue {
                let found = try need(
                    requestExample(name, of: operation, at: operationPointer),
                    "\(place): \(operationName) has no request example \(name)"
                )
                usedRequestExamples.insert(found.pointer)
                switch found.value {
                case .string(let text): body = Array(text.utf8)
                // Captured values (`$object`) stand in request examples too.
                default: body = Array(substitute(String(decoding: found.value.encoded(), as: UTF8.self)).utf8)
                }
                if found.mediaType != "*/*" { headers.append("Content-Type: \(found.mediaType)") }
            } else if let raw = source["raw"]?.stringValue {
                body = Array(raw.utf8)
            } else if let base64 = source["base64"]?.stringValue, let data = Data(base64Encoded: base64) {
                body = Array(data)
            } else {
                Issue.record("\(place): a body needs example, raw or base64")
            }
        }
        let client = try HTTPTestClient(port: server.port)
        let answer = try need(
            try client.request(method, target, headers: headers, body: body),
            "\(place): no answer to \(method) \(target)"
        )
        try check(answer, expect: expect, operationPointer: operationPointer, isHead: method == "HEAD", place: place)
    }

    func requestExample(
        _ name: String,
        of operation: JSONValue,
        at operationPointer: String
    ) -> (value: JSONValue, mediaType: String, pointer: String)? {
        guard let body = document.resolve(operationPointer + "/requestBody") else { return nil }
        for (mediaType, media) in body.value["content"]?.objectValue?.pairs ?? [] where media["examples"]?[name] != nil
        {
            let at =
                "\(body.pointer)/content/\(OpenAPIDocument.escape(mediaType))/examples/\(OpenAPIDocument.escape(name))"
            if let example = document.resolve(at), let value = example.value["value"] {
                return (value, mediaType, example.pointer)
            }
        }
        return nil
    }

    mutating func check(
        _ answer: HTTPTestClient.Response,
        expect: JSONValue,
        operationPointer: String,
        isHead: Bool,
        place: String
    ) throws {
        let status = try need(expect["status"]?.stringValue, "\(place): expect has no status")
        let httpStatus = status == "default" ? expect["httpStatus"]?.intValue : Int(status)
        #expect(
            answer.status == httpStatus,
            "\(place): status \(answer.status), not \(status)\n\(answer.text.prefix(300))"
        )
        let response = try need(
            document.resolve("\(operationPointer)/responses/\(status)"),
            "\(place): the operation documents no response \(status)"
        )
        let contentType = answer.header("Content-Type") ?? ""
        let base =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parsed = base == "application/json" ? try? JSONParser.parse(answer.body) : nil
        if let code = parsed?["error"]?["code"]?.stringValue { shownErrorCodes.insert(code) }
        for (name, pointer) in expect["capture"]?.objectValue?.pairs ?? [] {
            let value = parsed.flatMap { OpenAPIDocument.value(in: $0, at: pointer.stringValue ?? "") }
            variables[name] = try need(
                value?.stringValue ?? value?.int64Value.map { String($0) },
                "\(place): nothing to capture at \(pointer)"
            )
        }
        // Headers: the documented required ones are there (and fit their schemas); the step's have its values.
        for (name, _) in response.value["headers"]?.objectValue?.pairs ?? [] {
            guard let header = document.resolve("\(response.pointer)/headers/\(OpenAPIDocument.escape(name))") else {
                Issue.record("\(place): header \(name) does not resolve")
                continue
            }
            let value = answer.header(name)
            if header.value["required"]?.boolValue == true {
                #expect(value != nil, "\(place): no \(name) header")
            }
            if let value {
                observed.append([
                    "schema": .string(header.pointer + "/schema"), "instance": .string(value),
                    "place": .string("\(place) header \(name)"),
                ])
            }
        }
        for (name, value) in expect["headers"]?.objectValue?.pairs ?? [] {
            let expected = substitute(value.stringValue ?? "")
            #expect(
                answer.header(name) == expected,
                "\(place): \(name) is \(answer.header(name) ?? "absent"), not \(expected)"
            )
        }
        // The body: the documented media type, equal to the example, valid against the schema.
        let content = response.value["content"]?.objectValue ?? JSONObject()
        let exampleName = expect["example"]?.stringValue
        guard !content.isEmpty, !isHead else {
            #expect(exampleName == nil, "\(place): response \(status) has no content for example \(exampleName ?? "")")
            return
        }
        let mediaType = content[base] != nil ? base : content["*/*"] != nil ? "*/*" : nil
        guard let mediaType else {
            Issue.record("\(place): Content-Type \(contentType) is not documented (\(content.keys))")
            return
        }
        let mediaPointer = "\(response.pointer)/content/\(OpenAPIDocument.escape(mediaType))"
        if base == "application/json" {
            #expect(parsed != nil, "\(place): the body is not JSON: \(answer.text.prefix(200))")
            if let parsed, content[mediaType]?["schema"] != nil {
                observed.append([
                    "schema": .string(mediaPointer + "/schema"), "instance": parsed, "place": .string(place),
                ])
            }
        }
        if let exampleName {
            let example = try need(
                document.resolve("\(mediaPointer)/examples/\(OpenAPIDocument.escape(exampleName))"),
                "\(place): no example \(exampleName) for \(mediaType) in response \(status)"
            )
            replayedExamples.insert(example.pointer)
            let expected = example.value["value"] ?? .null
            if let parsed {
                let volatile =
                    expect["volatile"]?.arrayValue?.compactMap(\.stringValue).map(OpenAPIDocument.tokens) ?? []
                let differences = Self.differences(expected, parsed, at: [], volatile: volatile)
                #expect(
                    differences.isEmpty,
                    "\(place): the answer differs from example \(exampleName): \(differences)\n  answer: \(parsed)"
                )
            } else {
                let patterns = expect["normalize"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let actual = try Self.normalize(answer.text, patterns)
                let wanted = try Self.normalize(expected.stringValue ?? "", patterns)
                if expect["compare"]?.stringValue == "lines" {
                    let lines = Set(actual.split(separator: "\n"))
                    let missing = wanted.split(separator: "\n").filter { !lines.contains($0) }
                    #expect(missing.isEmpty, "\(place): lines of example \(exampleName) not in the answer: \(missing)")
                } else {
                    #expect(
                        actual == wanted,
                        "\(place): the answer differs from example \(exampleName):\n\(actual)\n---\n\(wanted)"
                    )
                }
            }
        }
    }

    /// Where `actual` differs from `expected`; `volatile` paths (`*` for any token) may hold anything.
    static func differences(
        _ expected: JSONValue,
        _ actual: JSONValue,
        at path: [String],
        volatile: [[String]]
    ) -> [String] {
        if volatile.contains(where: { $0.count == path.count && zip($0, path).allSatisfy { $0 == "*" || $0 == $1 } }) {
            return []
        }
        let here = "/" + path.joined(separator: "/")
        switch (expected, actual) {
        case (.object(let left), .object(let right)):
            guard Set(left.keys) == Set(right.keys) else { return ["\(here): keys \(right.keys), not \(left.keys)"] }
            return left.pairs.flatMap { key, value in
                differences(value, right[key] ?? .null, at: path + [key], volatile: volatile)
            }
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return ["\(here): \(right.count) items, not \(left.count)"] }
            return zip(left, right).enumerated().flatMap { index, pair in
                differences(pair.0, pair.1, at: path + [String(index)], volatile: volatile)
            }
        default:
            return expected == actual ? [] : ["\(here): \(actual), not \(expected)"]
        }
    }

    static func normalize(_ text: String, _ patterns: [String]) throws -> String {
        var text = text
        for pattern in patterns {
            let expression = try NSRegularExpression(pattern: pattern)
            text = expression.stringByReplacingMatches(
                in: text,
                range: NSRange(text.startIndex..., in: text),
                withTemplate: "…"
            )
        }
        return text
    }

    /// Every response example was replayed or its absence explained (`x-replay.notReplayed`), every request example
    /// was sent, every operation was called.
    func checkCoverage() {
        let examples = document.responseExamples
        var explained = Set<String>()
        for (key, reason) in document.root["x-replay"]?["notReplayed"]?.objectValue?.pairs ?? [] {
            let parts = key.split(separator: " ").map(String.init)
            #expect(
                parts.count >= 3 && !(reason.stringValue ?? "").isEmpty,
                "notReplayed \(key): 'OPERATION STATUS EXAMPLE': reason"
            )
            guard parts.count >= 3 else { continue }
            let operation = parts.dropLast(2).joined(separator: " ")
            let matches = examples.filter {
                (operation == "*" || $0.operation == operation) && $0.status == parts[parts.count - 2]
                    && $0.name == parts[parts.count - 1]
            }
            #expect(!matches.isEmpty, "notReplayed \(key) matches no example")
            let pointers = Set(matches.map(\.pointer))
            #expect(!pointers.isSubset(of: replayedExamples), "notReplayed \(key) is replayed after all")
            explained.formUnion(pointers)
        }
        let missing = examples.filter { !replayedExamples.contains($0.pointer) && !explained.contains($0.pointer) }
        #expect(
            missing.isEmpty,
            "Examples neither replayed by x-replay.steps nor listed in x-replay.notReplayed: \(missing.map { "\($0.operation) \($0.status) \($0.name)" })"
        )
        let unsent = Set(document.requestExamples).subtracting(usedRequestExamples)
        #expect(unsent.isEmpty, "Request examples no step sends: \(unsent.sorted())")
        var operations = Set<String>()
        for (path, item) in document.root["paths"]?.objectValue?.pairs ?? [] {
            for (method, _) in item.objectValue?.pairs ?? [] where OpenAPIDocument.methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        let uncalled = operations.subtracting(replayedOperations)
        #expect(uncalled.isEmpty, "Operations no step calls: \(uncalled.sorted())")
    }
}
