import Dispatch
import HTTP
import JSON
import Metrics
import Transport

/// `GET /healthz`: liveness, with version and uptime.
enum HealthRoute {
    static func make(startedAt: UInt64) -> HTTPRoute {
        .sync { _ in
            let uptime = Double(MonotonicClock.now() - startedAt) / 1e9
            let body: JSONValue = [
                "status": "ok", "version": .string(Version.current),
                "uptimeSeconds": .double((uptime * 1000).rounded() / 1000),
            ]
            return .json(.ok, body: body.encoded())
        }
    }
}

extension HealthRoute {
    /// `GET /readyz`: 200 when the server can serve (its store accepts writes), 503 otherwise — for load
    /// balancers, separate from liveness.
    static func readiness(_ check: (@Sendable (@escaping @Sendable (Bool) -> Void) -> Void)?) -> HTTPRoute {
        HTTPRoute(
            .respond { _, responder in
                guard let check else { return responder.respond(.json(.ok, body: Array(#"{"status":"ready"}"#.utf8))) }
                check { ready in
                    responder.respond(
                        ready
                            ? .json(.ok, body: Array(#"{"status":"ready"}"#.utf8))
                            : HTTPError(
                                status: .serviceUnavailable,
                                code: "not_ready",
                                message: "The store does not accept writes right now."
                            ).response
                    )
                }
            }
        )
    }

    /// `GET /metrics` in the Prometheus text format; with a token, only for `Authorization: Bearer <ops.token>`.
    static func metrics(_ metrics: ServerMetrics, token: String?) -> HTTPRoute {
        let expected = token.map { Array("Bearer \($0)".utf8) }
        return HTTPRoute(
            .respond { request, responder in
                if let expected {
                    let given = Array((request.head.headers["Authorization"] ?? "").utf8)
                    // Constant time: the comparison must not tell how much of the token was right.
                    var difference = given.count ^ expected.count
                    for index in 0..<expected.count {
                        difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
                    }
                    guard difference == 0 else {
                        return responder.respond(
                            HTTPError(
                                status: .unauthorized,
                                code: "ops_token_required",
                                message: "Metrics need the ops token."
                            )
                        )
                    }
                }
                // Rendering reads every event loop (queued bytes): never on a loop itself.
                DispatchQueue.global().async {
                    var response = HTTPResponse(status: .ok, body: Array(metrics.registry.render().utf8))
                    response.headers.replaceOrAdd(
                        name: "Content-Type",
                        value: "text/plain; version=0.0.4; charset=utf-8"
                    )
                    responder.respond(response)
                }
            }
        )
    }
}

/// The server's version, reported by `/healthz` and `yizhan --version`.
public enum Version {
    public static let current = "0.1.0"
}
