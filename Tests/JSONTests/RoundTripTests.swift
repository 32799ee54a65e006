import JSON
import TestSupport
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: [
        #"{"id":"c1","type":"send","group":1024,"body":{"text":"明天上午九点在教学楼A201开班会"}}"#,
        #"[null,true,false,0,-1,9223372036854775807,-9223372036854775808,0.5,-0.0,1e-05,1e+300]"#,
        #"{"s":"\"\\\/\b\f\n\r\t\u0000\u001f\u2028\u2029😀\ud83d\ude00","e":{},"a":[]}"#,
        #"[[[[{"deep":[[]]}]]]]"#,
        #"18446744073709551616"#,
    ])
    func parseEncodeParseIsStable(text: String) throws {
        let value = try JSONParser.parse(text)
        let encoded = value.encoded()
        #expect(try JSONParser.parse(encoded) == value)
        // Encoding is deterministic: a second round produces identical bytes.
        #expect(try JSONParser.parse(encoded).encoded() == encoded)
    }

    @Test func randomTreesRoundTrip() throws {
        var random = RandomJSON(seed: 0x5EED_1234)
        for iteration in 0..<2000 {
            let value = random.value()
            let encoded = value.encoded()
            let decoded = try JSONParser.parse(encoded)
            #expect(decoded == value, "iteration \(iteration): \(value.jsonString)")
            #expect(decoded.encoded() == encoded, "iteration \(iteration)")
        }
    }

    @Test func randomMutationsNeverCrash() {
        var random = RandomJSON(seed: 42)
        var documents: [[UInt8]] = (0..<40).map { _ in random.value().encoded() }
        documents.append(Array(#"{"a":[1,2.5e3,"\u00e9\ud83d\ude00",true,null],"b":{"c":"中文"}}"#.utf8))
        let interesting: [UInt8] =
            Array(#"{}[]:,"\ u0123456789abcdefABCDEF+-.eE tfnrl "#.utf8) + [
                0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF,
            ]
        var generator = SplitMix64(seed: 7)
        var outcomes = (succeeded: 0, failed: 0)
        for document in documents where !document.isEmpty {
            for _ in 0..<500 {
                var mutated = document
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let position = Int.random(in: 0..<max(mutated.count, 1), using: &generator)
                    let byte =
                        Bool.random(using: &generator)
                        ? interesting[Int.random(in: 0..<interesting.count, using: &generator)]
                        : UInt8.random(in: 0...255, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0 where !mutated.isEmpty: mutated[position] = byte
                    case 1: mutated.insert(byte, at: min(position, mutated.count))
                    case 2 where !mutated.isEmpty: mutated.remove(at: position)
                    default: mutated = Array(mutated.prefix(position))
                    }
                }
                do {
                    let value = try JSONParser.parse(mutated)
                    // Whatever parses must re-encode into something that parses to the same value.
                    #expect(try JSONParser.parse(value.encoded()) == value)
                    outcomes.succeeded += 1
                } catch {
                    #expect(error.offset >= 0 && error.offset <= mutated.count)
                    #expect(!error.message.isEmpty)
                    outcomes.failed += 1
                }
            }
        }
        #expect(outcomes.failed > 0 && outcomes.succeeded > 0)
    }
}
