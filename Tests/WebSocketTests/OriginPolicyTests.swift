import Testing
import WebSocket

@Suite struct OriginPolicyTests {
    @Test(arguments: [
        ("https://app.example.edu", "https://app.example.edu"),
        ("HTTPS://APP.Example.Edu", "https://app.example.edu"),
        ("https://app.example.edu:443", "https://app.example.edu"),
        ("http://app.example.edu:80", "http://app.example.edu"),
        ("wss://chat.example:443", "wss://chat.example"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://localhost:08080", "http://localhost:8080"),
        ("https://app.example.edu:80", "https://app.example.edu:80"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("http://[::1]:80", "http://[::1]"),
        ("http://127.0.0.1", "http://127.0.0.1"),
    ])
    func normalizes(origin: String, expected: String) {
        #expect(OriginPolicy.normalize(origin) == expected)
    }

    @Test(arguments: [
        "null", "", "app.example.edu", "https://", "https://app.example.edu/", "https://app.example.edu/path",
        "https://user@app.example.edu", "https://app.example.edu:", "https://app.example.edu:99999",
        "https://app.example.edu:8a", "https://[::1", "https://[zz]", "1http://x", "https://a b",
    ])
    func rejectsNonOrigins(origin: String) {
        #expect(OriginPolicy.normalize(origin) == nil)
    }

    @Test func allowListMatchesExactlyAfterNormalisation() {
        let policy = OriginPolicy.allowList(["https://App.Example.edu:443"])
        #expect(policy.allows("https://app.example.edu"))
        #expect(policy.allows(" https://app.example.edu "))
        #expect(policy.allows(nil))
        #expect(!policy.allows("https://app.example.edu.evil.example"))
        #expect(!policy.allows("http://app.example.edu"))
        #expect(!policy.allows("https://evil-app.example.edu"))
        #expect(!policy.acceptsAnyOrigin)
    }

    @Test func verbatimEntriesMatchOnlyThemselves() {
        let policy = OriginPolicy.allowList(["null"])
        #expect(policy.allows("null"))
        #expect(!policy.allows("NULL"))
    }

    @Test func anyAllowsEverything() {
        #expect(OriginPolicy.any.allows("https://evil.example"))
        #expect(OriginPolicy.any.allows("garbage"))
        #expect(OriginPolicy.any.acceptsAnyOrigin)
    }
}
