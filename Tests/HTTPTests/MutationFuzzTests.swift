import HTTP
import TestSupport
import Testing

/// Random bytes and random mutations of valid requests must only ever produce events or a thrown error — never a
/// trap, a hang, or an event sequence that breaks the head/body/end grammar.
@Suite struct MutationFuzzTests {
    static let seeds: [[UInt8]] = [
        SplitFeedingTests.stream,
        UpgradeTests.handshake + UpgradeTests.frames,
        Array("GET /a?b=c HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc".utf8),
        Array("OPTIONS * HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n".utf8),
    ]

    static let interesting: [[UInt8]] = [
        [0x0D], [0x0A], [0x0D, 0x0A], [0x00], [0x20], [0x09], [0x3A], [0x3B], [0x22], [0x5C], [0x7F], [0xFF],
        Array("\r\n\r\n".utf8), Array("Content-Length: ".utf8), Array("Transfer-Encoding: chunked\r\n".utf8),
        Array("FFFFFFFFFFFFFFFFFFFF".utf8), Array("99999999999999999999".utf8), Array("HTTP/1.1".utf8),
    ]

    @Test(arguments: 0..<8)
    func mutatedRequests(seed: UInt64) {
        var random = SplitMix64(seed: seed &* 7919 &+ 1)
        for _ in 0..<400 {
            var bytes = Self.seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                Self.mutate(&bytes, using: &random)
            }
            let offsets = (0..<Int.random(in: 0...5, using: &random)).map { _ in
                Int.random(in: 0...bytes.count, using: &random)
            }
            let limits = HTTPLimits(
                maxRequestLine: Int.random(in: 0...200, using: &random),
                maxHeaderBytes: Int.random(in: 0...400, using: &random),
                maxHeaderCount: Int.random(in: 0...10, using: &random),
                maxBodySize: Int.random(in: -1...100, using: &random),
                maxChunkExtensionBytes: Int.random(in: -1...50, using: &random)
            )
            check(split(bytes, at: offsets), limits: Bool.random(using: &random) ? limits : HTTPLimits())
        }
    }

    @Test(arguments: 0..<4)
    func randomBytes(seed: UInt64) {
        var random = SplitMix64(seed: seed &+ 1000)
        for _ in 0..<300 {
            let alphabet: [UInt8] = Array("GET / HTTP/1.1\r\n:;0123456789abcdefABCDEF\t \"\\".utf8) + [0, 0x80, 0xFF]
            let bytes = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                Bool.random(using: &random)
                    ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            check([bytes], limits: HTTPLimits())
            check(bytes.map { [$0] }, limits: HTTPLimits(maxRequestLine: 16, maxHeaderBytes: 32))
        }
    }

    @Test func extremeLimitsDoNotTrap() {
        let extreme = HTTPLimits(
            maxRequestLine: .max,
            maxHeaderBytes: .max,
            maxHeaderCount: .max,
            maxBodySize: .max,
            maxChunkExtensionBytes: .max
        )
        let negative = HTTPLimits(
            maxRequestLine: .min,
            maxHeaderBytes: .min,
            maxHeaderCount: .min,
            maxBodySize: .min,
            maxChunkExtensionBytes: .min
        )
        for seed in Self.seeds {
            check([seed], limits: extreme)
            check([seed], limits: negative)
            check(seed.map { [$0] }, limits: extreme)
        }
        var parser = RequestParser(limits: extreme)
        parser.feed(Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFFFFFFFFFF\r\n".utf8))
        #expect(throws: Never.self) { while try parser.next() != nil {} }
        parser.overrideMaxBodySize(.min)
        parser.feed(Array("x".utf8))
        #expect(throws: Never.self) { while try parser.next() != nil {} }
    }

    private static func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        let position = Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where position < bytes.count:
            bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 1:
            bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
        case 2 where position < bytes.count:
            let end = min(bytes.count, position + Int.random(in: 1...8, using: &random))
            bytes.removeSubrange(position..<end)
        case 3 where position < bytes.count:
            let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
            bytes.insert(contentsOf: Array(bytes[position..<end]), at: Int.random(in: 0...bytes.count, using: &random))
        case 4 where position < bytes.count:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        default:
            bytes.append(contentsOf: interesting.randomElement(using: &random)!)
        }
    }

    /// Parses and checks the event grammar: (head body* end)* with an optional unfinished request at the end.
    private func check(_ chunks: [[UInt8]], limits: HTTPLimits) {
        var parser = RequestParser(limits: limits)
        var inRequest = false
        var failed = false
        for chunk in chunks where !failed {
            parser.feed(chunk)
            do {
                while let event = try parser.next() {
                    switch event {
                    case .head:
                        #expect(!inRequest)
                        inRequest = true
                    case .body(let bytes):
                        #expect(inRequest && !bytes.isEmpty)
                    case .end:
                        #expect(inRequest)
                        inRequest = false
                    }
                }
            } catch {
                failed = true
                #expect((400...599).contains(error.status.rawValue))
                #expect(throws: error) { try parser.next() }
            }
        }
    }
}
