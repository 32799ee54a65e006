import Auth
import HTTP
import Hub
import JSON

/// The shape every REST route into the hub shares (news center, community services): authenticate a user token
/// (or a service token with a scope), decode path, query and body, run on the hub's queue, and render the answer —
/// JSON with an `ETag` when versioned, or a table as CSV (UTF-8 with BOM) or JSON (`?format=`).
enum HubRESTRoute {
    /// Runs the decoded request on the hub's queue and answers through `done`.
    typealias Run = @Sendable (Hub, RESTCaller, @escaping (Result<RESTResponse, HubError>) -> Void) -> Void

    /// `serviceScope`: the route is for campus systems' service tokens holding that scope; nil: user tokens.
    static func make(
        _ hub: Hub,
        _ authority: TokenAuthority,
        serviceScope: String? = nil,
        _ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> Run
    ) -> HTTPRoute {
        HTTPRoute(
            .respond { request, responder in
                let caller: RESTCaller
                let run: Run
                let csv: Bool
                do throws(HTTPError) {
                    let claims = try HubEndpoint.authenticate(
                        request,
                        authority: authority,
                        kind: serviceScope == nil ? .user : .service
                    )
                    if let serviceScope, !claims.scopes.contains(serviceScope) {
                        throw HTTPError(
                            status: .forbidden,
                            code: "forbidden",
                            message: "This service token lacks the \(serviceScope) scope."
                        )
                    }
                    caller =
                        serviceScope != nil
                        ? .service(claims.subject)
                        : .user(claims.subject, roles: Set(claims.roles.compactMap(SchoolRole.init(rawValue:))))
                    run = try decode(request)
                    csv = try HubHTTP.isCSV(request)
                } catch {
                    return responder.respond(error)
                }
                hub.queue.async {
                    run(hub, caller) { result in
                        switch result {
                        case .success(.json(let body, let created, let version)):
                            var response = HTTPResponse.json(created ? .created : .ok, body: body)
                            if let version { response.headers.add(name: "ETag", value: "\"\(version)\"") }
                            response.headers.add(name: "Cache-Control", value: "no-store")
                            responder.respond(response)
                        case .success(.table(let table)):
                            responder.respond(ServiceRoutes.render(table, csv: csv))
                        case .success(.document(let body, let contentType)):
                            var headers = HTTPHeaders()
                            headers.add(name: "Content-Type", value: contentType + "; charset=utf-8")
                            headers.add(name: "Cache-Control", value: "no-store")
                            responder.respond(HTTPResponse(status: .ok, headers: headers, body: body))
                        case .failure(let error):
                            responder.respond(HubHTTP.error(error))
                        }
                    }
                }
            }
        )
    }

    static func body(_ request: HTTPRequest) throws(HTTPError) -> JSONValue {
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw .badRequest(code: "invalid_json", message: "The request body is not valid JSON: \(error).")
        }
    }

    /// A positive integer id from the path; anything else is a 404 with `code`.
    static func id(_ request: HTTPRequest, _ name: String, notFound code: String) throws(HTTPError) -> Int64 {
        guard let raw = request.parameters[name], let id = Int64(raw), id > 0 else {
            throw HTTPError(status: .notFound, code: code, message: "Ids in this path are positive integers.")
        }
        return id
    }

    static func limit(_ request: HTTPRequest) throws(HTTPError) -> Int {
        guard let raw = request.query["limit"] else { return 20 }
        guard let limit = Int(raw), (1...100).contains(limit) else {
            throw .badRequest(code: "invalid_request", message: "Parameter 'limit' must be an integer from 1 to 100.")
        }
        return limit
    }

    static func flag(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> Bool {
        switch request.query[name] {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw .badRequest(code: "invalid_request", message: "Parameter '\(name)' must be true or false.")
        }
    }

    /// `If-Match: "<version>"` (or `*`): the update applies only to that version.
    static func ifMatch(_ request: HTTPRequest) throws(HTTPError) -> Int64? {
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
