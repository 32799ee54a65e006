extension WebSocketConnection {
    /// Encodes one outgoing message as a single unmasked frame.
    ///
    /// The message is compressed (RSV1 set) when deflate was negotiated, a `deflater` is given whose window fits the
    /// connection's agreed `server_max_window_bits`, the payload is at least
    /// ``WebSocketConfiguration/compressionThreshold`` bytes, and compression actually makes it smaller.
    /// Otherwise it goes out as is. The caller must not send messages once a close frame has been sent.
    public func encodeMessage(opcode: Opcode, payload: some Collection<UInt8>, deflater: Deflater?) -> [UInt8] {
        precondition(opcode == .text || opcode == .binary, "messages are text or binary")
        if let deflater, payload.count >= configuration.compressionThreshold,
            acceptsCompressedFrames(windowBits: deflater.windowBits)
        {
            let compressed = deflater.compress(payload)
            if compressed.count < payload.count {
                return FrameEncoder.encode(opcode: opcode, payload: compressed, rsv1: true)
            }
        }
        return FrameEncoder.encode(opcode: opcode, payload: payload)
    }

    /// A ping frame carrying `payload` (at most 125 bytes, RFC 6455 §5.5).
    public func ping(_ payload: [UInt8] = []) -> [UInt8] {
        precondition(payload.count <= 125, "control frame payloads are at most 125 bytes")
        return FrameEncoder.encode(opcode: .ping, payload: payload)
    }

    /// Whether compressed frames from a ``Deflater`` with this window may be sent here: deflate was negotiated and
    /// the window is no larger than the agreed `server_max_window_bits`.
    public func acceptsCompressedFrames(windowBits: Int) -> Bool {
        guard let deflate else { return false }
        return windowBits <= deflate.serverMaxWindowBits
    }
}
