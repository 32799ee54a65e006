/// An incremental HTTP/1.1 response parser: feed bytes as they arrive and get the response once it is
/// complete. It does no I/O, so every framing rule can be tested with input split at any byte.
/// Limits apply while reading: a server can never make it buffer more than the header and body limits.
struct HTTPResponseParser {
    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case complete
    }

    /// A chunk-size line is hex digits plus extensions we ignore; nothing legitimate comes near this.
    private static let maxChunkLineBytes = 4096

    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    private let isHeadRequest: Bool
    private var state = State.head
    /// Received bytes not yet consumed: at most one partial line, since body bytes move straight to `body`.
    private var pending: [UInt8] = []
    /// Bytes of the current header section (or trailer section) so far, checked against `maxHeaderBytes`.
    private var sectionBytes = 0
    private var status = 0
    private var headers: [(String, String)] = []
    private var body: [UInt8] = []

    init(maxHeaderBytes: Int, maxBodyBytes: Int, requestMethod: String = "GET") {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        isHeadRequest = requestMethod == "HEAD"
    }

    /// Consumes `bytes`; returns the response once it is complete. Anything after it is ignored,
    /// as the client sends `Connection: close` and never reuses the connection.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(HTTPClientError) -> HTTPClientResponse? {
        pending.append(contentsOf: bytes)
        var index = 0
        defer { pending.removeFirst(min(index, pending.count)) }
        while true {
            switch state {
            case .complete:
                return HTTPClientResponse(status: status, headers: headers, body: body)
            case .head:
                guard let line = try nextLine(&index, limit: maxHeaderBytes - sectionBytes, tooLong: headerTooLarge)
                else { return nil }
                try headLine(line.bytes, length: line.length)
            case .fixedBody(let remaining):
                let count = try takeBody(&index, upTo: remaining)
                state = count == remaining ? .complete : .fixedBody(remaining: remaining - count)
                if count < remaining { return nil }
            case .chunkSize:
                let tooLong = HTTPClientError("chunk size line exceeds \(Self.maxChunkLineBytes) bytes")
                guard let line = try nextLine(&index, limit: Self.maxChunkLineBytes, tooLong: tooLong) else {
                    return nil
                }
                let size = try chunkSize(line.bytes)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
                sectionBytes = 0
            case .chunkData(let remaining):
                let count = try takeBody(&index, upTo: remaining)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                if count < remaining { return nil }
            case .chunkDataEnd:
                let tooLong = HTTPClientError("chunk data longer than its size")
                guard let line = try nextLine(&index, limit: 2, tooLong: tooLong) else { return nil }
                guard line.bytes.isEmpty else { throw tooLong }
                state = .chunkSize
            case .trailers:
                guard let line = try nextLine(&index, limit: maxHeaderBytes - sectionBytes, tooLong: headerTooLarge)
                else { return nil }
                sectionBytes += line.length
                // Trailer fields are validated, then dropped: nothing here uses them, and merging them
                // into the header list would let the end of a body rewrite fields already acted on.
                if line.bytes.isEmpty { state = .complete } else { _ = try field(line.bytes) }
            case .untilClose:
                _ = try takeBody(&index, upTo: Int.max)
                return nil
            }
        }
    }

    /// Reports the end of the stream: it completes a close-delimited body; anywhere else the response was cut short.
    mutating func finish() throws(HTTPClientError) -> HTTPClientResponse {
        switch state {
        case .untilClose, .complete: return HTTPClientResponse(status: status, headers: headers, body: body)
        case .head where status == 0 && pending.isEmpty && sectionBytes == 0:
            throw HTTPClientError("connection closed without a response")
        default: throw HTTPClientError("connection closed before the response was complete")
        }
    }

    // MARK: Lines

    private var headerTooLarge: HTTPClientError { HTTPClientError("response header exceeds \(maxHeaderBytes) bytes") }

    /// The next LF-terminated line without its CRLF, and how many bytes it took. Nil when more input is
    /// needed; throws when the line would not fit in `limit`, so an endless line fails as soon as it is too long.
    private func nextLine(
        _ index: inout Int,
        limit: Int,
        tooLong: HTTPClientError
    ) throws(HTTPClientError)
        -> (bytes: ArraySlice<UInt8>, length: Int)?
    {
        let available = pending[index...]
        guard let newline = available.prefix(max(limit, 0)).firstIndex(of: 10) else {
            if available.count >= limit { throw tooLong }
            return nil
        }
        var line = pending[index..<newline]
        if line.last == 13 { line = line.dropLast() }
        // A bare CR inside a line is how responses get split differently by different parsers.
        guard !line.contains(13) else { throw HTTPClientError("bare CR in a response line") }
        let length = newline + 1 - index
        index = newline + 1
        return (line, length)
    }

    private mutating func headLine(_ line: ArraySlice<UInt8>, length: Int) throws(HTTPClientError) {
        sectionBytes += length
        if status == 0 {
            status = try Self.statusCode(line)
        } else if !line.isEmpty {
            headers.append(try field(line))
        } else if status < 200 {
            // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
            guard status != 101 else { throw HTTPClientError("unexpected 101 Switching Protocols") }
            (status, headers, sectionBytes) = (0, [], 0)
        } else {
            try startBody()
        }
    }

    private static func statusCode(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> Int {
        // "HTTP/1.1 200 OK": version, three digits, then an optional reason phrase.
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[0..<7].elementsEqual("HTTP/1.".utf8), (48...57).contains(bytes[7]),
            bytes[8] == 32, bytes[9...11].allSatisfy({ (48...57).contains($0) }),
            bytes.count == 12 || bytes[12] == 32
        else { throw HTTPClientError("invalid status line") }
        let code = bytes[9...11].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard code >= 100 else { throw HTTPClientError("invalid status code \(code)") }
        return code
    }

    private func field(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> (String, String) {
        // Obsolete line folding (a line starting with whitespace) is rejected, as RFC 9112 5.2 allows.
        guard let colon = line.firstIndex(of: 58), colon > line.startIndex,
            line[..<colon].allSatisfy(isTokenByte)
        else {
            throw HTTPClientError(
                line.first == 32 || line.first == 9 ? "obsolete header line folding" : "invalid header line"
            )
        }
        let trimmed = trimmingWhitespace(line[(colon + 1)...])
        guard trimmed.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 9 }) else {
            throw HTTPClientError("invalid character in header value")
        }
        return (String(decoding: line[..<colon], as: UTF8.self), String(decoding: trimmed, as: UTF8.self))
    }

    // MARK: Body

    /// Chooses the body framing (RFC 9112 6.3) once the header section is complete.
    private mutating func startBody() throws(HTTPClientError) {
        if isHeadRequest || status == 204 || status == 304 {
            state = .complete
            return
        }
        let codings = headers.filter { asciiLowercased($0.0) == "transfer-encoding" }.map { asciiLowercased($0.1) }
        if !codings.isEmpty {
            // Transfer-Encoding overrides Content-Length. Only plain chunked is decoded; anything else
            // (gzip) was not asked for, since requests send Accept-Encoding: identity.
            guard codings == ["chunked"] else {
                throw HTTPClientError("unsupported transfer coding \(codings.joined(separator: ", "))")
            }
            state = .chunkSize
            return
        }
        let lengths = Set(headers.filter { asciiLowercased($0.0) == "content-length" }.map(\.1))
        guard let text = lengths.first else {
            state = .untilClose
            return
        }
        // Disagreeing or non-numeric lengths mean the framing cannot be trusted (RFC 9112 6.3 item 5).
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let length = Int(text)
        else { throw HTTPClientError("invalid Content-Length \"\(lengths.joined(separator: ", "))\"") }
        guard length <= maxBodyBytes else { throw HTTPClientError.bodyTooLarge(maxBodyBytes) }
        body.reserveCapacity(length)
        state = length == 0 ? .complete : .fixedBody(remaining: length)
    }

    /// Moves up to `limit` pending bytes into the body, enforcing the body limit; returns how many moved.
    private mutating func takeBody(_ index: inout Int, upTo limit: Int) throws(HTTPClientError) -> Int {
        let count = min(limit, pending.count - index)
        guard count <= maxBodyBytes - body.count else { throw HTTPClientError.bodyTooLarge(maxBodyBytes) }
        body.append(contentsOf: pending[index..<(index + count)])
        index += count
        return count
    }

    /// Strict hex chunk size (no sign, prefix or spaces), ignoring chunk extensions after ";".
    private func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPClientError) -> Int {
        var digits = line.prefix { $0 != 59 }
        // Whitespace may only precede an extension (RFC 9112 7.1.1 "BWS ;").
        if digits.count < line.count { digits = trimmingWhitespace(digits) }
        guard !digits.isEmpty, digits.allSatisfy(isHexDigit) else { throw HTTPClientError("invalid chunk size") }
        var size = 0
        for digit in digits {
            let value = Int(digit <= 57 ? digit - 48 : (digit | 0x20) - 87)
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { throw HTTPClientError("chunk size overflows") }
            size = shifted + value
        }
        guard size <= maxBodyBytes - body.count else { throw HTTPClientError.bodyTooLarge(maxBodyBytes) }
        return size
    }
}

/// Drops leading and trailing spaces and tabs (optional whitespace around field values).
private func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var result = bytes.drop { $0 == 32 || $0 == 9 }
    while let last = result.last, last == 32 || last == 9 { result = result.dropLast() }
    return result
}
