import HTTP
import Testing

@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a%20b", "a b"),
        ("%e4%b8%ad%E6%96%87", "中文"),
        ("a+b", "a+b"),
        ("%2F%3f", "/?"),
        ("%00", "\u{0}"),
    ])
    func decodes(input: String, expected: String) {
        #expect(PercentDecoding.decode(input) == expected)
    }

    @Test(arguments: ["%", "%4", "%G0", "a%2", "%FF", "%C3%28"])
    func rejectsMalformed(_ input: String) {
        #expect(PercentDecoding.decode(input) == nil)
    }

    @Test func plusAsSpace() {
        #expect(PercentDecoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
        #expect(PercentDecoding.decodeLenient("a+%zz%41", plusAsSpace: true) == "a %zzA")
    }
}
