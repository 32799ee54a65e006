/// An incremental decoder of WebSocket frames (RFC 6455 §5.2). Feed it bytes as they arrive, then pull frames.
///
/// Everything that can be checked from a header is checked as soon as the bytes that carry it are in, before any
/// payload is buffered: a reserved opcode or a fragmented control frame fails on the first byte; the mask bit and a
/// control frame longer than 125 bytes on the second; a 64-bit length with the high bit set (1002) or a length
/// above `maxFrameSize` (1009) as soon as the length is complete. Lengths are compared as `UInt64` before any
/// conversion, so no header can trap. Non-minimal length encodings (126 with a 16-bit length below 126, 127 with a
/// 64-bit length below 65536) are accepted: the minimal-encoding rule binds senders, RFC 6455 §5.2 gives receivers
/// no rule for them, and no Autobahn case sends one.
///
/// RSV bits are reported, not checked: whether RSV1 is legal depends on the negotiated extensions, which the
/// connection knows (``WebSocketConnection``).
///
/// Two ways to pull: ``next()`` returns whole frames; ``nextPart()`` streams each frame as header, payload chunks and
/// end, so a consumer can act on payload bytes before the frame is complete (the connection validates UTF-8 that
/// way). Use one or the other on a given decoder.
///
/// Memory: the decoder keeps only bytes it has not yet handed out. In streaming mode that is at most a partial
/// header; the input buffer is released whenever it has been fully consumed.
public struct FrameDecoder: Sendable {
    /// The largest payload accepted in one frame.
    public let maxFrameSize: Int
    /// Whether frames must be masked (a server decoding client frames, the default) or must not be (a client).
    public let expectsMaskedFrames: Bool

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var phase = Phase.header
    private var current = FrameHeader(fin: true, opcode: .continuation, payloadLength: 0)
    private var remaining = 0
    private var keyOffset = 0
    private var failure: WebSocketError?
    private var assembly: [UInt8] = []

    private enum Phase: Sendable {
        case header
        case payload
        case end
    }

    /// Creates a decoder.
    /// - Parameters:
    ///   - maxFrameSize: the largest payload length accepted; longer frames fail with ``WebSocketError/frameTooBig``
    ///     (1009) from the header alone. Default 64 KiB.
    ///   - expectsMaskedFrames: `true` (default) for a server: unmasked frames fail with 1002. `false` for a client:
    ///     masked frames fail with 1002.
    public init(maxFrameSize: Int = 64 * 1024, expectsMaskedFrames: Bool = true) {
        precondition(maxFrameSize >= 0, "maxFrameSize must not be negative")
        self.maxFrameSize = maxFrameSize
        self.expectsMaskedFrames = expectsMaskedFrames
    }

    /// Whether the decoder holds no unconsumed bytes and is between frames.
    public var isIdle: Bool {
        phase == .header && readIndex == buffer.count
    }

    /// The number of received bytes held but not yet handed out.
    public var bufferedByteCount: Int {
        buffer.count - readIndex + assembly.count
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, failure == nil else { return }
        compact()
        if buffer.isEmpty {
            buffer = bytes
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Returns the next complete frame with its payload unmasked, or `nil` if more bytes are needed.
    ///
    /// Throws as soon as the input is invalid; once it has thrown, the decoder keeps throwing the same error.
    public mutating func next() throws(WebSocketError) -> Frame? {
        while let part = try nextPart() {
            switch part {
            case .header:
                assembly = []
            case .payload(let chunk):
                if assembly.isEmpty { assembly.reserveCapacity(current.payloadLength) }
                assembly.append(contentsOf: chunk)
            case .end:
                let payload = assembly
                assembly = []
                var header = current
                header.payloadLength = payload.count
                return Frame(header: header, payload: payload)
            }
        }
        return nil
    }

    /// Returns the next piece of the current frame, or `nil` if more bytes are needed.
    ///
    /// Payload chunks are slices of the decoder's buffer; consume each before asking for the next part (holding on
    /// is safe but makes the decoder copy its buffer). Throws as soon as the input is invalid; once it has thrown,
    /// the decoder keeps throwing the same error.
    public mutating func nextPart() throws(WebSocketError) -> FramePart? {
        if let failure { throw failure }
        switch phase {
        case .header:
            let header: FrameHeader?
            do {
                header = try parseHeader()
            } catch {
                failure = error
                buffer = []
                readIndex = 0
                throw error
            }
            guard let header else { return nil }
            current = header
            remaining = header.payloadLength
            keyOffset = 0
            phase = remaining == 0 ? .end : .payload
            return .header(header)
        case .payload:
            let available = buffer.count - readIndex
            guard available > 0 else { return nil }
            let count = min(available, remaining)
            let range = readIndex..<(readIndex + count)
            if let key = current.maskingKey {
                keyOffset = buffer.withUnsafeMutableBytes { raw in
                    Masking.apply(key, offset: keyOffset, to: UnsafeMutableRawBufferPointer(rebasing: raw[range]))
                }
            }
            let chunk = buffer[range]
            readIndex += count
            remaining -= count
            if remaining == 0 { phase = .end }
            if readIndex == buffer.count {
                // The slice keeps the storage alive for the caller; the decoder lets go of it now.
                buffer = []
                readIndex = 0
            }
            return .payload(chunk)
        case .end:
            phase = .header
            return .end
        }
    }

    /// Drops consumed bytes from the front of the buffer (at most a partial header remains in streaming mode).
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer = []
            readIndex = 0
        } else if readIndex > 0 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Parses and validates a header if enough bytes are buffered, consuming them; `nil` if more are needed.
    private mutating func parseHeader() throws(WebSocketError) -> FrameHeader? {
        let available = buffer.count - readIndex
        guard available >= 1 else { return nil }
        let first = buffer[readIndex]
        let fin = first & 0x80 != 0
        let opcode = Opcode(uncheckedRawValue: first)
        if opcode.isReserved { throw .reservedOpcode(opcode.rawValue) }
        // RFC 6455 §5.5: control frames must not be fragmented.
        if opcode.isControl && !fin { throw .fragmentedControlFrame }
        guard available >= 2 else { return nil }
        let second = buffer[readIndex + 1]
        let masked = second & 0x80 != 0
        if masked != expectsMaskedFrames { throw masked ? .maskedFrame : .unmaskedFrame }
        let shortLength = second & 0x7F
        // RFC 6455 §5.5: control frame payloads are at most 125 bytes, so they always use the 7-bit length.
        if opcode.isControl && shortLength > 125 { throw .controlFrameTooLong }
        var position = readIndex + 2
        let length: UInt64
        switch shortLength {
        case 126:
            guard available >= 4 else { return nil }
            length = UInt64(buffer[position]) << 8 | UInt64(buffer[position + 1])
            position += 2
        case 127:
            guard available >= 10 else { return nil }
            var value: UInt64 = 0
            for index in position..<(position + 8) {
                value = value << 8 | UInt64(buffer[index])
            }
            // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
            if value & (1 << 63) != 0 { throw .invalidPayloadLength }
            length = value
            position += 8
        default:
            length = UInt64(shortLength)
        }
        // Compared as UInt64 so that the conversion below cannot trap (cf. swift-nio #3603).
        if length > UInt64(maxFrameSize) { throw .frameTooBig }
        var key: MaskingKey?
        if masked {
            guard buffer.count - position >= 4 else { return nil }
            key = MaskingKey(buffer[position], buffer[position + 1], buffer[position + 2], buffer[position + 3])
            position += 4
        }
        readIndex = position
        return FrameHeader(
            fin: fin,
            rsv1: first & 0x40 != 0,
            rsv2: first & 0x20 != 0,
            rsv3: first & 0x10 != 0,
            opcode: opcode,
            payloadLength: Int(length),
            maskingKey: key
        )
    }
}
