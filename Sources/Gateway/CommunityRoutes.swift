import Auth
import HTTP
import Hub
import JSON

/// REST routes of the community services (社区服务). Protocol/openapi.json documents them.
enum CommunityRoutes {
    static func install(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        installSuggestions(into: &routes, hub: hub, authority: authority)
        installBorrowing(into: &routes, hub: hub, authority: authority)
    }

    static func installSuggestions(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
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
                .list(
                    state: request.query["state"],
                    category: request.query["category"],
                    before: try before(request),
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

    static func installBorrowing(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func borrowing(
            _ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> BorrowingRequest
        )
            -> HTTPRoute
        {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let borrowing = try decode(request)
                return { hub, caller, done in hub.borrowing(borrowing, caller: caller, completion: done) }
            }
        }
        routes.add(.GET, "/v1/community/items", borrowing { _ throws(HTTPError) in .items })
        routes.add(
            .POST,
            "/v1/community/items",
            borrowing { request throws(HTTPError) in .createItem(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .PATCH,
            "/v1/community/items/:item",
            borrowing { request throws(HTTPError) in
                .updateItem(
                    request.parameters["item"] ?? "",
                    try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
        routes.add(
            .POST,
            "/v1/community/borrowings",
            borrowing { request throws(HTTPError) in .submit(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/borrowings",
            borrowing { request throws(HTTPError) in
                .list(
                    state: request.query["state"],
                    before: try before(request),
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(
            .GET,
            "/v1/community/borrowings/:borrowing",
            borrowing { request throws(HTTPError) in
                .get(try HubRESTRoute.id(request, "borrowing", notFound: "request_not_found"))
            }
        )
        routes.add(
            .POST,
            "/v1/community/borrowings/:borrowing/:action",
            borrowing { request throws(HTTPError) in
                .act(
                    try HubRESTRoute.id(request, "borrowing", notFound: "request_not_found"),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    /// `?before=`: the last id of the previous page.
    private static func before(_ request: HTTPRequest) throws(HTTPError) -> Int64? {
        guard let raw = request.query["before"] else { return nil }
        guard let id = Int64(raw), id > 0 else {
            throw .badRequest(code: "invalid_request", message: "Parameter 'before' must be a positive id.")
        }
        return id
    }

    private static func suggestion(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        try HubRESTRoute.id(request, "suggestion", notFound: "request_not_found")
    }
}
