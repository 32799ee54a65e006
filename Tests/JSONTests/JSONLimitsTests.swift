import JSON
import Testing

@Suite struct JSONLimitsTests {
    @Test func defaultsAreDocumentedValues() {
        let limits = JSONLimits.default
        #expect(limits.maxDepth == 64)
        #expect(limits.maxInputBytes == 1_048_576)
        #expect(limits.maxStringBytes == 262_144)
        #expect(limits.maxElements == 100_000)
        #expect(limits.maxNumberBytes == 512)
    }

    @Test func depthLimitIsEnforcedWithoutRecursionCrash() {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(parseError(deep) == JSONError(.depthLimitExceeded, at: 64))
        let deepObjects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        #expect(parseError(deepObjects) == JSONError(.depthLimitExceeded, at: 64 * 5))
        // With the limit lifted the parser still does not recurse: it runs out of input, not out of stack.
        let unlimited = JSONLimits(maxDepth: .max)
        #expect(parseError(deep, limits: unlimited) == JSONError(.unexpectedEnd, at: 100_000))
    }

    @Test func depthLimitAllowsExactlyMaxDepth() throws {
        let limits = JSONLimits(maxDepth: 3)
        #expect(parseError("[[[]]]", limits: limits) == nil)
        #expect(parseError("[[[[]]]]", limits: limits) == JSONError(.depthLimitExceeded, at: 3))
        #expect(parseError(#"{"a":{"b":[1]}}"#, limits: limits) == nil)
        #expect(parseError(#"{"a":{"b":[{}]}}"#, limits: limits) == JSONError(.depthLimitExceeded, at: 11))
        #expect(parseError("1", limits: JSONLimits(maxDepth: 0)) == nil)
        #expect(parseError("[]", limits: JSONLimits(maxDepth: 0)) == JSONError(.depthLimitExceeded, at: 0))
    }

    @Test func thousandLevelsParseWhenAllowed() throws {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        var value = try JSONParser.parse(text, limits: JSONLimits(maxDepth: 1000))
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 999)
    }

    @Test func sizeLimitIsCheckedFirst() {
        let limits = JSONLimits(maxInputBytes: 10)
        #expect(parseError("[1,2,3,4,5]", limits: limits) == JSONError(.sizeLimitExceeded, at: 10))
        // Even garbage that would fail at byte 0 reports the size first.
        #expect(parseError("xxxxxxxxxxx", limits: limits)?.kind == .sizeLimitExceeded)
        #expect(parseError("[1,2,3,4]", limits: limits) == nil)
        #expect(throws: JSONError(.sizeLimitExceeded, at: 10)) {
            try JSONParser.parse(Array("[1,2,3,4,5]".utf8).lazy.map { $0 }, limits: limits)
        }
        #expect(throws: JSONError(.sizeLimitExceeded, at: 10)) { try JSONParser.parse("[1,2,3,4,5]", limits: limits) }
    }

    @Test func defaultSizeLimitIsOneMebibyte() {
        let big = Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1_048_575) + Array("\"".utf8)
        #expect(parseError(big)?.kind == .sizeLimitExceeded)
    }

    @Test func stringLengthLimitCountsDecodedBytes() {
        let limits = JSONLimits(maxStringBytes: 4)
        #expect(parseError(#""abcd""#, limits: limits) == nil)
        #expect(parseError(#"["abcde"]"#, limits: limits) == JSONError(.stringLengthLimitExceeded, at: 1))
        // Six bytes of escapes decode to one byte, so this fits.
        #expect(parseError(#""\u0041bcd""#, limits: limits) == nil)
        #expect(parseError(#""\u0041bcde""#, limits: limits) == JSONError(.stringLengthLimitExceeded, at: 0))
        // Two Chinese characters are six bytes.
        #expect(parseError("\"中文\"", limits: limits)?.kind == .stringLengthLimitExceeded)
        // Keys count too.
        #expect(parseError(#"{"abcde":1}"#, limits: limits) == JSONError(.stringLengthLimitExceeded, at: 1))
    }

    @Test func elementLimitAppliesPerContainer() {
        let limits = JSONLimits(maxElements: 3)
        #expect(parseError("[1,2,3]", limits: limits) == nil)
        #expect(parseError("[1,2,3,4]", limits: limits) == JSONError(.elementLimitExceeded, at: 6))
        #expect(parseError(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits)?.kind == .elementLimitExceeded)
        #expect(parseError("[[1,2,3],[1,2,3],[1,2,3]]", limits: limits) == nil)
        #expect(parseError("[]", limits: JSONLimits(maxElements: 0)) == nil)
        #expect(parseError("[1]", limits: JSONLimits(maxElements: 0)) == JSONError(.elementLimitExceeded, at: 1))
    }

    @Test func defaultElementLimitIsOneHundredThousand() {
        let ok = "[" + Array(repeating: "0", count: 100_000).joined(separator: ",") + "]"
        #expect(parseError(ok) == nil)
        let tooMany = "[" + Array(repeating: "0", count: 100_001).joined(separator: ",") + "]"
        #expect(parseError(tooMany)?.kind == .elementLimitExceeded)
    }

    @Test func numberLengthLimit() {
        let limits = JSONLimits(maxNumberBytes: 5)
        #expect(parseError("12345", limits: limits) == nil)
        #expect(parseError("[123456]", limits: limits) == JSONError(.numberLengthLimitExceeded, at: 1))
        #expect(parseError("1.2e10", limits: limits)?.kind == .numberLengthLimitExceeded)
        let hostile = String(repeating: "1", count: 100_000)
        #expect(parseError(hostile)?.kind == .numberLengthLimitExceeded)
    }
}
