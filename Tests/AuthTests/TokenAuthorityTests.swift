import Testing

@testable import Auth

@Suite struct TokenAuthorityTests {
    let authority = TokenAuthority(secret: Array("0123456789abcdef0123456789abcdef".utf8))!
    let claims = TokenClaims(subject: "2023010101", roles: ["student"], issuedAt: 1_000, expiresAt: 5_000, id: "t1")

    @Test func mintedTokenVerifies() throws {
        let token = authority.mint(claims)
        #expect(try authority.verify(token, now: 2_000) == claims)
    }

    @Test func serviceTokensCarryKindAndScopes() throws {
        let service = TokenClaims(
            subject: "jwc",
            kind: .service,
            scopes: ["news:publish"],
            issuedAt: 1,
            expiresAt: 9_999
        )
        let verified = try authority.verify(authority.mint(service), now: 2)
        #expect(verified.kind == .service)
        #expect(verified.scopes == ["news:publish"])
    }

    @Test func expiredTokenIsRefusedAfterTheLeeway() throws {
        let token = authority.mint(claims)
        #expect(try authority.verify(token, now: 5_030).subject == "2023010101")
        #expect(throws: TokenError.expired) { try authority.verify(token, now: 5_031) }
    }

    @Test func tamperedPayloadFailsTheSignature() throws {
        let parts = authority.mint(claims).split(separator: ".")
        let forged = TokenClaims(subject: "admin", roles: ["admin"], issuedAt: 1_000, expiresAt: 5_000)
        let forgedPayload = authority.mint(forged).split(separator: ".")[1]
        #expect(throws: TokenError.badSignature) {
            try authority.verify("\(parts[0]).\(forgedPayload).\(parts[2])", now: 2_000)
        }
    }

    @Test func otherSecretFailsTheSignature() throws {
        let other = TokenAuthority(secret: Array("another secret that is long enough!!".utf8))!
        #expect(throws: TokenError.badSignature) { try authority.verify(other.mint(claims), now: 2_000) }
    }

    @Test func algNoneIsRefused() throws {
        let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = authority.mint(claims).split(separator: ".")[1]
        #expect(throws: TokenError.malformed) { try authority.verify("\(header).\(payload).", now: 2_000) }
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", String(repeating: "a", count: 9000)])
    func malformedTokensAreRefused(_ token: String) {
        #expect(throws: TokenError.self) { try authority.verify(token, now: 2_000) }
    }

    @Test func shortSecretsAreRejected() {
        #expect(TokenAuthority(secret: Array("short".utf8)) == nil)
    }

    @Test func base64URLRoundTripsAndRejectsPadding() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            #expect(Base64URL.decode(Array(Base64URL.encode(bytes).utf8)) == bytes)
        }
        #expect(Base64URL.decode(Array("YQ==".utf8)) == nil)
        #expect(Base64URL.decode(Array("YR".utf8)) == nil)  // non-zero trailing bits
    }
}
