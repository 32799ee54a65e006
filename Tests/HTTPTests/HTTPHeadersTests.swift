import HTTP
import Testing

@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveLookupKeepsFirst() {
        let headers: HTTPHeaders = ["Content-Type": "a", "content-type": "b", "X": "1"]
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers.values(for: "Content-type") == ["a", "b"])
        #expect(headers.contains(name: "x"))
        #expect(!headers.contains(name: "y"))
        #expect(headers.count == 3)
    }

    @Test(arguments: [
        ("keep-alive, Upgrade", "upgrade", true),
        ("keep-alive,upgrade", "UPGRADE", true),
        (" close ", "close", true),
        ("upgraded", "upgrade", false),
        ("", "close", false),
        ("a,,b", "b", true),
    ])
    func tokenLists(value: String, token: String, expected: Bool) {
        let headers: HTTPHeaders = ["Connection": value]
        #expect(headers.contains(name: "connection", token: token) == expected)
    }

    @Test func tokenSearchSpansRepeatedFields() {
        let headers: HTTPHeaders = ["Connection": "keep-alive", "Connection": "Upgrade"]
        #expect(headers.contains(name: "Connection", token: "upgrade"))
    }

    @Test func mutation() {
        var headers = HTTPHeaders()
        headers.add(name: "A", value: "1")
        headers.add(name: "B", value: "2")
        headers.add(name: "a", value: "3")
        headers.replaceOrAdd(name: "A", value: "4")
        #expect(headers.map(\.name) == ["A", "B"])
        #expect(headers["a"] == "4")
        headers.replaceOrAdd(name: "C", value: "5")
        headers.remove(name: "b")
        #expect(headers.map(\.value) == ["4", "5"])
        #expect(headers == HTTPHeaders([("A", "4"), ("C", "5")]))
        headers.remove(name: "a")
        headers.remove(name: "c")
        #expect(headers.isEmpty)
    }

    /// Every byte a token may hold (RFC 9110 §5.6.2) is accepted in a header name, and every other byte rejected.
    @Test func tokenCharacters() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        for byte in UInt8.min...UInt8.max where byte != 0x3A {
            let raw = Array("GET / HTTP/1.1\r\nHost: a\r\nX".utf8) + [byte] + Array(": v\r\n\r\n".utf8)
            let outcome = parse([raw])
            if tchar.contains(byte) {
                #expect(outcome.error == nil, "byte \(byte)")
            } else {
                #expect(outcome.error != nil, "byte \(byte)")
            }
        }
    }
}
