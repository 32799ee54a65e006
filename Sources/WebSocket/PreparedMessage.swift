/// A message encoded once for fan-out to many connections: an uncompressed frame and, if worthwhile, a compressed
/// one, each shareable byte-for-byte between connections.
///
/// Sharing is possible because the server always negotiates `server_no_context_takeover`: a compressed message
/// does not depend on what was sent before on any connection. Wrap each frame once (for example in the
/// transport's shared byte buffer) and pick per connection with ``usesCompressedFrame(for:)``.
public struct PreparedMessage: Sendable {
    /// The message opcode, text or binary.
    public let opcode: Opcode
    /// The frame without compression, for connections that did not negotiate deflate.
    public let uncompressedFrame: [UInt8]
    /// The RSV1 frame with the compressed payload, or `nil` if no deflater was given, the payload was below the
    /// threshold, or compression did not make it smaller.
    public let compressedFrame: [UInt8]?
    /// The window of the deflater that produced ``compressedFrame``.
    public let compressionWindowBits: Int

    /// Encodes `payload`; compresses it with `deflater` when it is at least `compressionThreshold` bytes (default
    /// 256, as ``WebSocketConfiguration/compressionThreshold``).
    public init(
        opcode: Opcode,
        payload: some Collection<UInt8>,
        deflater: Deflater?,
        compressionThreshold: Int = 256
    ) {
        precondition(opcode == .text || opcode == .binary, "messages are text or binary")
        self.opcode = opcode
        self.uncompressedFrame = FrameEncoder.encode(opcode: opcode, payload: payload)
        self.compressionWindowBits = deflater?.windowBits ?? 15
        if let deflater, payload.count >= compressionThreshold {
            let compressed = deflater.compress(payload)
            compressedFrame =
                compressed.count < payload.count
                ? FrameEncoder.encode(opcode: opcode, payload: compressed, rsv1: true) : nil
        } else {
            compressedFrame = nil
        }
    }

    /// Whether `connection` should be sent ``compressedFrame`` rather than ``uncompressedFrame``.
    public func usesCompressedFrame(for connection: WebSocketConnection) -> Bool {
        compressedFrame != nil && connection.acceptsCompressedFrames(windowBits: compressionWindowBits)
    }

    /// The frame to send on `connection`.
    public func frame(for connection: WebSocketConnection) -> [UInt8] {
        usesCompressedFrame(for: connection) ? compressedFrame! : uncompressedFrame
    }
}
