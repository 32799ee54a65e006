import JSON
import Testing

@Suite struct JSONWriterTests {
    private func text(_ writer: JSONWriter) -> String {
        String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func insertsCommasAutomatically() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type")
        writer.string("message")
        writer.key("ids")
        writer.beginArray()
        writer.int(1)
        writer.int(Int64(-2))
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.null()
        writer.endArray()
        writer.key("ok")
        writer.bool(true)
        writer.key("no")
        writer.bool(false)
        writer.key("pi")
        writer.double(3.5)
        writer.endObject()
        #expect(text(writer) == #"{"type":"message","ids":[1,-2,{},[],null],"ok":true,"no":false,"pi":3.5}"#)
        #expect(writer.depth == 0)
    }

    @Test func splicesRawValues() {
        let cachedBody = Array(#"{"text":"明天见"}"#.utf8)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("seq")
        writer.int(7)
        writer.key("body")
        writer.raw(cachedBody)
        writer.key("list")
        writer.beginArray()
        writer.raw(ArraySlice(cachedBody))
        cachedBody.withUnsafeBytes { writer.raw($0) }
        writer.endArray()
        writer.endObject()
        #expect(text(writer) == #"{"seq":7,"body":{"text":"明天见"},"list":[{"text":"明天见"},{"text":"明天见"}]}"#)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("quote\"backslash\\", #""quote\"backslash\\""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
        ("slash/ stays", #""slash/ stays""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("line\u{2028}para\u{2029}end", #""line\u2028para\u2029end""#),
        ("\u{2027}\u{202A}", "\"\u{2027}\u{202A}\""),
        ("明天上午九点在教学楼A201开班会", "\"明天上午九点在教学楼A201开班会\""),
        ("😀", "\"😀\""),
        ("a\"中\n文\u{2028}", #""a\"中\n文\u2028""#),
    ])
    func escapesStrings(input: String, expected: String) {
        var writer = JSONWriter()
        writer.string(input)
        #expect(text(writer) == expected)
    }

    @Test func escapesKeys() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a\"b\u{2028}")
        writer.int(1)
        writer.endObject()
        #expect(text(writer) == #"{"a\"b\u2028":1}"#)
    }

    @Test func nonASCIIIsWrittenAsRawUTF8() {
        var writer = JSONWriter()
        writer.string("中")
        #expect(writer.bytes == [0x22, 0xE4, 0xB8, 0xAD, 0x22])
    }

    @Test(
        arguments: [
            (Int64(0), "0"), (9, "9"), (10, "10"), (-1, "-1"), (-10, "-10"), (1_234_567_890, "1234567890"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
        ] as [(Int64, String)]
    )
    func writesIntegers(value: Int64, expected: String) {
        var writer = JSONWriter()
        writer.int(value)
        #expect(text(writer) == expected)
    }

    @Test func writesIntConvenience() {
        var writer = JSONWriter()
        writer.int(Int.min)
        #expect(text(writer) == "-9223372036854775808")
    }

    @Test(
        arguments: [
            (0.1, "0.1"), (1.0, "1.0"), (-0.0, "-0.0"), (0.00001, "1e-05"), (1e16, "1e+16"), (123.456, "123.456"),
            (0.30000000000000004, "0.30000000000000004"), (Double.leastNonzeroMagnitude, "5e-324"),
            (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        ] as [(Double, String)]
    )
    func writesShortestRoundTripDoubles(value: Double, expected: String) throws {
        var writer = JSONWriter()
        writer.double(value)
        #expect(text(writer) == expected)
        #expect(try JSONParser.parse(writer.bytes) == .double(value))
    }

    @Test(arguments: [Double.infinity, -Double.infinity, Double.nan])
    func writesNonFiniteDoublesAsNull(value: Double) {
        var writer = JSONWriter()
        writer.beginArray()
        writer.double(value)
        writer.int(1)
        writer.endArray()
        #expect(text(writer) == "[null,1]")
    }

    @Test func appendsAfterAPrefixAndResets() {
        var writer = JSONWriter(appendingTo: [0x81, 0x05])
        writer.beginArray()
        writer.endArray()
        #expect(writer.bytes == [0x81, 0x05, UInt8(ascii: "["), UInt8(ascii: "]")])
        writer.reset()
        writer.int(1)
        #expect(text(writer) == "1")
    }

    @Test func encodesValuesInInsertionOrder() {
        let value: JSONValue = ["z": 1, "a": [true, nil, 2.5, "s"], "m": ["k": [:]]]
        #expect(value.jsonString == #"{"z":1,"a":[true,null,2.5,"s"],"m":{"k":{}}}"#)
        #expect(value.encoded() == Array(value.jsonString.utf8))
        #expect(value.description == value.jsonString)
    }
}
