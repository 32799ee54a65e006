import Testing
import WebSocket

@Suite struct HandshakeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    private func request(
        method: String = "GET",
        version: (Int, Int) = (1, 1),
        replacing: [String: String?] = [:],
        adding: [(String, String)] = [],
        options: HandshakeOptions = HandshakeOptions()
    ) -> Result<HandshakeAccept, HandshakeError> {
        var headers: [(name: String, value: String)] = []
        let base: [(String, String)] = [
            ("Host", "server.example.com"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", Self.key),
            ("Sec-WebSocket-Version", "13"),
        ]
        for (name, value) in base {
            if let replacement = replacing[name] {
                if let replacement { headers.append((name, replacement)) }
            } else {
                headers.append((name, value))
            }
        }
        headers += adding.map { (name: $0.0, value: $0.1) }
        return Handshake.evaluate(
            method: method,
            httpVersion: (major: version.0, minor: version.1),
            headers: headers,
            options: options
        )
    }

    private func refusal(_ result: Result<HandshakeAccept, HandshakeError>) -> HandshakeError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    private func accepted(_ result: Result<HandshakeAccept, HandshakeError>) -> HandshakeAccept? {
        if case .success(let accept) = result { return accept }
        return nil
    }

    @Test func rfc6455Section1_3Example() throws {
        #expect(Handshake.acceptKey(for: Self.key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let accept = try #require(accepted(request()))
        #expect(accept.acceptKey == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(accept.subprotocol == nil && accept.deflate == nil)
        let headers = accept.responseHeaders.map { "\($0.name): \($0.value)" }
        #expect(
            headers == [
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]
        )
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let method: String
        let version: (Int, Int)
        let replacing: [String: String?]
        let adding: [(String, String)]
        let status: Int
        let code: String
        var testDescription: String { name }

        init(
            _ name: String,
            method: String = "GET",
            version: (Int, Int) = (1, 1),
            replacing: [String: String?] = [:],
            adding: [(String, String)] = [],
            _ status: Int,
            _ code: String
        ) {
            self.name = name
            self.method = method
            self.version = version
            self.replacing = replacing
            self.adding = adding
            self.status = status
            self.code = code
        }
    }

    static let rejections: [Rejection] = [
        Rejection("POST", method: "POST", 405, "not_get"),
        Rejection("lowercase get", method: "get", 405, "not_get"),
        Rejection("HTTP/1.0", version: (1, 0), 400, "http_version"),
        Rejection("HTTP/0.9", version: (0, 9), 400, "http_version"),
        Rejection("no Upgrade", replacing: ["Upgrade": nil], 400, "missing_upgrade"),
        Rejection("Upgrade: h2c", replacing: ["Upgrade": "h2c"], 400, "missing_upgrade"),
        Rejection("Upgrade: websockets", replacing: ["Upgrade": "websockets"], 400, "missing_upgrade"),
        Rejection("no Connection", replacing: ["Connection": nil], 400, "missing_connection_upgrade"),
        Rejection("Connection: keep-alive", replacing: ["Connection": "keep-alive"], 400, "missing_connection_upgrade"),
        Rejection("Connection: upgrades", replacing: ["Connection": "upgrades"], 400, "missing_connection_upgrade"),
        Rejection("no key", replacing: ["Sec-WebSocket-Key": nil], 400, "missing_key"),
        Rejection("key of 15 bytes", replacing: ["Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAA"], 400, "bad_key"),
        Rejection("key of 17 bytes", replacing: ["Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAAAAA="], 400, "bad_key"),
        Rejection("key not base64", replacing: ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ!="], 400, "bad_key"),
        Rejection("key unpadded", replacing: ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ"], 400, "bad_key"),
        Rejection("two keys", adding: [("Sec-WebSocket-Key", key)], 400, "bad_key"),
        Rejection("no version", replacing: ["Sec-WebSocket-Version": nil], 426, "missing_version"),
        Rejection("version 8", replacing: ["Sec-WebSocket-Version": "8"], 426, "unsupported_version"),
        Rejection("version list", replacing: ["Sec-WebSocket-Version": "13, 8"], 426, "unsupported_version"),
        Rejection("version 013", replacing: ["Sec-WebSocket-Version": "013"], 426, "unsupported_version"),
    ]

    @Test(arguments: rejections)
    func rejects(_ case: Rejection) throws {
        let error = try #require(
            refusal(
                request(
                    method: `case`.method,
                    version: `case`.version,
                    replacing: `case`.replacing,
                    adding: `case`.adding
                )
            )
        )
        #expect(error.status == `case`.status)
        #expect(error.code == `case`.code)
        #expect(!error.message.isEmpty)
        let headers = error.headers.map { "\($0.name): \($0.value)" }
        switch error.status {
        case 405: #expect(headers == ["Allow: GET"])
        case 426: #expect(headers == ["Sec-WebSocket-Version: 13"])
        default: #expect(headers.isEmpty)
        }
    }

    @Test(arguments: [
        [("upgrade", "WebSocket"), ("connection", "keep-alive, Upgrade")],
        [("UPGRADE", "h2c, websocket"), ("CONNECTION", "upgrade")],
        [("Upgrade", "foo"), ("Upgrade", " websocket "), ("Connection", "close"), ("Connection", "Upgrade")],
    ])
    func acceptsTokenListsInAnyCase(headers: [(String, String)]) {
        let result = request(replacing: ["Upgrade": nil, "Connection": nil], adding: headers)
        #expect(accepted(result) != nil)
    }

    @Test func acceptsHTTP2AndKeyWithSurroundingWhitespace() {
        #expect(accepted(request(version: (2, 0))) != nil)
        let padded = accepted(request(replacing: ["Sec-WebSocket-Key": "  \(Self.key)\t"]))
        #expect(padded?.acceptKey == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    // Origins.

    static let allowList = OriginPolicy.allowList(["https://app.example.edu", "http://localhost:8080"])

    @Test(arguments: [
        ("https://app.example.edu", true),
        ("HTTPS://App.Example.EDU", true),
        ("https://app.example.edu:443", true),
        ("http://localhost:8080", true),
        ("https://app.example.edu.evil.example", false),
        ("http://app.example.edu", false),
        ("https://app.example.edu:8443", false),
        ("https://evil.example/https://app.example.edu", false),
        ("https://app.example.edu/", false),
        ("null", false),
        ("", false),
    ])
    func originAllowList(origin: String, allowed: Bool) {
        let options = HandshakeOptions(allowedOrigins: Self.allowList)
        let result = request(adding: [("Origin", origin)], options: options)
        if allowed {
            #expect(accepted(result) != nil)
        } else {
            #expect(refusal(result)?.status == 403)
            #expect(refusal(result)?.code == "origin_not_allowed")
        }
    }

    @Test func missingOriginIsAllowedAndRepeatedOriginIsNot() {
        let options = HandshakeOptions(allowedOrigins: Self.allowList)
        #expect(accepted(request(options: options)) != nil)
        let repeated = request(
            adding: [("Origin", "https://app.example.edu"), ("Origin", "https://app.example.edu")],
            options: options
        )
        #expect(refusal(repeated)?.status == 403)
        // Without an allow-list, anything goes.
        #expect(accepted(request(adding: [("Origin", "https://evil.example")])) != nil)
    }

    // Subprotocols.

    @Test(
        arguments: [
            (["chat.v2", "chat.v1"], "chat.v1, chat.v2", "chat.v2"),
            (["chat.v2", "chat.v1"], "chat.v1", "chat.v1"),
            (["chat.v2"], "other", nil),
            ([], "chat.v1", nil),
            (["chat.v1"], "Chat.V1", nil),
        ] as [([String], String, String?)]
    )
    func subprotocolIsServersFirstChoiceAmongOffered(server: [String], offered: String, chosen: String?) throws {
        let options = HandshakeOptions(subprotocols: server)
        let accept = try #require(accepted(request(adding: [("Sec-WebSocket-Protocol", offered)], options: options)))
        #expect(accept.subprotocol == chosen)
        let header = accept.responseHeaders.first { $0.name == "Sec-WebSocket-Protocol" }
        #expect(header?.value == chosen)
    }

    @Test func subprotocolsAcrossRepeatedHeaders() throws {
        let options = HandshakeOptions(subprotocols: ["b"])
        let accept = try #require(
            accepted(
                request(adding: [("Sec-WebSocket-Protocol", "a"), ("Sec-WebSocket-Protocol", "b")], options: options)
            )
        )
        #expect(accept.subprotocol == "b")
    }

    // Extensions.

    @Test func negotiatesDeflateAndAddsResponseHeader() throws {
        let options = HandshakeOptions(deflate: DeflateOptions())
        let accept = try #require(
            accepted(
                request(
                    adding: [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")],
                    options: options
                )
            )
        )
        #expect(accept.deflate != nil)
        let header = accept.responseHeaders.first { $0.name == "Sec-WebSocket-Extensions" }
        #expect(header?.value == "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
    }

    @Test func deflateDisabledIgnoresOffers() throws {
        let accept = try #require(accepted(request(adding: [("Sec-WebSocket-Extensions", "permessage-deflate")])))
        #expect(accept.deflate == nil)
        #expect(!accept.responseHeaders.contains { $0.name == "Sec-WebSocket-Extensions" })
    }

    @Test func pathologicalExtensionHeaderIsLinear() throws {
        // Not a timed assertion: a sanity check that 8 KB of hostile input is handled. Measured by hand with
        // ContinuousClock in a release build: 8–50 µs per 8 KB header.
        let hostile = [
            String(repeating: "permessage-deflate;", count: 430),
            String(repeating: "a;b=\"\\\\\\\\\\\\\\\\", count: 640),
            String(repeating: ",", count: 8192),
            String(repeating: "permessage-deflate; client_max_window_bits; ", count: 190),
            "permessage-deflate; x=\"" + String(repeating: "\\\"", count: 4000),
            String(repeating: "permessage-deflate; server_max_window_bits=8, ", count: 180),
        ]
        let options = HandshakeOptions(deflate: DeflateOptions())
        for header in hostile {
            #expect(header.utf8.count >= 8000)
            _ = request(adding: [("Sec-WebSocket-Extensions", header)], options: options)
        }
    }
}
