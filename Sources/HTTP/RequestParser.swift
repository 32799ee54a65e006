/// An incremental, sans-I/O HTTP/1.1 request parser (RFC 9112).
///
/// Feed bytes as they arrive in any chunking, then call ``next()`` until it returns nil:
///
/// ```swift
/// parser.feed(bytes)
/// while let event = try parser.next() {
///     switch event {
///     case .head(let head): ...   // optionally parser.overrideMaxBodySize(...) for this route
///     case .body(let bytes): ...
///     case .end: ...
///     }
/// }
/// ```
///
/// Each request produces `.head`, zero or more `.body`, then `.end`; pipelined requests follow in order. Body
/// bytes are handed out as they arrive, never accumulated. The parser is strict: lines must end with CRLF, header
/// values must not be folded, and ambiguous body framing is rejected, so the parser cannot be made to disagree with
/// a proxy about where a request ends (request smuggling).
///
/// After an error, every later ``next()`` throws the same error and fed bytes are dropped: answer with the error's
/// response and close the connection. After the `.end` of an upgrade request (``RequestHead/isUpgrade``) the parser
/// stops and ``next()`` returns nil; the bytes that followed the request are available from ``takeBufferedBytes()``.
/// After the `.end` of a request that does not keep the connection alive (``RequestHead/keepAlive``), the parser
/// also stops (``isClosed``): RFC 9112 §9.6 forbids processing requests pipelined behind `Connection: close`, so
/// bytes fed from then on are dropped.
///
/// Memory: the parser holds only unconsumed bytes and releases its buffer whenever everything fed has been consumed,
/// so an idle connection costs no buffer at all.
public struct RequestParser: Sendable {
    private var buffer: [UInt8] = []
    private var decoder: RequestDecoder
    private var failure: HTTPParseError?

    /// Creates a parser that enforces `limits`.
    public init(limits: HTTPLimits = HTTPLimits()) {
        decoder = RequestDecoder(limits: limits)
    }

    /// The limits this parser enforces.
    public var limits: HTTPLimits { decoder.limits }

    /// Appends received bytes. Ignored once the parser has failed or is closed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !decoder.isClosed, !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes. Ignored once the parser has failed or is closed.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Appends received bytes. Ignored once the parser has failed or is closed.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        guard failure == nil, !decoder.isClosed, !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next event, or nil when more bytes are needed (or the parser stopped after an upgrade or a
    /// closing request).
    ///
    /// - Throws: ``HTTPParseError`` when the request violates RFC 9112 or a limit; the parser is then poisoned.
    public mutating func next() throws(HTTPParseError) -> RequestEvent? {
        if let failure { throw failure }
        let bytes = buffer
        do {
            let event = try bytes.span.bytes.withUnsafeBytes { (raw) throws(HTTPParseError) in
                try decoder.next(raw)
            }
            if decoder.start == buffer.count || decoder.isClosed, !buffer.isEmpty {
                // Everything consumed (or never to be parsed): drop the allocation, so idle connections hold no
                // buffer.
                buffer = []
                decoder.discardAll()
            }
            return event
        } catch {
            failure = error
            buffer = []
            decoder.discardAll()
            throw error
        }
    }

    /// Sets the largest body accepted for the request whose `.head` was just returned, replacing
    /// ``HTTPLimits/maxBodySize`` for that request only. Call it before asking for the next event: a declared
    /// `Content-Length` is checked against it then, and chunked bodies are checked chunk by chunk.
    public mutating func overrideMaxBodySize(_ maxBodySize: Int) {
        decoder.overrideMaxBodySize(maxBodySize)
    }

    /// Returns the bytes buffered beyond what has been consumed, and empties the buffer.
    ///
    /// Use it after the `.head` (or `.end`) of an upgrade request to hand the rest of the stream, such as the first
    /// WebSocket frames, to the next protocol, or whenever you stop parsing HTTP on this connection. It does not
    /// change the parser's state; to go on parsing HTTP from the taken bytes, feed them to a new parser.
    public mutating func takeBufferedBytes() -> [UInt8] {
        let start = decoder.start
        let rest = start == 0 ? buffer : Array(buffer[start...])
        buffer = []
        decoder.discardAll()
        return rest
    }

    /// Whether bytes are buffered beyond what has been consumed.
    public var hasBufferedBytes: Bool { decoder.start < buffer.count }

    /// How many bytes are buffered beyond what has been consumed (pipelined input waiting behind a response).
    public var bufferedByteCount: Int { buffer.count - decoder.start }

    /// Whether the parser stopped after the `.end` of an upgrade request.
    public var isUpgraded: Bool { decoder.isUpgraded }

    /// Whether the parser stopped after the `.end` of a request that does not keep the connection alive; send the
    /// response, then close the connection.
    public var isClosed: Bool { decoder.isClosed }

    /// The error the parser failed with, if any.
    public var error: HTTPParseError? { failure }

    // Drops consumed bytes before appending. Moving the rest only when it is at most as large as what is dropped
    // keeps the total copying linear in the bytes fed.
    private mutating func compact() {
        let start = decoder.start
        guard start > 0 else { return }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            decoder.discard(start)
        } else if start >= buffer.count - start {
            buffer.removeSubrange(0..<start)
            decoder.discard(start)
        }
    }
}
