import Testing
import WebSocket

@Suite struct ExtensionHeaderTests {
    private func offer(_ name: String, _ parameters: (String, String?)...) -> ExtensionOffer {
        ExtensionOffer(name: name, parameters: parameters.map { ExtensionParameter(name: $0.0, value: $0.1) })
    }

    @Test func parsesOffersParametersAndValues() {
        let offers = ExtensionHeader.parse(
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate"
        )
        #expect(
            offers == [
                offer("permessage-deflate", ("client_max_window_bits", nil), ("server_max_window_bits", "10")),
                offer("permessage-deflate"),
            ]
        )
    }

    @Test func lowercasesNamesAndUnquotesValues() {
        let offers = ExtensionHeader.parse("Permessage-Deflate;Server_Max_Window_Bits=\"1\\2\"")
        #expect(offers == [offer("permessage-deflate", ("server_max_window_bits", "12"))])
    }

    @Test func combinesRepeatedHeadersInOrder() {
        let offers = ExtensionHeader.parse(["foo", "bar; baz=1", "  ,  ", "qux"])
        #expect(offers.map(\.name) == ["foo", "bar", "qux"])
    }

    @Test func toleratesWhitespaceAndEmptyElements() {
        let offers = ExtensionHeader.parse(" ,\tpermessage-deflate \t; \tclient_no_context_takeover\t ,, x ; y = z ,")
        #expect(
            offers == [
                offer("permessage-deflate", ("client_no_context_takeover", nil)),
                offer("x", ("y", "z")),
            ]
        )
    }

    @Test(arguments: [
        ("a;, b", ["b"]),  // parameter without a name
        ("a; b=, c", ["c"]),  // = without a value
        ("a; b=\"\", c", ["c"]),  // empty quoted value
        ("a; b=\"x y\", c", ["c"]),  // quoted value that is not a token
        ("a; b=\"x,y\", c", ["c"]),  // a comma inside quotes does not end the element
        ("a b, c", ["c"]),  // two tokens
        ("a; b=\"unterminated, c", []),  // the rest of the header is inside the string
        ("=, c", ["c"]),
        ("a;b=c=d, e", ["e"]),
        ("\"a\", e", ["e"]),
        ("a; b=\"\\\"\", c", ["c"]),  // an escaped quote is not a token character
        ("é, c", ["c"]),
    ])
    func skipsMalformedElementsAndResumes(header: String, names: [String]) {
        #expect(ExtensionHeader.parse(header).map(\.name) == names)
    }
}
