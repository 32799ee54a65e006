/// Something the owner of a ``WebSocketConnection`` must act on, in the order produced.
public enum WebSocketEvent: Hashable, Sendable {
    /// A complete text message: reassembled, decompressed and validated as UTF-8.
    case text([UInt8])
    /// A complete binary message: reassembled and decompressed.
    case binary([UInt8])
    /// The peer sent a ping. Informational: the pong reply is the ``write(_:)`` event immediately before this one.
    case ping([UInt8])
    /// The peer sent a pong (solicited or not); a good moment to reset a keep-alive timer.
    case pong([UInt8])
    /// Bytes to write to the peer, in order with other writes: pong replies, the close reply, the close frame that
    /// fails the connection.
    case write([UInt8])
    /// The connection is finished: the close handshake completed, or the connection failed (in which case the close
    /// frame carrying `code` is the ``write(_:)`` event just before). Flush pending writes, then close the TCP
    /// connection. `code` is the peer's code when the peer closed (`nil` if its close frame had no code), or the
    /// code sent when this side failed the connection. No events follow.
    case closed(code: CloseCode?, reason: String)
}
