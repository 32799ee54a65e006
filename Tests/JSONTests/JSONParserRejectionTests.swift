import JSON
import Testing

@Suite struct JSONParserRejectionTests {
    @Test func rejectsEmptyInput() {
        #expect(parseError("")?.kind == .emptyInput)
        #expect(parseError(" \n\t\r ")?.kind == .emptyInput)
        #expect(throws: JSONError.self) { try [UInt8]().withUnsafeBytes { try JSONParser.parse($0) } }
    }

    @Test func rejectsDuplicateKeys() {
        let error = parseError(#"{"a":1,"b":2,"a":3}"#)
        #expect(error == JSONError(.duplicateKey("a"), at: 13))
        #expect(parseError(#"{"x":{"a":1,"a":1}}"#)?.kind == .duplicateKey("a"))
        // Keys are compared after unescaping.
        #expect(parseError(#"{"a":1,"\u0061":2}"#)?.kind == .duplicateKey("a"))
        // The same key in sibling objects is fine.
        #expect(parseError(#"[{"a":1},{"a":2}]"#) == nil)
    }

    @Test func rejectsLoneHighSurrogate() {
        #expect(parseError(#""\ud83d""#) == JSONError(.loneSurrogate, at: 1))
        #expect(parseError(#""\ud83dx""#)?.kind == .loneSurrogate)
        #expect(parseError(#""\ud83d\u0041""#)?.kind == .loneSurrogate)
        #expect(parseError(#""\ud83d\ud83d""#)?.kind == .loneSurrogate)
        #expect(parseError(#""\ud83d\n""#)?.kind == .loneSurrogate)
    }

    @Test func rejectsLoneLowSurrogate() {
        #expect(parseError(#""\ude00""#) == JSONError(.loneSurrogate, at: 1))
        #expect(parseError(#""a\ude00\ud83d""#) == JSONError(.loneSurrogate, at: 2))
    }

    @Test(arguments: ["01", "-01", "00", "0123", "[01]", "-00.5"])
    func rejectsLeadingZero(text: String) {
        #expect(parseError(text)?.kind == .invalidNumber)
    }

    @Test func rejectsPlusSign() {
        #expect(parseError("+1") == JSONError(.unexpectedByte(UInt8(ascii: "+")), at: 0))
    }

    @Test func rejectsLeadingDecimalPoint() {
        #expect(parseError(".5") == JSONError(.unexpectedByte(UInt8(ascii: ".")), at: 0))
        #expect(parseError("-.5")?.kind == .invalidNumber)
    }

    @Test(arguments: ["1.", "1.e3", "[1.]", "-", "-a", "1e", "1e+", "1E-", "[-]"])
    func rejectsIncompleteNumbers(text: String) {
        #expect(parseError(text)?.kind == .invalidNumber)
    }

    @Test func rejectsNaNAndInfinity() {
        #expect(parseError("NaN") == JSONError(.unexpectedByte(UInt8(ascii: "N")), at: 0))
        #expect(parseError("Infinity") == JSONError(.unexpectedByte(UInt8(ascii: "I")), at: 0))
        #expect(parseError("-Infinity") == JSONError(.invalidNumber, at: 0))
        #expect(parseError("[NaN]") == JSONError(.unexpectedByte(UInt8(ascii: "N")), at: 1))
        #expect(parseError("nan") == JSONError(.unexpectedByte(UInt8(ascii: "a")), at: 1))
    }

    @Test(arguments: ["1e400", "-1e400", "1" + String(repeating: "0", count: 400), "1.5e309"])
    func rejectsNumbersThatOverflowDouble(text: String) {
        #expect(parseError(text) == JSONError(.numberOutOfRange, at: 0))
    }

    @Test(arguments: Array(0x00...0x1F) as [UInt8])
    func rejectsUnescapedControlCharacters(byte: UInt8) {
        #expect(parseError(bytes("\"ab", [byte], "\"")) == JSONError(.invalidString, at: 3))
        #expect(parseError(bytes("\"a\\n", [byte], "\"")) == JSONError(.invalidString, at: 4))
    }

    @Test(arguments: [#""\x""#, #""\a""#, #""\'""#, #""\u12""#, #""\u12g4""#, #""\U0041""#, #""\ ""#, #""\0""#])
    func rejectsInvalidEscapes(text: String) {
        #expect(parseError(text) == JSONError(.invalidEscape, at: 1))
    }

    @Test(arguments: ["1 2", "{} {}", "[]]", "nullx", "true false", "\"a\"\"b\"", "0x10", "1.5.5"])
    func rejectsTrailingData(text: String) {
        #expect(parseError(text)?.kind == .trailingData)
    }

    @Test func trailingWhitespaceIsAllowed() {
        #expect(parseError(" {} \n\r\t ") == nil)
    }

    @Test(
        arguments: [
            ("[1,]", 3), ("{\"a\":1,}", 7), ("[,1]", 1), ("{,}", 1), ("[1 2]", 3), ("{\"a\" 1}", 5),
            ("{\"a\":1 \"b\":2}", 7), ("{a:1}", 1), ("{'a':1}", 1), ("['a']", 1), ("[1,,2]", 3), ("//", 0),
            ("[1]/*c*/", 3), ("{1:2}", 1), ("tru", 3), ("trux", 3), ("nul", 3), ("fals", 4), ("True", 0),
            ("[true,fals]", 10), ("{\"a\":}", 5), ("[}", 1), ("{]", 1), ("{\"a\":1]", 6), ("[1}", 2),
        ] as [(String, Int)]
    )
    func rejectsStructuralErrors(text: String, offset: Int) {
        #expect(parseError(text)?.offset == offset)
    }

    @Test(arguments: ["[", "[1", "[1,", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "\"abc", "\"\\", "\"\\u12"])
    func rejectsTruncatedDocuments(text: String) {
        #expect(parseError(text)?.kind == .unexpectedEnd)
    }

    @Test func rejectsByteOrderMark() {
        // RFC 8259 section 8.1 lets parsers ignore a BOM; a strict server treats it as garbage.
        #expect(parseError(bytes("", [0xEF, 0xBB, 0xBF], "{}")) == JSONError(.unexpectedByte(0xEF), at: 0))
    }

    @Test func rejectsNonJSONWhitespace() {
        #expect(parseError(bytes("", [0x0B], "1"))?.kind == .unexpectedByte(0x0B))
        #expect(parseError(bytes("[1,", [0xC2, 0xA0], "2]"))?.kind == .unexpectedByte(0xC2))
    }
}
