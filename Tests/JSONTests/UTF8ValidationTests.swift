import JSON
import Testing

@Suite struct UTF8ValidationTests {
    @Test(
        arguments: [
            ([0xC0, 0x80], "overlong NUL"),
            ([0xC1, 0xBF], "overlong two-byte"),
            ([0xE0, 0x80, 0x80], "overlong three-byte"),
            ([0xF0, 0x80, 0x80, 0x80], "overlong four-byte"),
            ([0xED, 0xA0, 0x80], "encoded high surrogate U+D800"),
            ([0xED, 0xBF, 0xBF], "encoded low surrogate U+DFFF"),
            ([0xF4, 0x90, 0x80, 0x80], "above U+10FFFF"),
            ([0xF5, 0x80, 0x80, 0x80], "lead byte F5"),
            ([0xFF], "byte FF"),
            ([0xFE], "byte FE"),
            ([0x80], "lone continuation byte"),
            ([0xE6, 0x98], "truncated three-byte sequence"),
            ([0xF0, 0x9F, 0x98], "truncated four-byte sequence"),
            ([0xC3], "truncated two-byte sequence"),
            ([0xE6, 0x41, 0x80], "continuation replaced by ASCII"),
        ] as [([UInt8], String)]
    )
    func rejectsInvalidUTF8(vector: [UInt8], name: String) {
        #expect(parseError(bytes("\"ab", vector, "\"")) == JSONError(.invalidUTF8, at: 3), "\(name)")
        #expect(parseError(bytes("[\"\\n", vector, "\"]")) == JSONError(.invalidUTF8, at: 4), "\(name), escaped path")
        #expect(parseError(bytes("{\"", vector, "\":1}")) == JSONError(.invalidUTF8, at: 2), "\(name), in a key")
    }

    @Test func reportsTheFirstInvalidSequenceAfterValidOnes() {
        #expect(parseError(bytes("\"中", [0xE6, 0x98], "\"")) == JSONError(.invalidUTF8, at: 4))
    }

    @Test func invalidBytesOutsideStringsAreUnexpected() {
        #expect(parseError([0xFF]) == JSONError(.unexpectedByte(0xFF), at: 0))
        #expect(parseError(bytes("[1,", [0xE6, 0x98], "]")) == JSONError(.unexpectedByte(0xE6), at: 3))
    }

    @Test(
        arguments: [
            ([0x7F], "\u{7F}"),
            ([0xC2, 0x80], "\u{80}"),
            ([0xDF, 0xBF], "\u{7FF}"),
            ([0xE0, 0xA0, 0x80], "\u{800}"),
            ([0xED, 0x9F, 0xBF], "\u{D7FF}"),
            ([0xEE, 0x80, 0x80], "\u{E000}"),
            ([0xEF, 0xBF, 0xBF], "\u{FFFF}"),
            ([0xF0, 0x90, 0x80, 0x80], "\u{10000}"),
            ([0xF4, 0x8F, 0xBF, 0xBF], "\u{10FFFF}"),
            ([0xE6, 0x98, 0x8E], "明"),
        ] as [([UInt8], String)]
    )
    func acceptsBoundaryScalars(vector: [UInt8], expected: String) throws {
        #expect(try JSONParser.parse(bytes("\"", vector, "\"")) == .string(expected))
    }
}
