import HTTP
import Testing

@Suite struct RouterTests {
    static let router: Router<String> = {
        var router = Router<String>()
        router.add(.GET, "/", "root")
        router.add(.GET, "/v1/groups", "listGroups")
        router.add(.POST, "/v1/groups", "createGroup")
        router.add(.GET, "/v1/groups/:group", "getGroup")
        router.add(.DELETE, "/v1/groups/:group", "deleteGroup")
        router.add(.GET, "/v1/groups/mine", "myGroups")
        router.add(.GET, "/v1/groups/:group/members/:user", "getMember")
        router.add(.PUT, "/v1/groups/:group/members/:user", "putMember")
        router.add(.GET, "/v1/groups/mine/members/:user/", "myMember")
        router.add(.HEAD, "/v1/head-only", "headOnly")
        router.add(.GET, "/files/*path", "files")
        router.add(.GET, "/files/special", "special")
        router.add(.PATCH, "/a/b/c", "abc")
        router.add(.PATCH, "/a/:x/d", "axd")
        return router
    }()

    /// A request and the handler plus parameters it must reach.
    struct Expectation: Sendable, CustomTestStringConvertible {
        var method: HTTPMethod
        var path: String
        var handler: String
        var parameters: [String: String]
        var testDescription: String { "\(method) \(path)" }
    }

    static let matches: [Expectation] = [
        Expectation(method: .GET, path: "/", handler: "root", parameters: [:]),
        Expectation(method: .GET, path: "/v1/groups", handler: "listGroups", parameters: [:]),
        Expectation(method: .GET, path: "/v1/groups/", handler: "listGroups", parameters: [:]),
        Expectation(method: .POST, path: "/v1/groups", handler: "createGroup", parameters: [:]),
        Expectation(method: .GET, path: "/v1/groups/g1", handler: "getGroup", parameters: ["group": "g1"]),
        Expectation(method: .GET, path: "/v1/groups/mine", handler: "myGroups", parameters: [:]),
        Expectation(method: .DELETE, path: "/v1/groups/mine", handler: "deleteGroup", parameters: ["group": "mine"]),
        Expectation(
            method: .GET,
            path: "/v1/groups/g%201/members/%E4%B8%AD%E6%96%87",
            handler: "getMember",
            parameters: ["group": "g 1", "user": "中文"]
        ),
        Expectation(
            method: .GET,
            path: "/v1/groups/a%2Fb/members/u",
            handler: "getMember",
            parameters: ["group": "a/b", "user": "u"]
        ),
        Expectation(method: .GET, path: "/v1/groups/mine/members/u", handler: "myMember", parameters: ["user": "u"]),
        Expectation(
            method: .PUT,
            path: "/v1/groups/mine/members/u",
            handler: "putMember",
            parameters: ["group": "mine", "user": "u"]
        ),
        Expectation(method: .GET, path: "/v1/gr%6Fups", handler: "listGroups", parameters: [:]),
        Expectation(method: .HEAD, path: "/v1/groups/g1", handler: "getGroup", parameters: ["group": "g1"]),
        Expectation(method: .HEAD, path: "/v1/head-only", handler: "headOnly", parameters: [:]),
        Expectation(method: .GET, path: "/files/special", handler: "special", parameters: [:]),
        Expectation(method: .GET, path: "/files/a/b%20c/d", handler: "files", parameters: ["path": "a/b c/d"]),
        Expectation(method: .GET, path: "/files", handler: "files", parameters: ["path": ""]),
        Expectation(method: .GET, path: "/files/", handler: "files", parameters: ["path": ""]),
        Expectation(method: .PATCH, path: "/a/b/d", handler: "axd", parameters: ["x": "b"]),
        Expectation(method: .PATCH, path: "/a/b/c", handler: "abc", parameters: [:]),
    ]

    @Test(arguments: matches)
    func matched(_ expectation: Expectation) throws {
        let match = try Self.router.match(expectation.method, path: expectation.path)
        guard case .matched(let handler, let parameters, _) = match else {
            Issue.record("no match: \(match)")
            return
        }
        #expect(handler == expectation.handler)
        #expect(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) }) == expectation.parameters)
    }

    @Test(arguments: ["/nope", "/v1", "/v1/groups/g1/members", "/v1//groups", "/v1/groups//members/u", "", "*", "x/y"])
    func notFound(_ path: String) throws {
        guard case .notFound = try Self.router.match(.GET, path: path) else {
            Issue.record("expected notFound for \(path)")
            return
        }
    }

    @Test func methodNotAllowedListsEveryAllowedMethod() throws {
        guard case .methodNotAllowed(let allowed) = try Self.router.match(.POST, path: "/v1/groups/g1") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.GET, .HEAD, .DELETE])
        let error = HTTPError.methodNotAllowed(allowed: allowed)
        #expect(error.status == .methodNotAllowed)
        #expect(error.response.headers["Allow"] == "GET, HEAD, DELETE")
    }

    @Test func methodNotAllowedMergesBranches() throws {
        // /v1/groups/mine is both a literal route (GET) and a parameter route (GET, DELETE).
        guard case .methodNotAllowed(let allowed) = try Self.router.match(.PUT, path: "/v1/groups/mine") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.GET, .HEAD, .DELETE])
    }

    @Test func matchReportsPatternAndCatchAllSegments() throws {
        guard case .matched(_, let parameters, let pattern) = try Self.router.match(.GET, path: "/files/a%2Fb/c") else {
            Issue.record("expected a match")
            return
        }
        #expect(pattern == "/files/*path")
        #expect(parameters.catchAllSegments == ["a/b", "c"])
        #expect(parameters["path"] == "a/b/c")
        #expect(parameters["missing"] == nil)
    }

    @Test(arguments: [
        "/v1/groups/%", "/v1/groups/%4", "/v1/groups/%zz", "/v1/groups/a%00b", "/v1/groups/%FF", "/nope/%",
    ])
    func invalidEncodingIsBadRequest(_ path: String) {
        let error = #expect(throws: HTTPError.self) { try Self.router.match(.GET, path: path) }
        #expect(error?.status == .badRequest)
        #expect(error?.code == "invalid_path")
    }

    @Test func manyRoutesStillMatch() throws {
        var router = Router<Int>()
        for index in 0..<1000 {
            router.add(.GET, "/r\(index)/:id/x\(index)", index)
        }
        guard case .matched(let handler, let parameters, _) = try router.match(.GET, path: "/r777/abc/x777") else {
            Issue.record("expected a match")
            return
        }
        #expect(handler == 777)
        #expect(parameters["id"] == "abc")
    }
}
