import HTTP
import Hub
import Logging
import Store
import Transport
import WebSocket

/// Everything `yizhan serve` can be told, with production defaults. Set from `yizhan.toml` and flags through
/// ``Settings``; the README's configuration table lists the same keys.
public struct ServerConfiguration: Sendable {
    // MARK: Server
    /// Address to bind. Default `127.0.0.1`: put a reverse proxy in front, or bind `0.0.0.0` deliberately.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port: UInt16 = 8080
    /// Directory for the database and uploads.
    public var dataDirectory = "./data"
    /// Event loops (threads serving sockets). Default: one per core.
    public var eventLoops = 0
    /// Serve the `/echo` WebSocket endpoint (conformance and benchmarks only).
    public var echo = false
    /// PEM certificate chain and private key; both set → `wss://` and `https://` on the same port.
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var logLevel: Logger.Level = .info

    // MARK: Limits and timeouts
    public var transport = TransportLimits()
    public var http = HTTPLimits()
    /// Seconds a client has to send a complete request head, counted from the connection's start or from the
    /// first byte of the next request on a kept-alive connection. An absolute deadline, not an idle timer, so a
    /// client dripping one byte at a time (slowloris) is cut off too. Covers the TLS handshake. Default 10 s.
    public var requestHeadTimeout = 10.0
    /// Seconds a kept-alive HTTP connection may wait for its next request. Default 30 s.
    public var keepAliveTimeout = 30.0
    /// Seconds a request body may take to arrive once the head is in. Default 60 s.
    public var requestBodyTimeout = 60.0
    public var webSocket = WebSocketConfiguration()
    /// Seconds between server pings on an otherwise quiet WebSocket. Default 30 s: below common NAT and proxy
    /// idle timeouts (60 s), cheap for 20,000 connections (~700 pings/s).
    public var pingInterval = 30.0
    /// Seconds to wait for any frame after a ping before the connection is considered dead. Default 20 s.
    public var pongTimeout = 20.0
    /// Seconds to wait for the peer's close frame after ours. Default 5 s.
    public var closeTimeout = 5.0
    /// Browser origins allowed to open WebSockets (exact `scheme://host[:port]`); empty = any origin.
    public var allowedOrigins: [String] = []
    /// Offer permessage-deflate (RFC 7692). Default on; compression applies to messages of at least
    /// `webSocket.compressionThreshold` bytes.
    public var deflate = true
    /// Reverse proxies whose `X-Forwarded-For` is believed (the client address for per-IP limits and logs).
    /// Connections from them are exempt from the transport's per-IP cap; WebSockets are counted per forwarded
    /// client instead. Empty (default): the TCP peer is the client.
    public var trustedProxies: [IPNetwork] = [] {
        didSet { transport.perIPExempt = trustedProxies }
    }
    /// WebSocket handshakes per client IP. Default 1,200 a minute with bursts of 600, so a campus NAT whose
    /// students all reconnect after a Wi-Fi outage gets through within seconds, spread by `Retry-After`.
    public var handshakesPerIP: RateLimit = .perMinute(1_200, burst: 600)
    /// HTTP requests (other than WebSocket handshakes and health checks) per client IP. Default 6,000 a minute
    /// with bursts of 1,000.
    public var requestsPerIP: RateLimit = .perMinute(6_000, burst: 1_000)
    /// WebSocket requests per hub connection, whatever they are (a flood of `sync` or `history` costs the hub as
    /// much as one of sends): past it a request is answered `rate_limited`; a connection that keeps sending through
    /// its whole burst of refusals is closed with 4429.
    public var requestsPerConnection: RateLimit = .perMinute(3_000, burst: 200)
    /// MiB each user may upload: 1 GiB an hour, 2 GiB at once (`UploadQuota`).
    public var uploadMiBPerUser = RateLimit(perSecond: 1_024 / 3_600, burst: 2_048)
    /// Seconds graceful shutdown waits for connections to finish after sending close 1001. Default 5 s.
    public var shutdownTimeout = 5.0

    // MARK: Operations
    /// Bearer token for `GET /metrics` on the main listener; nil = no metrics there.
    public var opsToken: String?
    /// `host:port` of a second listener serving `/healthz`, `/readyz` and `/metrics` without authentication (bind it
    /// to an address only operators reach); nil = none.
    public var opsListen: String?

    // MARK: Hub
    /// HS256 token secret (at least 32 bytes). Default: `secret.key` in the data directory, created on first start.
    public var authSecret: String?
    /// What an acknowledged message survives: `process` crashes (default) or `power` loss (fsync every commit).
    public var durability: Durability = .process
    public var hub = HubConfiguration()
    /// The hub's wall clock in milliseconds; nil: the system's. Tests move time forward to reach deadlines.
    public var clock: (@Sendable () -> Int64)?

    // MARK: News
    /// Where the unread of important articles go after the follow-up (the school's SMS/mail platform); nil = none.
    public var newsWebhookURL: String?
    /// HMAC-SHA256 key of the webhook signature (`X-Yizhan-Signature`).
    public var newsWebhookSecret: String?
    /// Seconds one feed fetch may take, connect to last byte.
    public var newsFeedTimeout = 20.0
    /// Seconds between checks for due feeds; 0 = no automatic polling (tests poll by hand).
    public var newsFeedCheckInterval = 30.0
    /// PEM bundle to trust for HTTPS feeds and webhooks instead of the system's (tests, private CAs).
    public var outboundCAFile: String?

    // MARK: Files
    /// Largest upload to `POST /v1/files`, in bytes (413 beyond it). Default 100 MiB: a lecture recording or a
    /// scanned handbook. Uploads stream to disk, so the limit bounds disk use, not memory.
    public var maxUploadBytes = 100 << 20

    public init() {}

    /// Loops to start.
    public var resolvedEventLoops: Int {
        eventLoops > 0 ? eventLoops : EventLoopGroup.defaultLoopCount
    }
}
