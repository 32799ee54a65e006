import Auth
import HTTP
import Hub
import JSON

/// REST routes of the news center (资讯中心): columns, subscriptions, the feed, articles, must-read tracking,
/// statistics, and the upsert endpoint campus systems push articles to. Protocol/openapi.json documents them.
enum NewsRoutes {
    typealias Decode = @Sendable (HTTPRequest) throws(HTTPError) -> NewsRequest

    static func install(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func user(_ decode: @escaping Decode) -> HTTPRoute { route(hub, authority, service: false, decode) }
        routes.add(.GET, "/v1/news/columns", user { _ throws(HTTPError) in .listColumns })
        routes.add(
            .POST,
            "/v1/news/columns",
            user { request throws(HTTPError) in .createColumn(try HubRESTRoute.body(request)) }
        )
        routes.add(.GET, "/v1/news/columns/:column", user { request throws(HTTPError) in .column(column(request)) })
        routes.add(
            .PATCH,
            "/v1/news/columns/:column",
            user { request throws(HTTPError) in
                .updateColumn(
                    column(request),
                    try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
        routes.add(
            .GET,
            "/v1/news/columns/:column/articles",
            user { request throws(HTTPError) in
                .columnArticles(
                    column(request),
                    cursor: request.query["cursor"],
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(.GET, "/v1/news/subscriptions", user { _ throws(HTTPError) in .subscriptions })
        routes.add(
            .PUT,
            "/v1/news/subscriptions",
            user { request throws(HTTPError) in .setSubscriptions(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .PUT,
            "/v1/news/subscriptions/:column",
            user { request throws(HTTPError) in .subscribe(column(request)) }
        )
        routes.add(
            .DELETE,
            "/v1/news/subscriptions/:column",
            user { request throws(HTTPError) in .unsubscribe(column(request)) }
        )
        routes.add(
            .GET,
            "/v1/news/feed",
            user { request throws(HTTPError) in
                .feed(
                    cursor: request.query["cursor"],
                    limit: try HubRESTRoute.limit(request),
                    unreadOnly: try HubRESTRoute.flag(request, "unread")
                )
            }
        )
        routes.add(.POST, "/v1/news/feed/read-all", user { _ throws(HTTPError) in .readAll })
        routes.add(
            .GET,
            "/v1/news/search",
            user { request throws(HTTPError) in
                guard let text = request.query["q"] else {
                    throw .badRequest(code: "invalid_request", message: "Parameter 'q' (the text to find) is missing.")
                }
                return .search(text, limit: try HubRESTRoute.limit(request))
            }
        )
        routes.add(
            .GET,
            "/v1/news/hot",
            user { request throws(HTTPError) in .hot(limit: try HubRESTRoute.limit(request)) }
        )
        routes.add(.GET, "/v1/news/must-read", user { _ throws(HTTPError) in .mustRead })
        routes.add(
            .POST,
            "/v1/news/articles",
            user { request throws(HTTPError) in .createArticle(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/news/articles/:article",
            user { request throws(HTTPError) in .article(try article(request)) }
        )
        routes.add(
            .PATCH,
            "/v1/news/articles/:article",
            user { request throws(HTTPError) in
                .updateArticle(
                    try article(request),
                    try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
        routes.add(
            .POST,
            "/v1/news/articles/:article/publish",
            user { request throws(HTTPError) in .publish(try article(request)) }
        )
        routes.add(
            .POST,
            "/v1/news/articles/:article/retract",
            user { request throws(HTTPError) in .retract(try article(request)) }
        )
        routes.add(
            .POST,
            "/v1/news/articles/:article/read",
            user { request throws(HTTPError) in .markRead(try article(request)) }
        )
        routes.add(
            .POST,
            "/v1/news/articles/:article/remind",
            user { request throws(HTTPError) in .remind(try article(request)) }
        )
        routes.add(
            .GET,
            "/v1/news/articles/:article/readers",
            user { request throws(HTTPError) in .readers(try article(request)) }
        )
        routes.add(.GET, "/v1/news/stats", user { _ throws(HTTPError) in .stats })
        routes.add(.GET, "/v1/admin/news/webhooks", user { _ throws(HTTPError) in .deadLetters })
        routes.add(
            .POST,
            "/v1/admin/news/webhooks/:delivery/retry",
            user { request throws(HTTPError) in .retryDeadLetter(request.parameters["delivery"] ?? "") }
        )
        routes.add(
            .PUT,
            "/v1/news/external/:externalId",
            route(hub, authority, service: true) { request throws(HTTPError) in
                .upsertExternal(try externalID(request), try HubRESTRoute.body(request))
            }
        )
        routes.add(
            .DELETE,
            "/v1/news/external/:externalId",
            route(hub, authority, service: true) { request throws(HTTPError) in
                .retractExternal(try externalID(request))
            }
        )
    }

    /// A news route: the request decoded by `decode`, answered by `Hub.news`.
    private static func route(
        _ hub: Hub,
        _ authority: TokenAuthority,
        service: Bool,
        _ decode: @escaping Decode
    ) -> HTTPRoute {
        HubRESTRoute.make(hub, authority, serviceScope: service ? "news:publish" : nil) { request throws(HTTPError) in
            let news = try decode(request)
            return { hub, caller, done in hub.news(news, caller: caller, completion: done) }
        }
    }

    private static func column(_ request: HTTPRequest) -> String { request.parameters["column"] ?? "" }

    private static func article(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        try HubRESTRoute.id(request, "article", notFound: "article_not_found")
    }

    private static func externalID(_ request: HTTPRequest) throws(HTTPError) -> String {
        guard let id = request.parameters["externalId"], !id.isEmpty, id.utf8.count <= 200 else {
            throw .badRequest(code: "invalid_request", message: "The external id must be 1 to 200 bytes.")
        }
        return id
    }
}
