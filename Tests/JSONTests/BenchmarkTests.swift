import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hand-run timings, skipped unless `JSON_BENCH` is set. They print numbers and assert nothing about speed:
/// `JSON_BENCH=1 swift test -c release --filter BenchmarkTests`
@Suite(.enabled(if: getenv("JSON_BENCH") != nil)) struct BenchmarkTests {
    static let command = Array(
        #"""
        {"id":"c1","type":"send","group":1024,"clientMsgId":"8f2c0a4e-6f1b-4a8e-9d3c-2b7f5e1a9c40","kind":"text",\#
        "body":{"text":"明天上午九点在教学楼A201开班会"}}
        """#.utf8
    )

    /// Runs `body` `iterations` times after a warm-up and prints the mean time per call.
    private func measure(_ name: String, iterations: Int = 1_000_000, _ body: () throws -> Int) rethrows {
        var sink = 0
        for _ in 0..<iterations / 10 {
            sink &+= try body()
        }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            sink &+= try body()
        }
        let elapsed = clock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        print("\(name): \(Int(nanoseconds / Double(iterations))) ns/op (checksum \(sink & 0xFF))")
    }

    @Test func parseChatCommand() throws {
        print("command size: \(Self.command.count) bytes")
        try measure("parse [UInt8] command") {
            guard case .object(let object) = try JSONParser.parse(Self.command) else { return 0 }
            return object.count
        }
    }

    @Test func parseAndDecodeChatCommand() throws {
        try measure("parse + JSONFields decode") {
            var fields = try JSONFields(try JSONParser.parse(Self.command))
            let group = try fields.int("group", in: 1...Int64.max)
            _ = try fields.string("id", maxBytes: 64)
            _ = try fields.string("type", maxBytes: 32)
            _ = try fields.string("clientMsgId", maxBytes: 64)
            _ = try fields.string("kind", maxBytes: 16)
            var body = try fields.object("body")
            let text = try body.string("text", maxBytes: 4096, nonEmpty: true)
            try body.rejectUnknownFields()
            try fields.rejectUnknownFields()
            return Int(group) &+ text.utf8.count
        }
    }

    @Test func writePushFrame() {
        var writer = JSONWriter(capacity: 512)
        measure("JSONWriter push frame (reused buffer)") {
            writer.reset()
            writer.beginObject()
            writer.key("type")
            writer.string("message")
            writer.key("group")
            writer.int(1024)
            writer.key("seq")
            writer.int(123_456)
            writer.key("id")
            writer.int(987_654_321)
            writer.key("sender")
            writer.int(42)
            writer.key("clientMsgId")
            writer.string("8f2c0a4e-6f1b-4a8e-9d3c-2b7f5e1a9c40")
            writer.key("kind")
            writer.string("text")
            writer.key("body")
            writer.beginObject()
            writer.key("text")
            writer.string("明天上午九点在教学楼A201开班会")
            writer.endObject()
            writer.key("ts")
            writer.int(1_732_345_678_901)
            writer.endObject()
            return writer.bytes.count
        }
        print("push frame size: \(writer.bytes.count) bytes")
    }

    @Test func writePushFrameWithRawBody() {
        let body = Array(#"{"text":"明天上午九点在教学楼A201开班会"}"#.utf8)
        measure("JSONWriter push frame, raw cached body, fresh buffer") {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("type")
            writer.string("message")
            writer.key("group")
            writer.int(1024)
            writer.key("seq")
            writer.int(123_456)
            writer.key("body")
            writer.raw(body)
            writer.endObject()
            return writer.bytes.count
        }
    }

    @Test func encodeValueTree() throws {
        let value = try JSONParser.parse(Self.command)
        measure("JSONValue.encoded() command") { value.encoded().count }
    }
}

/// Hand-run timings of worst-case inputs near the default limits, skipped unless `JSON_BENCH` is set:
/// `JSON_BENCH=1 swift test -c release --filter HostileInputTimings`
@Suite(.enabled(if: getenv("JSON_BENCH") != nil)) struct HostileInputTimings {
    private func time(_ name: String, _ input: [UInt8]) {
        let clock = ContinuousClock()
        var outcome = ""
        let elapsed = clock.measure {
            do {
                _ = try JSONParser.parse(input)
                outcome = "parsed"
            } catch {
                outcome = "\(error)"
            }
        }
        print("\(name) (\(input.count) bytes): \(elapsed) — \(outcome)")
    }

    @Test func worstCases() {
        let keys = (0..<85_000).map { "\"\(String($0, radix: 36))\":0" }.joined(separator: ",")
        time("85k distinct keys", Array(("{" + keys + "}").utf8))
        time("100k nested [", [UInt8](repeating: UInt8(ascii: "["), count: 100_000))
        time(
            "100k array elements",
            Array(("[" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]").utf8)
        )
        time("1 MiB string of \\u escapes", Array(("\"" + String(repeating: "\\u4e2d", count: 170_000) + "\"").utf8))
        time("1 MiB plain string", Array(("\"" + String(repeating: "明", count: 340_000) + "\"").utf8))
        let longNumber = "0." + String(repeating: "1", count: 500)
        time(
            "2k 500-digit numbers",
            Array(("[" + Array(repeating: longNumber, count: 2000).joined(separator: ",") + "]").utf8)
        )
        time("50k nested arrays of one element", Array(("[" + String(repeating: "[1],", count: 50_000) + "1]").utf8))
    }
}
