import TestSupport
import Testing
import WebSocket

/// Random and mutated input must never crash, and the event stream must stay well-formed: nothing after `closed`,
/// and a failure always writes its close frame first.
@Suite struct FuzzTests {
    private func check(_ chunks: [[UInt8]], configuration: WebSocketConfiguration, deflate: NegotiatedDeflate?) {
        var connection = WebSocketConnection(configuration: configuration, deflate: deflate)
        var events: [WebSocketEvent] = []
        for chunk in chunks {
            events += connection.events(after: chunk)
        }
        if let closedIndex = events.firstIndex(where: { if case .closed = $0 { true } else { false } }) {
            #expect(closedIndex == events.count - 1)
            #expect(connection.state == .closed)
        }
        for event in events {
            if case .text(let text) = event { #expect(UTF8Validator.isValid(text)) }
        }
        // The connection is always usable afterwards.
        _ = connection.close(code: .normal)
        _ = connection.events(after: clientClose(1000))
    }

    private static let configuration = WebSocketConfiguration(
        maxFrameSize: 4096,
        maxMessageSize: 8192,
        maxFragmentsPerMessage: 16
    )

    @Test(arguments: 0..<20 as Range<UInt64>)
    func randomBytes(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let length = Int.random(in: 0...64, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let deflate: NegotiatedDeflate? = Bool.random(using: &generator) ? NegotiatedDeflate() : nil
            check([bytes], configuration: Self.configuration, deflate: deflate)
        }
    }

    @Test(arguments: 0..<20 as Range<UInt64>)
    func mutatedValidStreams(seed: UInt64) {
        var generator = SplitMix64(seed: seed &+ 1000)
        let valid = SplitTests.stream
        for _ in 0..<150 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
                case 1: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 2: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            let split = Int.random(in: 0...bytes.count, using: &generator)
            check(
                [Array(bytes[..<split]), Array(bytes[split...])],
                configuration: WebSocketConfiguration(),
                deflate: NegotiatedDeflate(clientNoContextTakeover: Bool.random(using: &generator))
            )
        }
    }

    @Test(arguments: 0..<10 as Range<UInt64>)
    func randomFrameSequences(seed: UInt64) {
        // Structurally valid frames in random order, with random bits: exercises the sequencing rules.
        var generator = SplitMix64(seed: seed &+ 5000)
        for _ in 0..<100 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let opcode = [0, 1, 2, 8, 9, 10, 3, 11].randomElement(using: &generator)! as UInt8
                let length = Int.random(in: 0...(opcode >= 8 ? 130 : 300), using: &generator)
                let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes += rawFrame(
                    opcode: opcode,
                    payload: payload,
                    fin: Int.random(in: 0..<4, using: &generator) > 0,
                    rsv: Int.random(in: 0..<5, using: &generator) == 0 ? 4 : 0
                )
            }
            check([bytes], configuration: Self.configuration, deflate: NegotiatedDeflate())
        }
    }
}
