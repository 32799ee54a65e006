import HTTP
import JSON
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

/// The server's version, reported by `/healthz` and `yizhan --version`.
public enum Version {
    public static let current = "0.1.0"
}
