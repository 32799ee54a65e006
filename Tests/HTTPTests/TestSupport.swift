import HTTP
import Testing

/// What a parser produced from a byte stream: its events (adjacent `.body` events merged) and the error it
/// stopped with, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var events: [RequestEvent]
    var error: HTTPParseError?

    /// One line per event, e.g. `head GET /a?x=1 1.1 keep-alive`, `body hello`, `end`.
    var summary: [String] { events.map(describe) }

    var description: String {
        (summary + (error.map { ["error \($0)"] } ?? [])).joined(separator: " | ")
    }
}

/// Feeds `chunks` in order, draining events after each one.
func parse(_ chunks: [[UInt8]], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var events: [RequestEvent] = []
    for chunk in chunks {
        parser.feed(chunk)
        do {
            while let event = try parser.next() { events.append(event) }
        } catch {
            return ParseOutcome(events: mergingBodies(events), error: error)
        }
    }
    return ParseOutcome(events: mergingBodies(events), error: nil)
}

/// Feeds `text` (as UTF-8) in one chunk.
func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    parse([Array(text.utf8)], limits: limits)
}

/// Splits `bytes` at the given offsets (sorted, in 0...count).
func split(_ bytes: [UInt8], at offsets: [Int]) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var start = 0
    for offset in offsets.sorted() + [bytes.count] {
        chunks.append(Array(bytes[start..<offset]))
        start = offset
    }
    return chunks
}

func mergingBodies(_ events: [RequestEvent]) -> [RequestEvent] {
    var merged: [RequestEvent] = []
    var body: [UInt8] = []
    var inBody = false
    for event in events {
        if case .body(let bytes) = event {
            body.append(contentsOf: bytes)
            inBody = true
            continue
        }
        if inBody {
            merged.append(.body(body))
            body = []
            inBody = false
        }
        merged.append(event)
    }
    if inBody { merged.append(.body(body)) }
    return merged
}

func describe(_ event: RequestEvent) -> String {
    switch event {
    case .head(let head):
        var parts = ["head", head.method.rawValue, head.path + (head.query.map { "?" + $0 } ?? "")]
        parts.append("\(head.version.major).\(head.version.minor)")
        if head.keepAlive { parts.append("keep-alive") }
        if let length = head.contentLength { parts.append("cl=\(length)") }
        if head.isChunked { parts.append("chunked") }
        if let upgrade = head.upgradeProtocol { parts.append("upgrade=\(upgrade)") }
        return parts.joined(separator: " ")
    case .body(let bytes):
        return "body " + String(decoding: bytes, as: UTF8.self)
    case .end:
        return "end"
    }
}
