import Testing

@testable import Store

@Suite struct StringListTests {
    @Test func roundTripsAnyStrings() throws {
        let lists: [[String]] = [
            ["a"], ["20230001", "T0042"], ["", ""], ["quote\"", "back\\slash", "/", "\u{0}\u{1}\u{1f}\n\r\t"],
            ["张三", "\u{1F600}", "e\u{301}"], [String(repeating: "长", count: 1000)],
        ]
        for list in lists {
            let encoded = StringList.encode(list)
            #expect(encoded != nil)
            #expect(try StringList.decode(encoded) == list)
        }
        #expect(StringList.encode([]) == nil)
        #expect(try StringList.decode(nil) == [])
    }

    @Test func decodesWhatSQLiteJSONFunctionsWrite() throws {
        #expect(try StringList.decode(#" [ "a" , "\u00e9\ud83d\ude00" , "\/" ] "#) == ["a", "é😀", "/"])
        #expect(try StringList.decode("[]") == [])
    }

    @Test func rejectsAnythingElse() {
        for text in ["", "[", "[1]", "[\"a\",]", "{}", "[\"a\"] x", "[\"\\ud800\"]", "[\"\\x\"]", "[\"open]"] {
            #expect(throws: SQLiteError.self) { try StringList.decode(text) }
        }
    }
}
