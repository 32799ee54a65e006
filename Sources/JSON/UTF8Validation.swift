/// Well-formedness rules for UTF-8 (Unicode section 3.9, table 3-7).
///
/// The standard library's `String(validating:as:)` would do, but it is generic and not specialized for callers
/// outside the standard library, so it costs runtime metadata lookups on every string; this is a plain loop.
public enum UTF8Validation {
    /// The offset of the first byte that starts an ill-formed or truncated sequence, or `nil` if `bytes` is
    /// well-formed UTF-8.
    public static func firstInvalidOffset(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            // ASCII dominates even in Chinese text (keys, punctuation, digits); skip it eight bytes at a time.
            while index + 8 <= count
                && bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { return nil }
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(in: bytes, at: index) else { return index }
            index += length
        }
        return nil
    }

    /// The length of the well-formed sequence starting at `index`, or `nil` if it is ill-formed or truncated.
    /// Rejects overlong forms, encoded surrogates (U+D800 to U+DFFF) and code points above U+10FFFF.
    static func sequenceLength(in bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let lead = bytes[index]
        // The allowed range of the second byte depends on the lead byte; later bytes are always 0x80...0xBF.
        let length: Int
        let second: ClosedRange<UInt8>
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
        for offset in index + 2..<index + length where bytes[offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }
}
