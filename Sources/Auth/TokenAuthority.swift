import CShims
import JSON

/// Mints and verifies HS256 JSON Web Tokens (RFC 7519) with the server's secret.
///
/// Verification is pure computation (one HMAC-SHA256 and a small JSON parse, a few microseconds): no database
/// round trip, so a reconnect storm costs CPU only.
public struct TokenAuthority: Sendable {
    private let secret: [UInt8]
    /// Seconds of clock difference tolerated on `iat`/`exp` between the issuer and this server.
    public var leeway: Int64 = 30

    /// - Parameter secret: at least 32 bytes (HS256 keys shorter than the hash size are weak, RFC 7518 §3.2).
    public init?(secret: [UInt8]) {
        guard secret.count >= 32 else { return nil }
        self.secret = secret
    }

    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// Creates a signed token for `claims`.
    public func mint(_ claims: TokenClaims) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("sub")
        writer.string(claims.subject)
        writer.key("typ")
        writer.string(claims.kind.rawValue)
        if !claims.roles.isEmpty {
            writer.key("roles")
            writer.value(.array(claims.roles.map { .string($0) }))
        }
        if !claims.scopes.isEmpty {
            writer.key("scope")
            writer.value(.array(claims.scopes.map { .string($0) }))
        }
        writer.key("iat")
        writer.int(claims.issuedAt)
        writer.key("exp")
        writer.int(claims.expiresAt)
        if let id = claims.id {
            writer.key("jti")
            writer.string(id)
        }
        writer.endObject()
        let signingInput = Self.header + "." + Base64URL.encode(writer.bytes)
        return signingInput + "." + Base64URL.encode(sign(Array(signingInput.utf8)))
    }

    /// Checks signature and time claims; `now` is seconds since 1970.
    public func verify(_ token: some StringProtocol, now: Int64) throws(TokenError) -> TokenClaims {
        let bytes = Array(token.utf8)
        guard bytes.count <= 8192 else { throw .malformed }
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let lastDot = bytes.lastIndex(of: UInt8(ascii: ".")), firstDot < lastDot
        else { throw .malformed }
        let signingInput = bytes[..<lastDot]
        guard let headerBytes = Base64URL.decode(bytes[..<firstDot]),
            let payloadBytes = Base64URL.decode(bytes[(firstDot + 1)..<lastDot]),
            let signature = Base64URL.decode(bytes[(lastDot + 1)...])
        else { throw .malformed }
        // The algorithm is fixed: a token that says anything but HS256 (notably "none") is refused.
        guard let header = try? JSONParser.parse(headerBytes), header["alg"]?.stringValue == "HS256" else {
            throw .malformed
        }
        let expected = sign(Array(signingInput))
        guard signature.count == expected.count,
            CRYPTO_memcmp(signature, expected, expected.count) == 0
        else { throw .badSignature }
        guard let payload = try? JSONParser.parse(payloadBytes), case .object = payload,
            let subject = payload["sub"]?.stringValue, !subject.isEmpty, subject.utf8.count <= 128,
            let expiresAt = payload["exp"]?.int64Value
        else { throw .malformed }
        let kind = TokenClaims.Kind(rawValue: payload["typ"]?.stringValue ?? "user") ?? .user
        let roles = payload["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let scopes = payload["scope"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let issuedAt = payload["iat"]?.int64Value ?? 0
        guard now <= expiresAt + leeway else { throw .expired }
        if let notBefore = payload["nbf"]?.int64Value, now + leeway < notBefore { throw .notYetValid }
        return TokenClaims(
            subject: subject,
            kind: kind,
            roles: roles,
            scopes: scopes,
            issuedAt: issuedAt,
            expiresAt: expiresAt,
            id: payload["jti"]?.stringValue
        )
    }

    private func sign(_ input: [UInt8]) -> [UInt8] {
        HMACSHA256.mac(key: secret, input)
    }
}
