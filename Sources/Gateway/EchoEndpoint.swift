import HTTP
import WebSocket

/// `/echo`: sends every message back unchanged. Enabled only by `yizhan serve --echo`, for the Autobahn
/// conformance suite and benchmarks.
///
/// Its limits are raised to what Autobahn's section 9 needs (16 MiB messages, bulk traffic), like the echo servers
/// of uWebSockets and Hummingbird; the production endpoints keep the small defaults.
struct EchoEndpoint: WebSocketEndpoint {
    var configuration: WebSocketConfiguration
    var subprotocols: [String] { [] }
    var maxOutboundBytes: Int? { 128 << 20 }

    init(compressionThreshold: Int) {
        configuration = WebSocketConfiguration()
        configuration.maxFrameSize = 64 << 20
        configuration.maxMessageSize = 64 << 20
        configuration.maxFragmentsPerMessage = 1 << 20
        configuration.compressionThreshold = compressionThreshold
    }

    func makeSession(for request: HTTPRequest) throws(HTTPError) -> any WebSocketSession {
        EchoSession()
    }
}

private final class EchoSession: WebSocketSession {
    func opened(_ channel: WebSocketChannel) {}

    func received(_ message: WebSocketMessage, on channel: WebSocketChannel) {
        switch message {
        case .text(let payload): channel.send(text: payload)
        case .binary(let payload): channel.send(binary: payload)
        }
    }

    func closed(_ channel: WebSocketChannel, code: CloseCode?) {}
}
