import JSON
import Testing

@Suite struct JSONErrorTests {
    @Test(arguments: [
        ("", "The input contains no JSON value."),
        ("[1,", "Unexpected end of input at byte 3."),
        ("[1,x]", "Unexpected character 'x' at byte 3."),
        ("[1, ]", "Unexpected character ']' at byte 4."),
        ("01", "Invalid number at byte 0."),
        ("[1e400]", "Number at byte 1 is out of range."),
        ("\"a\tb\"", "Unescaped control character in string at byte 2."),
        (#""\q""#, "Invalid escape sequence at byte 1."),
        (#""\udc00""#, "Unpaired UTF-16 surrogate escape at byte 1."),
        (#"{"id":1,"id":2}"#, "Duplicate key 'id' at byte 8."),
        ("[] []", "Unexpected data after the JSON value at byte 3."),
    ])
    func messagesAreReadableSentences(text: String, message: String) {
        let error = parseError(text)
        #expect(error?.message == message)
        #expect(error?.description == message)
    }

    @Test func unprintableBytesAreShownInHex() {
        #expect(parseError([0x01])?.message == "Unexpected byte 0x01 at byte 0.")
        #expect(parseError([0xFF])?.message == "Unexpected byte 0xFF at byte 0.")
        #expect(parseError(bytes("[", [0x20, 0x0B], "]"))?.message == "Unexpected byte 0x0B at byte 2.")
        #expect(parseError(bytes("\"", [0xC0, 0x80], "\""))?.message == "Invalid UTF-8 at byte 1.")
    }

    @Test func limitMessages() {
        #expect(
            parseError("[[1]]", limits: JSONLimits(maxDepth: 1))?.message == "Nesting depth limit exceeded at byte 1."
        )
        #expect(
            parseError("[1]", limits: JSONLimits(maxInputBytes: 2))?.message
                == "Input exceeds the size limit of 2 bytes."
        )
        #expect(
            parseError(#"["abc"]"#, limits: JSONLimits(maxStringBytes: 2))?.message
                == "String at byte 1 exceeds the length limit."
        )
        #expect(
            parseError("[1,2]", limits: JSONLimits(maxElements: 1))?.message
                == "Too many elements in array or object at byte 2."
        )
        #expect(
            parseError("123", limits: JSONLimits(maxNumberBytes: 2))?.message
                == "Number at byte 0 exceeds the length limit."
        )
    }

    @Test func duplicateKeyMessagesAreShortAndPrintable() {
        let key = String(repeating: "k", count: 100)
        let error = parseError("{\"\(key)\":1,\"\(key)\":2}")
        #expect(error?.kind == .duplicateKey(key))
        #expect(error?.message == "Duplicate key '\(String(repeating: "k", count: 40))…' at byte 106.")
        #expect(parseError(#"{"a\nb":1,"a\nb":2}"#)?.message == "Duplicate key 'ab' at byte 10.")
    }
}
