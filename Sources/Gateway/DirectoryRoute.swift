import Auth
import DirectoryImport
import HTTP
import Hub
import JSON
import Logging

/// `POST /v1/admin/directory`: a school admin imports users, org units, classes and course rosters as JSON or CSV.
enum DirectoryRoute {
    /// Directory files can be large (a whole school); they are parsed in one piece.
    static let maxBytes = 64 << 20

    static func make(hub: Hub, authority: TokenAuthority, log: Logger) -> HTTPRoute {
        HTTPRoute(
            .respond { request, responder in
                let claims: TokenClaims
                do throws(HTTPError) {
                    claims = try HubEndpoint.authenticate(request, authority: authority, kind: .user)
                    guard claims.roles.contains(SchoolRole.admin.rawValue) else {
                        throw HTTPError(
                            status: .forbidden,
                            code: "forbidden",
                            message: "Only school admins may import the directory."
                        )
                    }
                } catch {
                    return responder.respond(error)
                }
                let directory: Directory
                do throws(DirectoryImportError) {
                    // The format is detected from the content: a CSV sent as application/json is still a CSV.
                    directory = try DirectoryImportParser.parse(
                        request.body,
                        fileName: request.query["name"] ?? "upload"
                    )
                } catch {
                    return responder.respond(.json(.unprocessableContent, body: problemsBody(error)))
                }
                hub.queue.async {
                    hub.importDirectory(directory, by: claims.subject) { result in
                        switch result {
                        case .success(let report):
                            log.info(
                                "directory imported",
                                ("by", .string(claims.subject)),
                                ("membersAdded", .int(report.membersAdded)),
                                ("membersRemoved", .int(report.membersRemoved))
                            )
                            responder.respond(.json(.ok, body: report.json.encoded()))
                        case .failure(let error):
                            responder.respond(
                                HTTPError(
                                    status: .serviceUnavailable,
                                    code: error.code.rawValue,
                                    message: error.message
                                )
                            )
                        }
                    }
                }
            },
            maxBodyBytes: maxBytes
        )
    }
}

/// `{"error":{"code","message","problems":[{code,message,location}]}}`: every problem found, so a school can fix
/// a large file in one pass.
private func problemsBody(_ error: DirectoryImportError) -> [UInt8] {
    let problems: [JSONValue] = error.problems.map { problem in
        var object: JSONObject = ["code": .string(problem.code), "message": .string(problem.message)]
        if let location = problem.location { object["location"] = .string(location) }
        return .object(object)
    }
    let body: JSONValue = [
        "error": ["code": .string(error.code), "message": .string(error.message), "problems": .array(problems)]
    ]
    return body.encoded()
}

extension ImportReport {
    /// The report as returned by the REST endpoint and printed by `yizhan import`.
    public var json: JSONValue {
        func counts(_ counts: Counts) -> JSONValue {
            [
                "created": .int(Int64(counts.created)), "updated": .int(Int64(counts.updated)),
                "unchanged": .int(Int64(counts.unchanged)),
            ]
        }
        return [
            "orgUnits": counts(orgUnits),
            "users": counts(users),
            "courses": counts(courses),
            "groupsCreated": .int(Int64(groupsCreated)),
            "groupsRenamed": .int(Int64(groupsRenamed)),
            "membersAdded": .int(Int64(membersAdded)),
            "membersRemoved": .int(Int64(membersRemoved)),
            "adminsSet": .int(Int64(adminsSet)),
            "usersDeactivated": .int(Int64(usersDeactivated)),
            "groupsSkipped": .int(Int64(groupsSkipped)),
            "unknownUsers": .array(unknownUsers.map { .string($0) }),
        ]
    }
}
