/// Byte classes and helpers for parsing HTTP on raw bytes (RFC 9110 §5.6, RFC 5234 appendix B).
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let percent: UInt8 = 0x25

    // Bit n of tokenLow (n < 64) / tokenHigh (n - 64) is set when byte n is a tchar (RFC 9110 §5.6.2):
    // "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// Whether `byte` may appear in a token (method, field name, transfer coding).
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        if byte < 64 { return (tokenLow &>> UInt64(byte)) & 1 != 0 }
        if byte < 128 { return (tokenHigh &>> UInt64(byte &- 64)) & 1 != 0 }
        return false
    }

    /// Whether `byte` may appear in a field value: VCHAR, SP, HTAB or obs-text. Rejects NUL, the other controls and
    /// DEL (RFC 9110 §5.5 lets a recipient reject them; we do, so nothing downstream ever sees a control byte).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == htab || (byte >= 0x20 && byte != 0x7F)
    }

    // SWAR ("SIMD within a register") tests on 8 bytes at once; see "Bit Twiddling Hacks", haszero/hasless.
    // Each is exact about whether some byte qualifies, which is all the callers use it for.
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of the 8 bytes in `word` is below `limit` (`limit` ≤ 128).
    @inline(__always)
    static func anyByte(in word: UInt64, below limit: UInt8) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether any of the 8 bytes in `word` equals `byte`.
    @inline(__always)
    static func anyByte(in word: UInt64, equalTo byte: UInt8) -> Bool {
        let masked = word ^ (ones &* UInt64(byte))
        return (masked &- ones) & ~masked & highBits != 0
    }

    /// Whether `byte` is optional whitespace (SP or HTAB).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == htab
    }

    /// The byte with ASCII `A`–`Z` mapped to lowercase.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        if byte &- 0x30 < 10 { return byte &- 0x30 }
        let lower = byte | 0x20
        if lower &- 0x61 < 6 { return lower &- 0x61 + 10 }
        return nil
    }

    /// Whether `bytes` equals the lowercase ASCII `literal`, ignoring the case of `bytes`.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let other = literal.utf8Start
        for index in 0..<count where lowercased(bytes[index]) != other[index] {
            return false
        }
        return true
    }

    /// Whether two strings are equal ignoring ASCII case (header names, tokens).
    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return left.elementsEqual(right) { lowercased($0) == lowercased($1) }
    }

    /// Strips leading and trailing SP/HTAB from a substring.
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        var lower = text.startIndex
        var upper = text.endIndex
        while lower < upper, text[lower] == " " || text[lower] == "\t" { lower = text.index(after: lower) }
        while upper > lower {
            let previous = text.index(before: upper)
            guard text[previous] == " " || text[previous] == "\t" else { break }
            upper = previous
        }
        return text[lower..<upper]
    }

    /// Strips leading and trailing SP/HTAB.
    static func trimmingWhitespace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lower = 0
        var upper = bytes.count
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// Calls `body` with each comma-separated element of a field value, trimmed of whitespace; empty elements are
    /// passed too (RFC 9110 §5.6.1 tells recipients to ignore them; callers decide). Stops when `body` returns false.
    static func forEachListElement(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        var elementStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == comma {
            let element = UnsafeRawBufferPointer(rebasing: bytes[elementStart..<index])
            if !body(trimmingWhitespace(element)) { return }
            elementStart = index + 1
        }
    }
}
