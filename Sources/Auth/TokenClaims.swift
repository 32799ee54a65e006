/// What an access token says about its bearer.
public struct TokenClaims: Sendable, Equatable {
    /// `user` tokens are held by people's clients; `service` tokens by campus systems (news, app messages).
    public enum Kind: String, Sendable {
        case user
        case service
    }

    /// `sub`: the user id (student or staff number), or the service's name.
    public var subject: String
    public var kind: Kind
    /// `roles`: school roles of a user (student, counselor, teacher, staff, admin).
    public var roles: [String]
    /// `scope`: what a service may do (for example `messages:send`, `news:publish`).
    public var scopes: [String]
    /// `iat`, `exp`: seconds since 1970.
    public var issuedAt: Int64
    public var expiresAt: Int64
    /// `jti`: unique id, for revocation lists.
    public var id: String?

    public init(
        subject: String,
        kind: Kind = .user,
        roles: [String] = [],
        scopes: [String] = [],
        issuedAt: Int64,
        expiresAt: Int64,
        id: String? = nil
    ) {
        self.subject = subject
        self.kind = kind
        self.roles = roles
        self.scopes = scopes
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.id = id
    }
}

/// Why a token was refused. `code` is the stable id clients see.
public enum TokenError: Error, Sendable, Equatable {
    case missing
    case malformed
    case badSignature
    case expired
    case notYetValid
    case wrongKind

    public var code: String {
        switch self {
        case .missing: "token_missing"
        case .malformed: "token_malformed"
        case .badSignature: "token_invalid"
        case .expired: "token_expired"
        case .notYetValid: "token_not_yet_valid"
        case .wrongKind: "token_wrong_kind"
        }
    }

    public var message: String {
        switch self {
        case .missing: "An access token is required (Authorization: Bearer, or the access_token query parameter)."
        case .malformed: "The access token is not a well-formed HS256 JWT."
        case .badSignature: "The access token's signature is not valid for this server."
        case .expired: "The access token has expired; get a new one."
        case .notYetValid: "The access token is not valid yet; check the issuer's clock."
        case .wrongKind: "This token cannot be used here (user and service tokens are not interchangeable)."
        }
    }
}
