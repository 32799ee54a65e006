/// Server settings for the opening handshake.
public struct HandshakeOptions: Sendable {
    /// Which `Origin` values are accepted. Default ``OriginPolicy/any``.
    public var allowedOrigins: OriginPolicy
    /// Supported subprotocols in the server's order of preference. Default none.
    public var subprotocols: [String]
    /// permessage-deflate settings, or `nil` to never negotiate the extension. Pass the same value as
    /// ``WebSocketConfiguration/deflate``.
    public var deflate: DeflateOptions?

    /// Creates options.
    public init(allowedOrigins: OriginPolicy = .any, subprotocols: [String] = [], deflate: DeflateOptions? = nil) {
        self.allowedOrigins = allowedOrigins
        self.subprotocols = subprotocols
        self.deflate = deflate
    }
}

/// An accepted opening handshake: what to put in the 101 response and what was agreed.
public struct HandshakeAccept: Sendable {
    /// The `Sec-WebSocket-Accept` value (RFC 6455 §4.2.2 item 5.4).
    public let acceptKey: String
    /// The chosen subprotocol, or `nil` if none was offered or none is supported.
    public let subprotocol: String?
    /// The agreed permessage-deflate parameters, or `nil` if the extension is not in use. Pass this to
    /// ``WebSocketConnection/init(configuration:deflate:)``.
    public let deflate: NegotiatedDeflate?

    /// Creates an acceptance.
    public init(acceptKey: String, subprotocol: String?, deflate: NegotiatedDeflate?) {
        self.acceptKey = acceptKey
        self.subprotocol = subprotocol
        self.deflate = deflate
    }

    /// Header fields for the 101 response (Upgrade, Connection, Sec-WebSocket-Accept, optional Protocol and
    /// Extensions).
    public var responseHeaders: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", acceptKey),
        ]
        if let subprotocol { headers.append(("Sec-WebSocket-Protocol", subprotocol)) }
        if let deflate { headers.append(("Sec-WebSocket-Extensions", deflate.responseHeaderValue)) }
        return headers
    }
}

/// Server-side evaluation of the opening handshake (RFC 6455 §4.2).
public enum Handshake {
    /// The GUID appended to the key before hashing (RFC 6455 §1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
    public static func acceptKey(for key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// Evaluates an upgrade request, given what the HTTP layer parsed.
    ///
    /// Checks, in order: method GET (else 405 with `Allow: GET`); HTTP/1.1 or later (400); `Upgrade` contains the
    /// token `websocket` and `Connection` the token `upgrade`, case-insensitively, in comma-separated lists that may
    /// span repeated headers (400); exactly one `Sec-WebSocket-Key` that is the base64 of 16 bytes (400);
    /// `Sec-WebSocket-Version` exactly `13` (else 426 with `Sec-WebSocket-Version: 13`); the `Origin`, if present,
    /// allowed by the policy (403; a repeated `Origin` is refused when an allow-list is configured). Then chooses
    /// the subprotocol (the first of the server's that the client offered) and negotiates permessage-deflate.
    /// Header names are matched case-insensitively. All parsing is linear in the size of the headers.
    public static func evaluate(
        method: String,
        httpVersion: (major: Int, minor: Int),
        headers: some Sequence<(name: String, value: String)>,
        options: HandshakeOptions
    ) -> Result<HandshakeAccept, HandshakeError> {
        guard method == "GET" else { return .failure(.notGet) }
        guard httpVersion.major > 1 || (httpVersion.major == 1 && httpVersion.minor >= 1) else {
            return .failure(.oldHTTPVersion)
        }
        var upgrade: [String] = []
        var connection: [String] = []
        var keys: [String] = []
        var versions: [String] = []
        var origins: [String] = []
        var protocols: [String] = []
        var extensions: [String] = []
        for (name, value) in headers {
            let name = name.utf8
            if ASCII.equalsIgnoringCase(name, "upgrade") {
                upgrade.append(value)
            } else if ASCII.equalsIgnoringCase(name, "connection") {
                connection.append(value)
            } else if ASCII.equalsIgnoringCase(name, "sec-websocket-key") {
                keys.append(value)
            } else if ASCII.equalsIgnoringCase(name, "sec-websocket-version") {
                versions.append(value)
            } else if ASCII.equalsIgnoringCase(name, "origin") {
                origins.append(value)
            } else if ASCII.equalsIgnoringCase(name, "sec-websocket-protocol") {
                protocols.append(value)
            } else if ASCII.equalsIgnoringCase(name, "sec-websocket-extensions") {
                extensions.append(value)
            }
        }
        guard containsToken(upgrade, "websocket") else { return .failure(.missingUpgrade) }
        guard containsToken(connection, "upgrade") else { return .failure(.missingConnectionUpgrade) }
        guard let rawKey = keys.first else { return .failure(.missingKey) }
        let key = rawKey.trimmingOWS()
        guard keys.count == 1, let decoded = Base64.decode(key), decoded.count == 16 else {
            return .failure(.badKey)
        }
        guard !versions.isEmpty else { return .failure(.missingVersion) }
        guard listElements(versions) == ["13"] else { return .failure(.unsupportedVersion) }
        if !options.allowedOrigins.acceptsAnyOrigin {
            guard origins.count <= 1, options.allowedOrigins.allows(origins.first) else {
                return .failure(.originNotAllowed)
            }
        }
        let offered = Set(listElements(protocols))
        let subprotocol = options.subprotocols.first { offered.contains($0) }
        let deflate = options.deflate.flatMap {
            PerMessageDeflate.negotiate(headerValues: extensions, options: $0)
        }
        return .success(HandshakeAccept(acceptKey: acceptKey(for: key), subprotocol: subprotocol, deflate: deflate))
    }

    /// The non-empty, whitespace-trimmed elements of comma-separated header values.
    static func listElements(_ values: [String]) -> [String] {
        var elements: [String] = []
        for value in values {
            for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                let trimmed = String(decoding: element, as: UTF8.self).trimmingOWS()
                if !trimmed.isEmpty { elements.append(trimmed) }
            }
        }
        return elements
    }

    /// Whether a comma-separated list contains `lowercaseToken`, ignoring ASCII case.
    static func containsToken(_ values: [String], _ lowercaseToken: String) -> Bool {
        listElements(values).contains { ASCII.equalsIgnoringCase($0.utf8, lowercaseToken) }
    }
}
