/// The fixed part of a frame (RFC 6455 §5.2): everything but the payload.
public struct FrameHeader: Hashable, Sendable {
    /// Whether this is the final fragment of a message.
    public var fin: Bool
    /// RSV1; with permessage-deflate, set on the first frame of a compressed message (RFC 7692 §6).
    public var rsv1: Bool
    /// RSV2; no extension supported here defines it.
    public var rsv2: Bool
    /// RSV3; no extension supported here defines it.
    public var rsv3: Bool
    /// The frame's opcode.
    public var opcode: Opcode
    /// The payload length. Never negative, never above the decoder's frame limit.
    public var payloadLength: Int
    /// The masking key, present on client frames.
    public var maskingKey: MaskingKey?

    /// Creates a header.
    public init(
        fin: Bool,
        rsv1: Bool = false,
        rsv2: Bool = false,
        rsv3: Bool = false,
        opcode: Opcode,
        payloadLength: Int,
        maskingKey: MaskingKey? = nil
    ) {
        self.fin = fin
        self.rsv1 = rsv1
        self.rsv2 = rsv2
        self.rsv3 = rsv3
        self.opcode = opcode
        self.payloadLength = payloadLength
        self.maskingKey = maskingKey
    }
}

/// A complete frame with its payload already unmasked.
public struct Frame: Hashable, Sendable {
    /// The frame's header; `payloadLength` equals `payload.count`.
    public var header: FrameHeader
    /// The unmasked payload.
    public var payload: [UInt8]

    /// Creates a frame.
    public init(header: FrameHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// Whether this is the final fragment of a message.
    public var fin: Bool { header.fin }
    /// The frame's opcode.
    public var opcode: Opcode { header.opcode }
}

/// One step of a frame as ``FrameDecoder/nextPart()`` yields it: the header as soon as it is complete, then the
/// payload in unmasked chunks as the bytes arrive, then the end of the frame.
public enum FramePart: Hashable, Sendable {
    /// The header, validated; nothing of the payload has been buffered yet.
    case header(FrameHeader)
    /// The next unmasked payload bytes (never empty).
    case payload(ArraySlice<UInt8>)
    /// The frame is complete. Follows the header directly for an empty payload.
    case end
}
