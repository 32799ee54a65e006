/// Which `Origin` header values a handshake accepts (RFC 6455 §4.2.2 step 4, §10.2).
///
/// Origins are compared after normalisation: scheme and host lowercased, a default port (80 for `http`/`ws`, 443
/// for `https`/`wss`) removed, and nothing else tolerated (no path, no user info). Comparison is exact, so
/// `https://app.example.edu.evil.example` and `http://app.example.edu` do not match `https://app.example.edu`.
/// A request without an `Origin` header is always accepted: browsers always send one, and non-browser clients
/// authenticate by other means (bearer tokens), so the header protects nothing for them.
public struct OriginPolicy: Hashable, Sendable {
    // nil means any origin is accepted.
    private let allowed: Set<String>?

    private init(allowed: Set<String>?) {
        self.allowed = allowed
    }

    /// Accepts every origin.
    public static let any = OriginPolicy(allowed: nil)

    /// Accepts only these origins (such as `https://app.example.edu` or `http://localhost:8080`), compared after
    /// normalisation. An entry that is not a valid origin is kept verbatim and can match only an identical header
    /// (this is how `null` can be allowed, though it should not be).
    public static func allowList(_ origins: some Sequence<String>) -> OriginPolicy {
        OriginPolicy(allowed: Set(origins.map { normalize($0) ?? $0 }))
    }

    /// Whether any origin is accepted.
    public var acceptsAnyOrigin: Bool {
        allowed == nil
    }

    /// Whether a request whose `Origin` header is `origin` (`nil` if absent) is accepted.
    public func allows(_ origin: String?) -> Bool {
        guard let allowed, let origin else { return true }
        let trimmed = origin.trimmingOWS()
        return allowed.contains(Self.normalize(trimmed) ?? trimmed)
    }

    /// The normalised form `scheme://host[:port]` of a serialized origin (RFC 6454 §6.2), or `nil` if it is not one.
    public static func normalize(_ origin: String) -> String? {
        let bytes = Array(origin.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            bytes.count > colon + 2, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        let scheme = bytes[..<colon].map(ASCII.lowercased)
        guard scheme.allSatisfy(ASCII.isSchemeCharacter), ASCII.isLetter(scheme[0]) else { return nil }
        let authority = bytes[(colon + 3)...]
        guard !authority.isEmpty else { return nil }
        var host: ArraySlice<UInt8>
        var portDigits: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            // An IPv6 literal: the port separator is the colon after the closing bracket.
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")),
                authority[(authority.startIndex + 1)..<close].allSatisfy(ASCII.isIPv6LiteralCharacter)
            else { return nil }
            host = authority[...close]
            let rest = authority[(close + 1)...]
            if let first = rest.first {
                guard first == UInt8(ascii: ":") else { return nil }
                portDigits = rest.dropFirst()
            }
        } else if let portColon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = authority[..<portColon]
            portDigits = authority[(portColon + 1)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, host.first == UInt8(ascii: "[") || host.allSatisfy(ASCII.isHostCharacter) else {
            return nil
        }
        var port: Int?
        if let portDigits {
            guard !portDigits.isEmpty, portDigits.count <= 5, portDigits.allSatisfy(ASCII.isDigit) else { return nil }
            let value = portDigits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard value <= 65535 else { return nil }
            port = value
        }
        let schemeString = String(decoding: scheme, as: UTF8.self)
        let defaultPort: Int? =
            switch schemeString {
            case "http", "ws": 80
            case "https", "wss": 443
            default: nil
            }
        var result = schemeString + "://" + String(decoding: host.map(ASCII.lowercased), as: UTF8.self)
        if let port, port != defaultPort {
            result += ":" + String(port)
        }
        return result
    }
}
