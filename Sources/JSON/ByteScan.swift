/// Word-at-a-time byte classification (SWAR) for the string loops of the parser and the writer: eight bytes are
/// tested with a few integer operations, and only a word that contains an interesting byte is examined bytewise.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is below 0x20. Exact for every word: bytes with the high bit set never count.
    @inline(__always)
    static func hasControl(_ word: UInt64) -> Bool {
        (word &- ones &* 0x20) & ~word & highBits != 0
    }

    /// Whether any byte of `word` equals `byte`. Exact for every word.
    @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & highBits != 0
    }

    /// Whether any byte of `word` has its high bit set (is not ASCII).
    @inline(__always)
    static func hasNonASCII(_ word: UInt64) -> Bool {
        word & highBits != 0
    }

    /// Loads eight bytes at `offset` in native order (the tests above do not depend on byte order).
    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }
}
