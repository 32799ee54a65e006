/// Maps a method and path to a handler.
///
/// Patterns are `/`-separated segments: a literal (`groups`), a parameter (`:group`, matching one non-empty
/// segment), or, as the last segment only, a catch-all (`*rest`, matching zero or more segments).
///
/// Matching rules:
/// - The path is split on `/` first and each segment is percent-decoded afterwards, so `%2F` stays inside one
///   segment. A malformed escape, invalid UTF-8 or a decoded NUL makes ``match(_:path:)`` throw a 400
///   ``HTTPError`` (`invalid_path`). Pattern literals are compared with decoded segments.
/// - One trailing slash is ignored, on paths and on patterns alike: `/v1/groups/` matches `/v1/groups`. Empty
///   segments elsewhere (`/v1//groups`) match nothing.
/// - At each segment a literal beats a parameter, which beats a catch-all; when the preferred branch fails
///   further down, the next is tried. Routes live in a trie, and each trie node is visited at most once per match,
///   so matching costs O(path length + routes), never a scan of every pattern.
/// - `HEAD` falls back to the `GET` handler when no `HEAD` route matches.
public struct Router<Handler: Sendable>: Sendable {
    private struct Route: Sendable {
        var handler: Handler
        var pattern: String
        var parameterNames: [String]
        var catchAllName: String?
    }

    private struct Node: Sendable {
        var literals: [String: Int] = [:]
        var parameter: Int?
        var routes: [HTTPMethod: Route] = [:]
        var catchAllRoutes: [HTTPMethod: Route] = [:]
    }

    private var nodes = [Node()]

    /// Creates an empty router.
    public init() {}

    /// Registers `handler` for `method` on `pattern`, e.g. `"/v1/groups/:group/members/:user"` or `"/files/*path"`.
    ///
    /// Routes are set up by the program, not by clients, so mistakes are programming errors and trap: a pattern not
    /// starting with `/`, an empty segment, an unnamed or repeated parameter, a catch-all that is not last, or the
    /// same method and pattern registered twice.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: Handler) {
        precondition(pattern.hasPrefix("/"), "Route pattern must start with '/': \(pattern)")
        var segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.last == "" { segments.removeLast() }
        var node = 0
        var parameterNames: [String] = []
        var catchAllName: String?
        for (offset, segment) in zip(segments.indices, segments) {
            precondition(!segment.isEmpty, "Route pattern has an empty segment: \(pattern)")
            if segment.first == ":" {
                let name = String(segment.dropFirst())
                precondition(!name.isEmpty && !parameterNames.contains(name), "Bad parameter in route: \(pattern)")
                parameterNames.append(name)
                node = child(of: node, parameter: true, literal: "")
            } else if segment.first == "*" {
                let name = String(segment.dropFirst())
                precondition(offset == segments.indices.last, "Catch-all must be the last segment: \(pattern)")
                precondition(!name.isEmpty && !parameterNames.contains(name), "Bad catch-all in route: \(pattern)")
                catchAllName = name
            } else {
                node = child(of: node, parameter: false, literal: String(segment))
            }
        }
        let route = Route(
            handler: handler,
            pattern: pattern,
            parameterNames: parameterNames,
            catchAllName: catchAllName
        )
        if catchAllName == nil {
            precondition(nodes[node].routes[method] == nil, "Route registered twice: \(method) \(pattern)")
            nodes[node].routes[method] = route
        } else {
            precondition(nodes[node].catchAllRoutes[method] == nil, "Route registered twice: \(method) \(pattern)")
            nodes[node].catchAllRoutes[method] = route
        }
    }

    /// Finds the route for `method` and a raw (still percent-encoded) `path`, such as ``RequestHead/path``.
    ///
    /// - Throws: a 400 ``HTTPError`` with code `invalid_path` when a segment does not decode.
    public func match(_ method: HTTPMethod, path: String) throws(HTTPError) -> RouteMatch<Handler> {
        guard path.utf8.first == ASCII.slash else { return .notFound }
        var raw = path.utf8.split(separator: ASCII.slash, omittingEmptySubsequences: false).dropFirst()
        if raw.last?.isEmpty == true { raw.removeLast() }
        var segments: [String] = []
        segments.reserveCapacity(raw.count)
        for segment in raw {
            guard let decoded = PercentDecoding.decode(Substring(segment)), !decoded.utf8.contains(0) else {
                throw HTTPError.badRequest(code: "invalid_path", message: "The request path is not validly encoded.")
            }
            segments.append(decoded)
        }
        var search = Search(method: method, segments: segments)
        search.visit(nodes, 0, depth: 0)
        guard let found = search.found else {
            return search.allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: Self.canonicalOrder(search.allowed))
        }
        var names = found.route.parameterNames
        var values = found.values
        var catchAll: [String] = []
        if let name = found.route.catchAllName {
            catchAll = Array(segments[found.depth...])
            names.append(name)
            values.append(catchAll.joined(separator: "/"))
        }
        return .matched(
            found.route.handler,
            PathParameters(names: names, values: values, catchAllSegments: catchAll),
            pattern: found.route.pattern
        )
    }

    private mutating func child(of node: Int, parameter: Bool, literal: String) -> Int {
        if let existing = parameter ? nodes[node].parameter : nodes[node].literals[literal] {
            return existing
        }
        nodes.append(Node())
        let index = nodes.count - 1
        if parameter {
            nodes[node].parameter = index
        } else {
            nodes[node].literals[literal] = index
        }
        return index
    }

    private static func canonicalOrder(_ methods: Set<HTTPMethod>) -> [HTTPMethod] {
        var methods = methods
        if methods.contains(.GET) { methods.insert(.HEAD) }
        let known = HTTPMethod.known.filter { methods.contains($0) }
        let others = methods.filter { !HTTPMethod.known.contains($0) }.sorted { $0.rawValue < $1.rawValue }
        return known + others
    }

    // Depth-first search in priority order: literal, then parameter, then catch-all. A trie node sits at one depth
    // and is reached by one path, so each node is visited at most once. `values` holds the parameters captured on
    // the current branch.
    private struct Search {
        let method: HTTPMethod
        let segments: [String]
        var values: [String] = []
        var found: (route: Route, values: [String], depth: Int)?
        var allowed: Set<HTTPMethod> = []

        init(method: HTTPMethod, segments: [String]) {
            self.method = method
            self.segments = segments
        }

        mutating func visit(_ nodes: [Node], _ index: Int, depth: Int) {
            if depth == segments.count {
                consider(nodes[index].routes, depth: depth)
            } else {
                if let next = nodes[index].literals[segments[depth]] {
                    visit(nodes, next, depth: depth + 1)
                    if found != nil { return }
                }
                if let next = nodes[index].parameter, !segments[depth].isEmpty {
                    values.append(segments[depth])
                    visit(nodes, next, depth: depth + 1)
                    values.removeLast()
                    if found != nil { return }
                }
            }
            if found == nil {
                consider(nodes[index].catchAllRoutes, depth: depth)
            }
        }

        private mutating func consider(_ routes: [HTTPMethod: Route], depth: Int) {
            guard !routes.isEmpty else { return }
            if let route = routes[method] ?? (method == .HEAD ? routes[.GET] : nil) {
                found = (route, values, depth)
            } else {
                allowed.formUnion(routes.keys)
            }
        }
    }
}
