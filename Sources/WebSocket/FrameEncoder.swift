/// Encodes frames (RFC 6455 §5.2) into a single exactly-sized allocation each.
///
/// Server frames are unmasked. The masked variant (pass `maskingKey`) is for test clients and benchmark clients.
public enum FrameEncoder {
    /// The header length in bytes for a payload of `payloadLength` bytes: 2, 4 or 10, plus 4 if masked.
    public static func headerSize(payloadLength: Int, masked: Bool = false) -> Int {
        precondition(payloadLength >= 0, "payload length must not be negative")
        let base: Int
        if payloadLength < 126 {
            base = 2
        } else if payloadLength <= 0xFFFF {
            base = 4
        } else {
            base = 10
        }
        return masked ? base + 4 : base
    }

    /// Encodes one frame.
    /// - Parameters:
    ///   - opcode: the frame's opcode.
    ///   - payload: the payload, unmasked.
    ///   - fin: whether this is the final fragment (default `true`).
    ///   - rsv1: the RSV1 bit; set it on the first frame of a permessage-deflate compressed message.
    ///   - maskingKey: masks the payload with this key (client frames); `nil` (default) for server frames.
    public static func encode(
        opcode: Opcode,
        payload: UnsafeRawBufferPointer,
        fin: Bool = true,
        rsv1: Bool = false,
        maskingKey: (UInt8, UInt8, UInt8, UInt8)? = nil
    ) -> [UInt8] {
        let key = maskingKey.map { MaskingKey($0) }
        let count = payload.count
        let headerLength = headerSize(payloadLength: count, masked: key != nil)
        return [UInt8](unsafeUninitializedCapacity: headerLength + count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            writeHeader(
                into: raw,
                opcode: opcode,
                payloadLength: count,
                fin: fin,
                rsv1: rsv1,
                maskingKey: key
            )
            let body = UnsafeMutableRawBufferPointer(rebasing: raw[headerLength...])
            if count > 0 {
                body.copyMemory(from: payload)
                if let key { Masking.apply(key, to: body) }
            }
            initialized = headerLength + count
        }
    }

    /// Encodes one frame from any collection of bytes. See
    /// ``encode(opcode:payload:fin:rsv1:maskingKey:)-(_,UnsafeRawBufferPointer,_,_,_)``.
    public static func encode(
        opcode: Opcode,
        payload: some Collection<UInt8>,
        fin: Bool = true,
        rsv1: Bool = false,
        maskingKey: (UInt8, UInt8, UInt8, UInt8)? = nil
    ) -> [UInt8] {
        let encoded = payload.withContiguousStorageIfAvailable { buffer in
            encode(
                opcode: opcode,
                payload: UnsafeRawBufferPointer(buffer),
                fin: fin,
                rsv1: rsv1,
                maskingKey: maskingKey
            )
        }
        if let encoded { return encoded }
        return Array(payload).withUnsafeBytes { buffer in
            encode(opcode: opcode, payload: buffer, fin: fin, rsv1: rsv1, maskingKey: maskingKey)
        }
    }

    /// The payload of a close frame: the code in network byte order, then the reason as UTF-8, cut at a character
    /// boundary so that the payload is at most 125 bytes (RFC 6455 §5.5).
    public static func closePayload(code: CloseCode, reason: String) -> [UInt8] {
        var payload: [UInt8] = [
            UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue),
        ]
        var utf8 = Array(reason.utf8)
        if utf8.count > 123 {
            var cut = 123
            // Back up over continuation bytes (10xxxxxx) so that no character is split.
            while cut > 0 && utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
            utf8.removeSubrange(cut...)
        }
        payload.append(contentsOf: utf8)
        return payload
    }

    /// An unmasked close frame with `code` and `reason` (see ``closePayload(code:reason:)``).
    public static func closeFrame(code: CloseCode, reason: String = "") -> [UInt8] {
        encode(opcode: .close, payload: closePayload(code: code, reason: reason))
    }

    /// Writes the frame header at the start of `buffer`, which must hold at least
    /// ``headerSize(payloadLength:masked:)`` bytes.
    static func writeHeader(
        into buffer: UnsafeMutableRawBufferPointer,
        opcode: Opcode,
        payloadLength: Int,
        fin: Bool,
        rsv1: Bool,
        maskingKey: MaskingKey?
    ) {
        buffer[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode.rawValue
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        var position: Int
        if payloadLength < 126 {
            buffer[1] = maskBit | UInt8(payloadLength)
            position = 2
        } else if payloadLength <= 0xFFFF {
            buffer[1] = maskBit | 126
            buffer[2] = UInt8(truncatingIfNeeded: payloadLength >> 8)
            buffer[3] = UInt8(truncatingIfNeeded: payloadLength)
            position = 4
        } else {
            buffer[1] = maskBit | 127
            let length = UInt64(payloadLength)
            for index in 0..<8 {
                buffer[2 + index] = UInt8(truncatingIfNeeded: length >> (56 - 8 * UInt64(index)))
            }
            position = 10
        }
        if let key = maskingKey {
            for index in 0..<4 {
                buffer[position + index] = key[index]
            }
        }
    }
}
