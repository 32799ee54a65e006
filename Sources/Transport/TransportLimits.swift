/// Limits enforced by the transport. Defaults are for production; tests and the echo endpoint raise some.
public struct TransportLimits: Sendable {
    /// Unwritten bytes a connection may have queued before its handler is told it overflows (then, for WebSocket,
    /// the client is disconnected). Default 1 MiB: ~5,000 typical chat frames, several seconds of a busy class
    /// group, while 20,000 stuck clients could hold at most 20 GiB only if all of them stalled at once — the
    /// cap is per connection, the process limit is the connection count.
    public var maxOutboundBytes: Int = 1 << 20
    /// Seconds a closing connection may take to drain output and receive the peer's FIN. Default 2 s.
    public var lingerTimeout: Double = 2
    /// Maximum open connections in the process. Default 19,000: the hard open-file limit here is 20,000 and the
    /// store, logs and listeners need some descriptors.
    public var maxConnections: Int = 19_000
    /// Maximum open connections from one IP address. Default 2,000: a campus NAT can put many students behind
    /// one address; per-user limits live in the hub.
    public var maxConnectionsPerIP: Int = 2_000
    /// Peers exempt from `maxConnectionsPerIP`: trusted reverse proxies, whose connections carry many clients
    /// (the gateway then limits by the forwarded client address).
    public var perIPExempt: [IPNetwork] = []
    /// `listen` backlog.
    public var backlog: Int32 = 4096

    public init() {}
}
