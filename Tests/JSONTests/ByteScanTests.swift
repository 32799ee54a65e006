import JSON
import Testing

/// The parser and writer scan strings eight bytes at a time; these put special bytes at every position of
/// strings longer than one word, so that each lane of the word-at-a-time checks is exercised.
@Suite struct ByteScanTests {
    // Uppercase, so that a backslash placed before any of them is an invalid escape.
    static let filler = Array("ABCDEFGHIJKLMNOPQRSTUVWX".utf8)

    @Test(arguments: 0..<24)
    func parserFindsSpecialBytesAtEveryPosition(position: Int) throws {
        var text = Self.filler
        text[position] = 0x0A
        #expect(parseError(bytes("\"", text, "\"")) == JSONError(.invalidString, at: position + 1))
        text[position] = 0x1F
        #expect(parseError(bytes("\"", text, "\"")) == JSONError(.invalidString, at: position + 1))
        text[position] = UInt8(ascii: "\\")
        #expect(parseError(bytes("\"", text, "Z\"")) == JSONError(.invalidEscape, at: position + 1))
        text[position] = 0xFF
        #expect(parseError(bytes("\"", text, "\"")) == JSONError(.invalidUTF8, at: position + 1))
        text[position] = UInt8(ascii: "\"")
        let value = try JSONParser.parse(bytes("[\"", Array(text[..<position]), "\"]"))
        #expect(value == [.string(String(decoding: text[..<position], as: UTF8.self))])
    }

    @Test(arguments: 0..<24)
    func parserAcceptsMultiByteTextAcrossWordBoundaries(position: Int) throws {
        var text = Self.filler
        text.insert(contentsOf: [0xE4, 0xB8, 0xAD], at: position)
        #expect(try JSONParser.parse(bytes("\"", text, "\"")) == .string(String(decoding: text, as: UTF8.self)))
    }

    @Test(arguments: 0..<24)
    func writerFindsSpecialBytesAtEveryPosition(position: Int) {
        let prefix = String(decoding: Self.filler[..<position], as: UTF8.self)
        let suffix = String(decoding: Self.filler[position...], as: UTF8.self)
        for (special, escaped) in [
            ("\n", "\\n"), ("\"", "\\\""), ("\\", "\\\\"), ("\u{1}", "\\u0001"), ("\u{2028}", "\\u2028"),
        ] {
            var writer = JSONWriter()
            writer.string(prefix + special + suffix)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"" + prefix + escaped + suffix + "\"")
        }
        var writer = JSONWriter()
        writer.string(prefix + "“中”…" + suffix)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"" + prefix + "“中”…" + suffix + "\"")
    }

    @Test func longStringsTakeTheGeneralWriterPath() throws {
        let long = String(repeating: "明天上午九点在教学楼A201开班会“通知”\n", count: 100)
        var writer = JSONWriter()
        writer.string(long)
        #expect(try JSONParser.parse(writer.bytes) == .string(long))
        #expect(writer.bytes.count == long.utf8.count + 100 + 2)
    }
}
