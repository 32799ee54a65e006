import Auth
import HTTP
import Hub
import JSON

/// REST routes of the community services (社区服务). Protocol/openapi.json documents them.
enum CommunityRoutes {
    static func install(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func suggestions(
            _ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> SuggestionRequest
        )
            -> HTTPRoute
        {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let suggestion = try decode(request)
                return { hub, caller, done in hub.suggestions(suggestion, caller: caller, completion: done) }
            }
        }
        routes.add(.GET, "/v1/community/suggestions/settings", suggestions { _ throws(HTTPError) in .settings })
        routes.add(
            .PUT,
            "/v1/community/suggestions/settings",
            suggestions { request throws(HTTPError) in
                .updateSettings(try HubRESTRoute.body(request), ifMatch: try HubRESTRoute.ifMatch(request))
            }
        )
        routes.add(.GET, "/v1/community/suggestions/stats", suggestions { _ throws(HTTPError) in .stats })
        routes.add(
            .POST,
            "/v1/community/suggestions",
            suggestions { request throws(HTTPError) in .submit(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/suggestions",
            suggestions { request throws(HTTPError) in
                var before: Int64?
                if let raw = request.query["before"] {
                    guard let id = Int64(raw), id > 0 else {
                        throw .badRequest(code: "invalid_request", message: "Parameter 'before' must be a positive id.")
                    }
                    before = id
                }
                return .list(
                    state: request.query["state"],
                    category: request.query["category"],
                    before: before,
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(
            .GET,
            "/v1/community/suggestions/:suggestion",
            suggestions { request throws(HTTPError) in .get(try suggestion(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/suggestions/:suggestion/reveal",
            suggestions { request throws(HTTPError) in .reveal(try suggestion(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/suggestions/:suggestion/:action",
            suggestions { request throws(HTTPError) in
                .act(
                    try suggestion(request),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    private static func suggestion(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        try HubRESTRoute.id(request, "suggestion", notFound: "request_not_found")
    }
}
