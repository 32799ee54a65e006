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
        routes.add(.POST, "/v1/news/columns", user { request throws(HTTPError) in .createColumn(try body(request)) })
        routes.add(.GET, "/v1/news/columns/:column", user { request throws(HTTPError) in .column(column(request)) })
        routes.add(
            .PATCH,
            "/v1/news/columns/:column",
            user { request throws(HTTPError) in
                .updateColumn(column(request), try body(request), ifMatch: try ifMatch(request))
            }
        )
        routes.add(
            .GET,
            "/v1/news/columns/:column/articles",
            user { request throws(HTTPError) in
                .columnArticles(column(request), cursor: request.query["cursor"], limit: try limit(request))
            }
        )
        routes.add(.GET, "/v1/news/subscriptions", user { _ throws(HTTPError) in .subscriptions })
        routes.add(
            .PUT,
            "/v1/news/subscriptions",
            user { request throws(HTTPError) in .setSubscriptions(try body(request)) }
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
                    limit: try limit(request),
                    unreadOnly: try flag(request, "unread")
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
                return .search(text, limit: try limit(request))
            }
        )
        routes.add(.GET, "/v1/news/hot", user { request throws(HTTPError) in .hot(limit: try limit(request)) })
        routes.add(.GET, "/v1/news/must-read", user { _ throws(HTTPError) in .mustRead })
        routes.add(.POST, "/v1/news/articles", user { request throws(HTTPError) in .createArticle(try body(request)) })
        routes.add(
            .GET,
            "/v1/news/articles/:article",
            user { request throws(HTTPError) in .article(try article(request)) }
        )
        routes.add(
            .PATCH,
            "/v1/news/articles/:article",
            user { request throws(HTTPError) in
                .updateArticle(try article(request), try body(request), ifMatch: try ifMatch(request))
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
                .upsertExternal(try externalID(request), try body(request))
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

    /// Authenticates (a user token, or a service token with the `news:publish` scope), decodes, asks the hub on
    /// its queue, and renders the answer: JSON with an ETag when versioned, or a table as CSV or JSON.
    private static func route(
        _ hub: Hub,
        _ authority: TokenAuthority,
        service: Bool,
        _ decode: @escaping Decode
    )
        -> HTTPRoute
    {
        HTTPRoute(
            .respond { request, responder in
                let caller: NewsCaller
                let newsRequest: NewsRequest
                let csv: Bool
                do throws(HTTPError) {
                    let claims = try HubEndpoint.authenticate(
                        request,
                        authority: authority,
                        kind: service ? .service : .user
                    )
                    if service, !claims.scopes.contains("news:publish") {
                        throw HTTPError(
                            status: .forbidden,
                            code: "forbidden",
                            message: "This service token lacks the news:publish scope."
                        )
                    }
                    caller =
                        service
                        ? .service(claims.subject)
                        : .user(claims.subject, roles: Set(claims.roles.compactMap(SchoolRole.init(rawValue:))))
                    newsRequest = try decode(request)
                    csv = try HubHTTP.isCSV(request)
                } catch {
                    return responder.respond(error)
                }
                hub.queue.async {
                    hub.news(newsRequest, caller: caller) { result in
                        switch result {
                        case .success(.json(let body, let created, let version)):
                            var response = HTTPResponse.json(created ? .created : .ok, body: body)
                            if let version { response.headers.add(name: "ETag", value: "\"\(version)\"") }
                            response.headers.add(name: "Cache-Control", value: "no-store")
                            responder.respond(response)
                        case .success(.table(let table)):
                            responder.respond(ServiceRoutes.render(table, csv: csv))
                        case .failure(let error):
                            responder.respond(HubHTTP.error(error))
                        }
                    }
                }
            }
        )
    }

    private static func body(_ request: HTTPRequest) throws(HTTPError) -> JSONValue {
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw .badRequest(code: "invalid_json", message: "The request body is not valid JSON: \(error).")
        }
    }

    private static func column(_ request: HTTPRequest) -> String { request.parameters["column"] ?? "" }

    private static func article(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        guard let raw = request.parameters["article"], let id = Int64(raw), id > 0 else {
            throw HTTPError(status: .notFound, code: "article_not_found", message: "Article ids are positive integers.")
        }
        return id
    }

    private static func externalID(_ request: HTTPRequest) throws(HTTPError) -> String {
        guard let id = request.parameters["externalId"], !id.isEmpty, id.utf8.count <= 200 else {
            throw .badRequest(code: "invalid_request", message: "The external id must be 1 to 200 bytes.")
        }
        return id
    }

    private static func limit(_ request: HTTPRequest) throws(HTTPError) -> Int {
        guard let raw = request.query["limit"] else { return 20 }
        guard let limit = Int(raw), (1...100).contains(limit) else {
            throw .badRequest(code: "invalid_request", message: "Parameter 'limit' must be an integer from 1 to 100.")
        }
        return limit
    }

    private static func flag(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> Bool {
        switch request.query[name] {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw .badRequest(code: "invalid_request", message: "Parameter '\(name)' must be true or false.")
        }
    }

    /// `If-Match: "<version>"` (or `*`): the update applies only to that version.
    private static func ifMatch(_ request: HTTPRequest) throws(HTTPError) -> Int64? {
        guard let raw = request.head.headers["If-Match"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if raw == "*" { return nil }
        let tag = raw.hasPrefix("W/") ? String(raw.dropFirst(2)) : raw
        guard tag.count >= 3, tag.hasPrefix("\""), tag.hasSuffix("\""), let version = Int64(tag.dropFirst().dropLast())
        else {
            throw .badRequest(
                code: "invalid_request",
                message: "If-Match must be an ETag this server handed out, like \"3\"."
            )
        }
        return version
    }
}
