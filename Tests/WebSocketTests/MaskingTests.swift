import Testing
import WebSocket

@Suite struct MaskingTests {
    @Test func matchesBytewiseDefinitionAtEveryOffsetAndLength() {
        let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
        for offset in 0..<4 {
            for length in 0..<40 {
                let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
                var masked = original
                let next = Masking.apply(key, offset: offset, to: &masked)
                #expect(next == (offset + length) % 4)
                let expected = original.enumerated().map { $0.element ^ key[(offset + $0.offset) % 4] }
                #expect(masked == expected)
            }
        }
    }

    @Test func keyPositionCarriesAcrossChunks() {
        let key = MaskingKey(1, 2, 3, 4)
        let original = (0..<103).map { UInt8($0) }
        var whole = original
        Masking.apply(key, to: &whole)
        var chunked = original
        var offset = 0
        var start = 0
        for size in [1, 2, 3, 5, 8, 13, 21, 50] {
            let end = min(start + size, chunked.count)
            offset = chunked.withUnsafeMutableBytes { raw in
                Masking.apply(key, offset: offset, to: UnsafeMutableRawBufferPointer(rebasing: raw[start..<end]))
            }
            start = end
        }
        #expect(chunked == whole)
    }

    @Test func maskingKeyExposesWireOrder() {
        let key = MaskingKey((0xAA, 0xBB, 0xCC, 0xDD))
        #expect(key.value == 0xAABB_CCDD)
        #expect([key[0], key[1], key[2], key[3]] == [0xAA, 0xBB, 0xCC, 0xDD])
        #expect(MaskingKey(value: 0xAABB_CCDD) == key)
    }

    @Test func unmasks16MiBQuickly() {
        // A functional check that the word-at-a-time path handles a large buffer; timing is not asserted.
        var bytes = [UInt8](repeating: 0x55, count: 16 << 20)
        Masking.apply(MaskingKey(0x55, 0x55, 0x55, 0x55), to: &bytes)
        #expect(bytes.allSatisfy { $0 == 0 })
    }
}
