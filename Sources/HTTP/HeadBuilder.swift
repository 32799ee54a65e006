/// Accumulates header fields after a request line and derives framing and connection semantics from them.
///
/// The special fields are interpreted on raw bytes while each line is parsed, so finishing the head needs no
/// second pass over the headers.
struct HeadBuilder: Sendable {
    private let line: RequestLine
    private var headers = HTTPHeaders(reservingCapacity: 16)
    private var hostCount = 0
    private var contentLength: Int?
    private var hasTransferEncoding = false
    private var transferEncodingMalformed = false
    private var transferCodingCount = 0
    private var onlyChunked = true
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var connectionUpgrade = false
    private var hasUpgrade = false

    init(line: RequestLine) {
        self.line = line
    }

    /// Validates one field line (without CRLF) and records it.
    mutating func addField(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        let field = try FieldLine.parse(bytes)
        let name = UnsafeRawBufferPointer(rebasing: bytes[0..<field.nameEnd])
        let value = UnsafeRawBufferPointer(rebasing: bytes[field.value])
        switch name.count {
        case 4 where ASCII.equalsIgnoringCase(name, "host"):
            hostCount += 1
        case 7 where ASCII.equalsIgnoringCase(name, "upgrade"):
            hasUpgrade = true
        case 10 where ASCII.equalsIgnoringCase(name, "connection"):
            recordConnection(value)
        case 14 where ASCII.equalsIgnoringCase(name, "content-length"):
            try recordContentLength(value)
        case 17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"):
            recordTransferEncoding(value)
        default:
            break
        }
        headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    /// Applies the whole-head rules (RFC 9112 §3.2, §6.1, §6.3) and returns the head.
    func finish() throws(HTTPParseError) -> RequestHead {
        let version = line.version
        // RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host; several are ambiguous in any version.
        guard hostCount == 1 || (hostCount == 0 && version == .http1_0) else { throw .invalidHost }
        if hasTransferEncoding {
            // RFC 9112 §6.1/§6.3: CL together with TE is a smuggling vector; an HTTP/1.0 peer cannot have sent
            // chunked framing we could trust. Both are rejected instead of "TE wins".
            guard contentLength == nil else { throw .conflictingFraming }
            guard version == .http1_1, !transferEncodingMalformed else { throw .invalidTransferEncoding }
            guard transferCodingCount == 1, onlyChunked else { throw .unsupportedTransferCoding }
        }
        let keepAlive = !connectionClose && (version == .http1_1 || connectionKeepAlive)
        return RequestHead(
            method: line.method,
            target: line.target,
            path: line.path,
            query: line.query,
            version: version,
            headers: headers,
            keepAlive: keepAlive,
            isUpgrade: version == .http1_1 && hasUpgrade && connectionUpgrade,
            contentLength: contentLength,
            isChunked: hasTransferEncoding
        )
    }

    private mutating func recordConnection(_ value: UnsafeRawBufferPointer) {
        ASCII.forEachListElement(value) { token in
            if ASCII.equalsIgnoringCase(token, "close") {
                connectionClose = true
            } else if ASCII.equalsIgnoringCase(token, "keep-alive") {
                connectionKeepAlive = true
            } else if ASCII.equalsIgnoringCase(token, "upgrade") {
                connectionUpgrade = true
            }
            return true
        }
    }

    // RFC 9112 §6.3: Content-Length = 1*DIGIT; a list or repeated field of identical values is accepted as that
    // value, differing values are a framing error. Accumulation is range-checked: overflow is a 400, not a trap.
    private mutating func recordContentLength(_ value: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var parsed: Int?
        var valid = true
        ASCII.forEachListElement(value) { element in
            guard let number = Self.decimal(element), parsed == nil || parsed == number else {
                valid = false
                return false
            }
            parsed = number
            return true
        }
        guard valid, let parsed, contentLength == nil || contentLength == parsed else {
            throw .invalidContentLength
        }
        contentLength = parsed
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var result = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit))
            guard !overflow1, !overflow2 else { return nil }
            result = sum
        }
        return result
    }

    // RFC 9112 §6.1: the codings of every Transfer-Encoding field form one list. We support exactly `chunked`;
    // anything else (gzip, chunked twice, chunked not last) is decided in finish().
    private mutating func recordTransferEncoding(_ value: UnsafeRawBufferPointer) {
        hasTransferEncoding = true
        ASCII.forEachListElement(value) { coding in
            guard !coding.isEmpty else {
                transferEncodingMalformed = true
                return false
            }
            transferCodingCount += 1
            if !ASCII.equalsIgnoringCase(coding, "chunked") { onlyChunked = false }
            return true
        }
    }
}
