import TestSupport
import Testing
import WebSocket

@Suite struct UTF8ValidatorTests {
    // The sequences of Autobahn case 6 (from Markus Kuhn's UTF-8 decoder capability test), as (valid, hex).
    static let autobahnSequences: [(Bool, String)] = [
        (true, "68656c6c6f24776f726c64"), (true, "68656c6c6fc2a2776f726c64"), (true, "68656c6c6fe282ac776f726c64"),
        (true, "68656c6c6ff0a4ada2776f726c64"), (true, "cebae1bdb9cf83cebcceb5"),
        // First and last possible sequences of each length.
        (true, "00"), (true, "c280"), (true, "e0a080"), (true, "f0908080"),
        (true, "7f"), (true, "dfbf"), (true, "efbfbf"), (true, "f48fbfbf"),
        (false, "f888808080"), (false, "fc8480808080"), (false, "f7bfbfbf"), (false, "fbbfbfbfbf"),
        (false, "fdbfbfbfbfbf"),
        // Other boundary conditions.
        (true, "ed9fbf"), (true, "ee8080"), (true, "efbfbd"), (true, "f48fbfbf"), (false, "f4908080"),
        // Unexpected continuation bytes.
        (false, "80"), (false, "bf"), (false, "80bf"), (false, "80bf80"), (false, "80bf80bf"), (false, "80bf80bf80"),
        (false, "80bf80bf80bf"),
        // Lonely start characters.
        (false, "c020"), (false, "df20"), (false, "e020"), (false, "ef20"), (false, "f020"), (false, "f720"),
        (false, "f820"), (false, "fb20"), (false, "fc20"), (false, "fd20"),
        // Sequences with the last continuation byte missing, and their concatenation.
        (false, "c0"), (false, "e080"), (false, "f08080"), (false, "f8808080"), (false, "fc80808080"), (false, "df"),
        (false, "efbf"), (false, "f7bfbf"), (false, "fbbfbfbf"), (false, "fdbfbfbfbf"),
        (false, "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf"),
        // Impossible bytes.
        (false, "fe"), (false, "ff"), (false, "fefeffff"),
        // Overlong forms.
        (false, "c0af"), (false, "e080af"), (false, "f08080af"), (false, "f8808080af"), (false, "fc80808080af"),
        (false, "c1bf"), (false, "e09fbf"), (false, "f08fbfbf"), (false, "f887bfbfbf"), (false, "fc83bfbfbfbf"),
        (false, "c080"), (false, "e08080"), (false, "f0808080"), (false, "f880808080"), (false, "fc8080808080"),
        // Single and paired UTF-16 surrogates.
        (false, "eda080"), (false, "edadbf"), (false, "edae80"), (false, "edafbf"), (false, "edb080"),
        (false, "edbe80"), (false, "edbfbf"), (false, "eda080edb080"), (false, "eda080edbfbf"),
        (false, "edadbfedb080"), (false, "edadbfedbfbf"), (false, "edae80edb080"), (false, "edae80edbfbf"),
        (false, "edafbfedb080"), (false, "edafbfedbfbf"),
        // Noncharacters and specials are valid.
        (true, "efbfbe"), (true, "efbfbf"), (true, "f09fbfbe"), (true, "f3bfbfbf"), (true, "f48fbfbe"),
        (true, "efbfb9"), (true, "efbfbd"),
    ]

    @Test(arguments: autobahnSequences)
    func autobahnCase6Sequences(valid: Bool, bytes: String) {
        #expect(UTF8Validator.isValid(hex(bytes)) == valid)
        // Fed one byte at a time, the outcome is the same.
        var validator = UTF8Validator()
        let accepted = hex(bytes).allSatisfy { validator.validate([$0]) }
        #expect((accepted && validator.isAtBoundary) == valid)
    }

    // The validator fails on the first byte that no valid continuation could follow (Autobahn 6.4.x).
    @Test(arguments: [
        ("f4 90 80 80", 1),  // above U+10FFFF: fails at 90
        ("ed a0 80", 1),  // surrogate: fails at A0
        ("e0 80 80", 1),  // overlong: fails at the second 80
        ("f0 80 80 80", 1),  // overlong: fails at 80
        ("c0 80", 0),  // C0 and C1 can never start a character
        ("c1 bf", 0),
        ("f5 80 80 80", 0),
        ("ff", 0),
        ("80", 0),
        ("ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64", 12),  // Autobahn 6.4.1: byte 12
        ("e2 82 41", 2),  // truncated by an ASCII byte
    ])
    func failsFastAtFirstImpossibleByte(bytes: String, position: Int) {
        let input = hex(bytes)
        var validator = UTF8Validator()
        let prefixAccepted = validator.validate(input[..<position])
        #expect(prefixAccepted)
        let culpritAccepted = validator.validate([input[position]])
        #expect(!culpritAccepted)
        #expect(validator.hasFailed)
        // Sticky until reset.
        let afterFailure = validator.validate(utf8("ok"))
        #expect(!afterFailure)
        validator.reset()
        let afterReset = validator.validate(utf8("ok"))
        #expect(afterReset && validator.isAtBoundary)
    }

    @Test func incompleteSequenceAtChunkEndIsFineUntilMessageEnd() {
        var validator = UTF8Validator()
        let first = validator.validate(hex("65 64 69 74 65 64 ed"))
        #expect(first && !validator.isAtBoundary)
        let second = validator.validate(hex("9f"))
        #expect(second && !validator.isAtBoundary)
        let third = validator.validate(hex("bf"))
        #expect(third && validator.isAtBoundary)
    }

    @Test func autobahnIncrementalExamples() {
        var validator = UTF8Validator()
        var results: [Bool] = []
        results.append(validator.validate(hex("c2b540c39fc3b6c3a4c3bcc3a0c3a1")) && validator.isAtBoundary)
        validator.reset()
        results.append(validator.validate(hex("F5")))
        validator.reset()
        results.append(validator.validate(hex("656469746564")))
        results.append(validator.validate(hex("EDA080")))
        validator.reset()
        results.append(validator.validate(hex("656469746564ED")) && !validator.isAtBoundary)
        results.append(validator.validate(hex("A080")))
        #expect(results == [true, false, true, false, true, false])
    }

    @Test func asciiFastPathHandlesEveryAlignment() {
        for length in 0..<40 {
            for badPosition in 0..<length {
                var bytes = [UInt8](repeating: 0x61, count: length)
                bytes[badPosition] = 0xFF
                #expect(!UTF8Validator.isValid(bytes))
            }
            #expect(UTF8Validator.isValid([UInt8](repeating: 0x61, count: length)))
        }
    }

    @Test func everyScalarRoundTripsAndSurrogatesFail() {
        var scalar: UInt32 = 0
        while scalar <= 0x10FFFF {
            if let value = Unicode.Scalar(scalar) {
                #expect(UTF8Validator.isValid(Array(String(Character(value)).utf8)))
            } else {
                // Encode the surrogate the way CESU-8 would; it must be rejected.
                let bytes: [UInt8] = [
                    0xE0 | UInt8(scalar >> 12), 0x80 | UInt8(scalar >> 6 & 0x3F), 0x80 | UInt8(scalar & 0x3F),
                ]
                #expect(!UTF8Validator.isValid(bytes))
            }
            scalar += scalar < 0x3000 ? 1 : 97
        }
    }

    @Test func agreesWithStandardLibraryOnRandomInput() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...12, using: &generator)
            // Bias toward bytes that form interesting sequences.
            let bytes = (0..<length).map { _ -> UInt8 in
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: return UInt8.random(in: 0x80...0xBF, using: &generator)
                case 1: return UInt8.random(in: 0xC0...0xFF, using: &generator)
                case 2: return UInt8.random(in: 0x00...0x7F, using: &generator)
                default: return UInt8.random(in: 0...255, using: &generator)
                }
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validator.isValid(bytes) == expected, "\(bytes)")
            // And chunked at a random point.
            let split = Int.random(in: 0...length, using: &generator)
            var validator = UTF8Validator()
            let ok = validator.validate(bytes[..<split]) && validator.validate(bytes[split...])
            #expect((ok && validator.isAtBoundary) == expected)
        }
    }

    @Test func agreesWithStandardLibraryOnEveryTwoAndThreeByteSequenceFromInterestingLeads() {
        for first in UInt8(0xC0)...0xFF {
            for second in UInt8(0x70)...0xC0 {
                let pair = [first, second]
                #expect(UTF8Validator.isValid(pair) == (String(validating: pair, as: UTF8.self) != nil))
                let triple = [first, second, 0x80]
                #expect(UTF8Validator.isValid(triple) == (String(validating: triple, as: UTF8.self) != nil))
            }
        }
    }
}
