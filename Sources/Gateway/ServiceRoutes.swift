import Auth
import Dispatch
import HTTP
import Hub
import JSON

/// REST routes of the group services: exports of card results and task progress, and app messages from campus
/// systems.
enum ServiceRoutes {
    static func install(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        routes.add(
            .GET,
            "/v1/cards/:card/export",
            export(hub: hub, authority: authority) { hub, id, user, roles, done in
                hub.exportCard(id, user: user, roles: roles, completion: done)
            }
        )
        routes.add(
            .GET,
            "/v1/tasks/:task/export",
            export(hub: hub, authority: authority) { hub, id, user, roles, done in
                hub.exportTask(id, user: user, roles: roles, completion: done)
            }
        )
        routes.add(.POST, "/v1/apps/messages", appMessages(hub: hub, authority: authority))
    }

    typealias Exporter =
        @Sendable (Hub, Int64, UserID, Set<SchoolRole>, @escaping (Result<TableExport, HubError>) -> Void) -> Void

    /// `GET …/export?format=csv|json` (default csv).
    private static func export(hub: Hub, authority: TokenAuthority, _ run: @escaping Exporter) -> HTTPRoute {
        HTTPRoute(
            .respond { request, responder in
                let claims: TokenClaims
                let id: Int64
                let csv: Bool
                do throws(HTTPError) {
                    claims = try HubEndpoint.authenticate(request, authority: authority, kind: .user)
                    guard let raw = request.parameters["card"] ?? request.parameters["task"], let parsed = Int64(raw),
                        parsed > 0
                    else {
                        throw HTTPError.notFound()
                    }
                    id = parsed
                    csv = try HubHTTP.isCSV(request)
                } catch {
                    return responder.respond(error)
                }
                let roles = Set(claims.roles.compactMap(SchoolRole.init(rawValue:)))
                hub.queue.async {
                    run(hub, id, claims.subject, roles) { result in
                        switch result {
                        case .success(let table):
                            responder.respond(render(table, csv: csv))
                        case .failure(let error):
                            responder.respond(HubHTTP.error(error))
                        }
                    }
                }
            }
        )
    }

    static func render(_ table: TableExport, csv: Bool) -> HTTPResponse {
        var headers = HTTPHeaders()
        let name = HubHTTP.fileName(table.title, extension: csv ? "csv" : "json")
        headers.add(name: "Content-Disposition", value: name)
        headers.add(name: "Cache-Control", value: "no-store")
        if csv {
            headers.add(name: "Content-Type", value: "text/csv; charset=utf-8")
            return HTTPResponse(
                status: .ok,
                headers: headers,
                body: CSVWriter.render(columns: table.columns, rows: table.rows)
            )
        }
        let body: JSONValue = [
            "summary": table.summary,
            "columns": .array(table.columns.map { .string($0) }),
            "rows": .array(table.rows.map { .array($0.map { .string($0) }) }),
        ]
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        return HTTPResponse(status: .ok, headers: headers, body: body.encoded())
    }

    /// `POST /v1/apps/messages` with a service token whose scope includes `messages:send`.
    private static func appMessages(hub: Hub, authority: TokenAuthority) -> HTTPRoute {
        HTTPRoute(
            .respond { request, responder in
                let claims: TokenClaims
                let post: AppMessageRequest
                do throws(HTTPError) {
                    claims = try HubEndpoint.authenticate(request, authority: authority, kind: .service)
                    guard claims.scopes.contains("messages:send") else {
                        throw HTTPError(
                            status: .forbidden,
                            code: "forbidden",
                            message: "This service token lacks the messages:send scope."
                        )
                    }
                    do throws(JSONFieldError) {
                        post = try AppMessageRequest.decode(request.body)
                    } catch {
                        throw HTTPError(status: .unprocessableContent, code: error.code, message: error.message)
                    }
                } catch {
                    return responder.respond(error)
                }
                let service = claims.subject
                hub.queue.async {
                    var groups = post.groups
                    for (prefix, ids) in [("class:", post.classes), ("course:", post.courses)] {
                        for id in ids {
                            guard let group = hub.groupID(forExternalKey: prefix + id) else {
                                return responder.respond(
                                    HubHTTP.error(HubError(.groupNotFound, "There is no group for \(prefix)\(id)."))
                                )
                            }
                            groups.append(group)
                        }
                    }
                    hub.postAppMessage(
                        post.message,
                        service: service,
                        users: post.users,
                        groups: groups,
                        externalID: post.externalID
                    ) { result in
                        switch result {
                        case .success(let report):
                            let body: JSONValue = [
                                "delivered": .int(Int64(report.delivered)),
                                "duplicates": .int(Int64(report.duplicates)),
                            ]
                            responder.respond(.json(.ok, body: body.encoded()))
                        case .failure(let error):
                            responder.respond(HubHTTP.error(error))
                        }
                    }
                }
            }
        )
    }
}

/// Hub errors as HTTP responses.
enum HubHTTP {
    static func error(_ error: HubError) -> HTTPError {
        let status: HTTPStatus
        switch error.code {
        case .forbidden: status = .forbidden
        case .notMember, .groupNotFound, .userNotFound, .cardNotFound, .taskNotFound, .fileNotFound, .objectNotFound,
            .messageNotFound, .columnNotFound, .articleNotFound, .deliveryNotFound, .requestNotFound:
            status = .notFound
        case .invalidTransition, .slotTaken: status = .conflict
        case .versionMismatch: status = .preconditionFailed
        case .storageUnavailable: status = .serviceUnavailable
        case .rateLimited:
            if let wait = error.retryAfter {
                return .tooManyRequests(wait: wait, code: error.code.rawValue) { _ in error.message }
            }
            status = .tooManyRequests
        default: status = .unprocessableContent
        }
        return HTTPError(status: status, code: error.code.rawValue, message: error.message)
    }

    /// `?format=csv` (the default) or `json` of an export.
    static func isCSV(_ request: HTTPRequest) throws(HTTPError) -> Bool {
        switch request.query["format"] ?? "csv" {
        case "csv": return true
        case "json": return false
        default: throw .badRequest(code: "invalid_format", message: "format must be csv or json.")
        }
    }

    /// `attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback (RFC 6266, RFC 5987).
    static func fileName(_ title: String, extension ext: String) -> String {
        let cleaned = title.filter {
            !$0.isNewline && $0 != "\"" && $0 != "\\" && $0 != "/" && !($0.asciiValue.map { $0 < 32 } ?? false)
        }
        let name = (cleaned.isEmpty ? "export" : String(cleaned.prefix(80))) + "." + ext
        let ascii = name.unicodeScalars.map { $0.isASCII ? String($0) : "_" }.joined()
        var encoded = ""
        for byte in name.utf8 {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            encoded +=
                unreserved ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
