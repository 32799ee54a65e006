/// Server-side settings for the permessage-deflate extension (RFC 7692).
public struct DeflateOptions: Hashable, Sendable {
    /// The largest LZ77 window (base-2 logarithm, 8–15) the server lets a client compress with, when the client's
    /// offer carries `client_max_window_bits` (without it, RFC 7692 §7.1.2.2 forbids answering with one and the
    /// client may use 15). Each connection's inflater allocates `1 << clientMaxWindowBits` bytes of window while it
    /// holds compression state. Default 15 (32 KiB), what browsers expect.
    public let clientMaxWindowBits: Int
    /// The LZ77 window (base-2 logarithm, 9–15) the server's ``Deflater``s are created with. When a client offers
    /// `server_max_window_bits=N`, the answer is `min(N, serverMaxWindowBits)`; a ``Deflater`` with a larger window
    /// than a connection agreed to is not used for that connection (its messages go out uncompressed). Default 15.
    public let serverMaxWindowBits: Int
    /// Whether to answer every accepted offer with `client_no_context_takeover`, which RFC 7692 §7.1.1.2 lets a
    /// server do even if the client did not offer it. The client then compresses each message independently and
    /// the server frees its inflater after every compressed message, so an idle connection holds no zlib state
    /// (about 7 KiB plus the window, 32 KiB at 15 bits, otherwise). Costs compression ratio on client-to-server
    /// traffic. Default `true`. When `false`, an offered `client_no_context_takeover` is still echoed.
    public let requestClientNoContextTakeover: Bool

    /// Creates options; the defaults suit browsers and ~20,000 idle connections per process.
    public init(
        clientMaxWindowBits: Int = 15,
        serverMaxWindowBits: Int = 15,
        requestClientNoContextTakeover: Bool = true
    ) {
        precondition((8...15).contains(clientMaxWindowBits), "clientMaxWindowBits must be 8...15")
        precondition((9...15).contains(serverMaxWindowBits), "serverMaxWindowBits must be 9...15 (zlib cannot use 8)")
        self.clientMaxWindowBits = clientMaxWindowBits
        self.serverMaxWindowBits = serverMaxWindowBits
        self.requestClientNoContextTakeover = requestClientNoContextTakeover
    }
}

/// The permessage-deflate parameters agreed for one connection.
public struct NegotiatedDeflate: Hashable, Sendable {
    /// Always `true`: the server compresses every message independently (RFC 7692 §7.1.1.1 lets it say so even if
    /// the client did not ask), so it keeps no per-connection compressor and can share one compressed frame among
    /// many connections.
    public let serverNoContextTakeover: Bool
    /// Whether the client compresses every message independently; the inflater is then released after each
    /// message.
    public let clientNoContextTakeover: Bool
    /// The largest window (bits) the server may compress with on this connection.
    public let serverMaxWindowBits: Int
    /// The window (bits) the server inflates client messages with: the most the client may use.
    public let clientMaxWindowBits: Int
    /// Whether the response names `server_max_window_bits` (required when the offer did, RFC 7692 §7.1.2.1).
    public let announcesServerMaxWindowBits: Bool

    /// Creates a negotiated configuration directly (for tests and clients of the state machine).
    public init(
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int = 15,
        clientMaxWindowBits: Int = 15,
        announcesServerMaxWindowBits: Bool = false
    ) {
        precondition((9...15).contains(serverMaxWindowBits), "serverMaxWindowBits must be 9...15")
        precondition((8...15).contains(clientMaxWindowBits), "clientMaxWindowBits must be 8...15")
        self.serverNoContextTakeover = true
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.announcesServerMaxWindowBits = announcesServerMaxWindowBits || serverMaxWindowBits < 15
    }

    /// The `Sec-WebSocket-Extensions` value for the 101 response, such as
    /// `permessage-deflate; server_no_context_takeover; client_no_context_takeover`.
    public var responseHeaderValue: String {
        var value = PerMessageDeflate.extensionName + "; server_no_context_takeover"
        if clientNoContextTakeover { value += "; client_no_context_takeover" }
        if announcesServerMaxWindowBits { value += "; server_max_window_bits=\(serverMaxWindowBits)" }
        // RFC 7692 §7.1.2.2: only ever present when the offer named client_max_window_bits; negotiate() keeps the
        // default 15 unless it did.
        if clientMaxWindowBits < 15 { value += "; client_max_window_bits=\(clientMaxWindowBits)" }
        return value
    }
}

/// Negotiation of the permessage-deflate extension (RFC 7692 §5, §7.1).
public enum PerMessageDeflate {
    /// The registered extension name.
    public static let extensionName = "permessage-deflate"

    /// Chooses the first acceptable permessage-deflate offer among the client's `Sec-WebSocket-Extensions` header
    /// values, or `nil` if there is none (not an error: the connection proceeds uncompressed).
    ///
    /// An offer is declined, and the next one tried, when it has an unknown parameter, a repeated parameter, a value
    /// on `server_no_context_takeover` or `client_no_context_takeover`, `server_max_window_bits` without a value,
    /// or a window size other than `8`…`15` written without leading zeros (quoted forms such as `"10"` are
    /// accepted, RFC 6455 §9.1).
    ///
    /// It is also declined when it asks for `server_max_window_bits=8`: zlib cannot produce a raw deflate stream
    /// with a 256-byte window (`deflateInit2` rejects -8; older versions silently used 9, which can emit distances
    /// an 8-bit inflater rejects; madler/zlib#171). python-websockets declines the same offers (#1768). An 8-bit
    /// `client_max_window_bits` is fine: zlib inflates with any window from 8 to 15.
    ///
    /// The answer always includes `server_no_context_takeover`; see ``DeflateOptions`` for the rest.
    public static func negotiate(headerValues: some Sequence<String>, options: DeflateOptions) -> NegotiatedDeflate? {
        var result: NegotiatedDeflate?
        for value in headerValues {
            var value = value
            let stopped = value.withUTF8 { bytes in
                !ExtensionHeader.scan(bytes) { name, parameters in
                    guard ASCII.equalsIgnoringCase(bytes[name], extensionName) else { return true }
                    result = accept(
                        parameters.lazy.map { parameter in
                            (
                                Parameter(bytes[parameter.name]),
                                parameter.value.map { ExtensionHeader.unquoted(bytes[$0]) }
                            )
                        },
                        options: options
                    )
                    return result == nil
                }
            }
            if stopped { break }
        }
        return result
    }

    /// Chooses the first acceptable permessage-deflate offer among already parsed offers. See
    /// ``negotiate(headerValues:options:)``.
    public static func negotiate(offers: [ExtensionOffer], options: DeflateOptions) -> NegotiatedDeflate? {
        for offer in offers where ASCII.equalsIgnoringCase(offer.name.utf8, extensionName) {
            let parameters = offer.parameters.lazy.map { (Parameter($0.name.utf8), $0.value) }
            if let agreed = accept(parameters, options: options) { return agreed }
        }
        return nil
    }

    /// The parameters RFC 7692 §7.1 defines; anything else declines the offer.
    private enum Parameter {
        case serverNoContextTakeover
        case clientNoContextTakeover
        case serverMaxWindowBits
        case clientMaxWindowBits
        case unknown

        init(_ name: some Collection<UInt8>) {
            if ASCII.equalsIgnoringCase(name, "server_no_context_takeover") {
                self = .serverNoContextTakeover
            } else if ASCII.equalsIgnoringCase(name, "client_no_context_takeover") {
                self = .clientNoContextTakeover
            } else if ASCII.equalsIgnoringCase(name, "server_max_window_bits") {
                self = .serverMaxWindowBits
            } else if ASCII.equalsIgnoringCase(name, "client_max_window_bits") {
                self = .clientMaxWindowBits
            } else {
                self = .unknown
            }
        }
    }

    /// The agreement for one offer, or `nil` to decline it.
    private static func accept(
        _ parameters: some Sequence<(Parameter, String?)>,
        options: DeflateOptions
    ) -> NegotiatedDeflate? {
        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int?
        var clientMaxWindowBits: Int??
        for (name, value) in parameters {
            switch name {
            case .serverNoContextTakeover:
                guard !serverNoContextTakeover, value == nil else { return nil }
                serverNoContextTakeover = true
            case .clientNoContextTakeover:
                guard !clientNoContextTakeover, value == nil else { return nil }
                clientNoContextTakeover = true
            case .serverMaxWindowBits:
                // 8 is declined: see the discussion above.
                guard serverMaxWindowBits == nil, let value, let bits = windowBits(value), bits >= 9 else { return nil }
                serverMaxWindowBits = bits
            case .clientMaxWindowBits:
                guard clientMaxWindowBits == nil else { return nil }
                if let value {
                    guard let bits = windowBits(value) else { return nil }
                    clientMaxWindowBits = .some(bits)
                } else {
                    clientMaxWindowBits = .some(nil)
                }
            case .unknown:
                return nil
            }
        }
        // §7.1.2.2: answer with client_max_window_bits only if the offer named it; its value (if any) caps ours.
        var clientBits = 15
        if let offered = clientMaxWindowBits {
            clientBits = min(offered ?? 15, options.clientMaxWindowBits)
        }
        // §7.1.2.1: an offered server_max_window_bits must be answered with the same or a smaller value. Without
        // one the client accepts any window up to 15, and ours is at most that, so nothing needs saying.
        var serverBits = 15
        if let offered = serverMaxWindowBits {
            serverBits = min(offered, options.serverMaxWindowBits)
        }
        return NegotiatedDeflate(
            clientNoContextTakeover: clientNoContextTakeover || options.requestClientNoContextTakeover,
            serverMaxWindowBits: serverBits,
            clientMaxWindowBits: clientBits,
            announcesServerMaxWindowBits: serverMaxWindowBits != nil
        )
    }

    /// `8`…`15` without leading zeros (RFC 7692 §7.1.2.1), or `nil`.
    private static func windowBits(_ value: String) -> Int? {
        switch value {
        case "8": return 8
        case "9": return 9
        case "10": return 10
        case "11": return 11
        case "12": return 12
        case "13": return 13
        case "14": return 14
        case "15": return 15
        default: return nil
        }
    }
}
