/// Limits and compression settings for ``WebSocketConnection``.
public struct WebSocketConfiguration: Hashable, Sendable {
    /// The largest frame payload accepted, checked from the header before any payload is buffered; larger frames
    /// fail with 1009. Default 64 KiB.
    public var maxFrameSize: Int
    /// The largest message accepted, after reassembly and, for compressed messages, after decompression; larger
    /// messages fail with 1009 as soon as the excess is seen. Default 64 KiB.
    public var maxMessageSize: Int
    /// The most frames one message may be split into; more fail with 1009. Bounds the work an attacker can cause
    /// with empty continuation frames. Default 1024.
    public var maxFragmentsPerMessage: Int
    /// permessage-deflate settings, or `nil` to disable the extension. Pass the same value in
    /// ``HandshakeOptions/deflate``.
    public var deflate: DeflateOptions?
    /// Outgoing payloads smaller than this are sent uncompressed even when deflate is negotiated: below a few hundred
    /// bytes deflate rarely pays for its CPU time. Default 256 bytes.
    public var compressionThreshold: Int

    /// Creates a configuration; every parameter has the documented default.
    public init(
        maxFrameSize: Int = 64 * 1024,
        maxMessageSize: Int = 64 * 1024,
        maxFragmentsPerMessage: Int = 1024,
        deflate: DeflateOptions? = nil,
        compressionThreshold: Int = 256
    ) {
        precondition(maxFrameSize >= 125, "maxFrameSize must allow control frames (125 bytes)")
        precondition(maxMessageSize >= 0, "maxMessageSize must not be negative")
        precondition(maxFragmentsPerMessage >= 1, "maxFragmentsPerMessage must be at least 1")
        precondition(compressionThreshold >= 0, "compressionThreshold must not be negative")
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.maxFragmentsPerMessage = maxFragmentsPerMessage
        self.deflate = deflate
        self.compressionThreshold = compressionThreshold
    }
}
