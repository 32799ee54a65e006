/// The request state machine behind ``RequestParser``: decodes events from a byte buffer it does not own.
///
/// `start` is the offset of the first unconsumed byte in the buffer passed to ``next(_:)``; the owner of the
/// buffer calls ``discard(_:)`` when it drops consumed bytes. Line-based states remember how far they already
/// searched for CRLF (`scanned`), so feeding a head one byte at a time stays linear.
struct RequestDecoder: Sendable {
    private enum State: Sendable, Equatable {
        case requestLine
        case headerFields
        case bodyStart(contentLength: Int?, chunked: Bool)
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerFields
        case end
        case upgraded
        case closed
    }

    private enum Line {
        case complete(end: Int)
        case incomplete(length: Int)
    }

    let limits: HTTPLimits
    private(set) var start = 0
    private var scanned = 0
    private var state = State.requestLine
    private var builder: HeadBuilder?
    private var sectionBytes = 0
    private var sectionCount = 0
    private var bodyLimit = 0
    private var bodyReceived = 0
    private var extensionBudget = 0
    private var upgradeAfterEnd = false
    private var keepAliveAfterEnd = true

    init(limits: HTTPLimits) {
        self.limits = HTTPLimits(
            maxRequestLine: max(0, limits.maxRequestLine),
            maxHeaderBytes: max(0, limits.maxHeaderBytes),
            maxHeaderCount: max(0, limits.maxHeaderCount),
            maxBodySize: max(0, limits.maxBodySize),
            maxChunkExtensionBytes: max(0, limits.maxChunkExtensionBytes)
        )
    }

    /// Whether the request being decoded was an upgrade and its head, body and end have all been returned.
    var isUpgraded: Bool { state == .upgraded }

    /// Whether the last request did not keep the connection alive and its end has been returned.
    var isClosed: Bool { state == .closed }

    /// The owner removed `count` consumed bytes from the front of the buffer.
    mutating func discard(_ count: Int) {
        start -= count
    }

    /// The owner removed every byte; line scanning restarts with the next bytes.
    mutating func discardAll() {
        start = 0
        scanned = 0
    }

    /// Sets the body limit for the current request (see ``RequestParser/overrideMaxBodySize(_:)``).
    mutating func overrideMaxBodySize(_ limit: Int) {
        bodyLimit = max(0, limit)
    }

    /// Returns the next event from `buffer`, or nil when more bytes are needed.
    mutating func next(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> RequestEvent? {
        while true {
            switch state {
            case .requestLine:
                switch try scanLine(buffer) {
                case .incomplete(let length):
                    if length > limits.maxRequestLine { throw .uriTooLong }
                    return nil
                case .complete(let end):
                    let length = end - start
                    let line = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                    start = end + 2
                    // RFC 9112 §2.2: ignore empty lines before a request line (some clients send CRLF after a body).
                    if length == 0 { continue }
                    if length > limits.maxRequestLine { throw .uriTooLong }
                    builder = HeadBuilder(line: try RequestLine.parse(line))
                    sectionBytes = 0
                    sectionCount = 0
                    state = .headerFields
                }

            case .headerFields, .trailerFields:
                switch try scanLine(buffer) {
                case .incomplete(let length):
                    if sectionBytes + length > limits.maxHeaderBytes { throw .headerSectionTooLarge }
                    return nil
                case .complete(let end):
                    let length = end - start
                    let line = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                    start = end + 2
                    sectionBytes += length + 2
                    if sectionBytes > limits.maxHeaderBytes { throw .headerSectionTooLarge }
                    if length == 0 {
                        if state == .trailerFields {
                            state = .end
                            continue
                        }
                        return .head(try finishHead())
                    }
                    sectionCount += 1
                    if sectionCount > limits.maxHeaderCount { throw .tooManyHeaders }
                    if state == .trailerFields {
                        // RFC 9112 §7.1.2: trailers are validated like headers, then discarded.
                        _ = try FieldLine.parse(line)
                    } else {
                        try builder!.addField(line)
                    }
                }

            case .bodyStart(let contentLength, let chunked):
                if chunked {
                    state = .chunkSizeLine
                } else if let contentLength, contentLength > 0 {
                    // Checked here, after the head was returned, so the owner can raise the limit for this route.
                    if contentLength > bodyLimit { throw .contentTooLarge }
                    state = .fixedBody(remaining: contentLength)
                } else {
                    state = .end
                }

            case .fixedBody(let remaining):
                guard let bytes = take(upTo: remaining, from: buffer) else { return nil }
                state = bytes.count == remaining ? .end : .fixedBody(remaining: remaining - bytes.count)
                return .body(bytes)

            case .chunkSizeLine:
                switch try scanLine(buffer) {
                case .incomplete(let length):
                    if length - ChunkSizeLine.maxDigits > extensionBudget {
                        throw Self.overlongChunkLine(UnsafeRawBufferPointer(rebasing: buffer[start...]))
                    }
                    return nil
                case .complete(let end):
                    let chunk = try ChunkSizeLine.parse(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                    start = end + 2
                    extensionBudget -= chunk.extensionBytes
                    if extensionBudget < 0 { throw .chunkExtensionsTooLarge }
                    if chunk.size == 0 {
                        sectionBytes = 0
                        sectionCount = 0
                        state = .trailerFields
                    } else {
                        // Fails as soon as the declared chunk would pass the limit, before its data is read.
                        if chunk.size > bodyLimit - bodyReceived { throw .contentTooLarge }
                        bodyReceived += chunk.size
                        state = .chunkData(remaining: chunk.size)
                    }
                }

            case .chunkData(let remaining):
                guard let bytes = take(upTo: remaining, from: buffer) else { return nil }
                state = bytes.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)

            case .chunkDataEnd:
                let available = buffer.count - start
                if available >= 1, buffer[start] != ASCII.cr { throw .invalidChunkTerminator }
                if available < 2 { return nil }
                if buffer[start + 1] != ASCII.lf { throw .invalidChunkTerminator }
                start += 2
                state = .chunkSizeLine

            case .end:
                // RFC 9112 §9.6: after a request with `close`, the server must not process further requests.
                state = upgradeAfterEnd ? .upgraded : keepAliveAfterEnd ? .requestLine : .closed
                return .end

            case .upgraded, .closed:
                return nil
            }
        }
    }

    private mutating func finishHead() throws(HTTPParseError) -> RequestHead {
        let head = try builder!.finish()
        builder = nil
        upgradeAfterEnd = head.isUpgrade
        keepAliveAfterEnd = head.keepAlive
        bodyLimit = limits.maxBodySize
        bodyReceived = 0
        extensionBudget = limits.maxChunkExtensionBytes
        state = .bodyStart(contentLength: head.contentLength, chunked: head.isChunked)
        return head
    }

    // Finds the CRLF ending the line that begins at `start`. Strict: a CR not followed by LF, or an LF without a
    // CR, is an error (RFC 9112 §2.2 permits accepting bare LF; we do not, so every parser on the path agrees).
    private mutating func scanLine(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Line {
        var index = start + scanned
        let count = buffer.count
        while index < count {
            // Fast path: skip 8 bytes at a time while none can be CR or LF.
            if index + 8 <= count {
                let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if !ASCII.anyByte(in: word, below: ASCII.cr + 1) {
                    index += 8
                    continue
                }
            }
            let byte = buffer[index]
            if byte > ASCII.cr {
                index += 1
                continue
            }
            if byte == ASCII.cr {
                guard index + 1 < count else { break }
                guard buffer[index + 1] == ASCII.lf else { throw .invalidLineEnding }
                scanned = 0
                return .complete(end: index)
            }
            if byte == ASCII.lf { throw .invalidLineEnding }
            index += 1
        }
        scanned = index - start
        return .incomplete(length: index - start)
    }

    private mutating func take(upTo limit: Int, from buffer: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = min(buffer.count - start, limit)
        guard count > 0 else { return nil }
        let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)]))
        start += count
        return bytes
    }

    // An unterminated chunk-size line passed its bound: report an overlong size if that is what it starts with.
    private static func overlongChunkLine(_ bytes: UnsafeRawBufferPointer) -> HTTPParseError {
        let digits = bytes.prefix { ASCII.hexValue($0) != nil }.count
        return digits > ChunkSizeLine.maxDigits ? .invalidChunkSize : .chunkExtensionsTooLarge
    }
}
