/// The parsed request line (RFC 9112 §3): `method SP request-target SP HTTP-version`.
struct RequestLine: Sendable {
    var method: HTTPMethod
    var target: String
    var path: String
    var query: String?
    var version: HTTPVersion

    /// Parses a request line without its CRLF. Checks run in this order: syntax, including the target's characters
    /// (400), version (505), method (501), target form (400).
    static func parse(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> RequestLine {
        let count = line.count
        var index = 0
        while index < count, ASCII.isToken(line[index]) { index += 1 }
        guard index > 0, index < count, line[index] == ASCII.space else {
            throw index > 0 && index < count ? .invalidMethod : .malformedRequestLine
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[0..<index])

        // RFC 9112 §3.2: the target is URI syntax, i.e. visible ASCII. Raw UTF-8, controls and `#` (no target form
        // includes a fragment) are rejected rather than passed on to the router.
        let targetStart = index + 1
        index = targetStart
        while index < count {
            let byte = line[index]
            if byte == ASCII.space { break }
            guard byte > 0x20, byte < 0x7F, byte != 0x23 else { throw .invalidTarget }
            index += 1
        }
        // No second space: an HTTP/0.9 request line (`GET /`) or an empty target (`GET  HTTP/1.1`).
        guard index < count, index > targetStart else { throw .malformedRequestLine }
        let targetBytes = UnsafeRawBufferPointer(rebasing: line[targetStart..<index])
        let version = try parseVersion(UnsafeRawBufferPointer(rebasing: line[(index + 1)...]))

        guard let method = HTTPMethod.fromWire(methodBytes) else { throw .notImplemented }
        let target = String(decoding: targetBytes, as: UTF8.self)
        let (path, query) = try split(targetBytes, target: target, method: method)
        return RequestLine(method: method, target: target, path: path, query: query, version: version)
    }

    // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
    private static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        guard bytes.count == 8, bytes[0] == 0x48, bytes[1] == 0x54, bytes[2] == 0x54, bytes[3] == 0x50,
            bytes[4] == ASCII.slash, bytes[6] == 0x2E
        else { throw .invalidVersion }
        let major = bytes[5] &- 0x30
        let minor = bytes[7] &- 0x30
        guard major < 10, minor < 10 else { throw .invalidVersion }
        guard major == 1, minor <= 1 else { throw .versionNotSupported }
        return minor == 1 ? .http1_1 : .http1_0
    }

    // RFC 9112 §3.2: origin-form, absolute-form (http/https only), or asterisk-form for OPTIONS. authority-form
    // belongs to CONNECT, which is already rejected with 501.
    private static func split(
        _ bytes: UnsafeRawBufferPointer,
        target: String,
        method: HTTPMethod
    ) throws(HTTPParseError) -> (path: String, query: String?) {
        if bytes[0] == ASCII.slash {
            guard let question = bytes.firstIndex(of: ASCII.question) else { return (target, nil) }
            return (string(bytes, 0..<question), string(bytes, (question + 1)..<bytes.count))
        }
        if bytes.count == 1, bytes[0] == 0x2A {
            guard method == .OPTIONS else { throw .invalidTarget }
            return (target, nil)
        }
        let schemeLength: Int
        if hasPrefix(bytes, "http://") {
            schemeLength = 7
        } else if hasPrefix(bytes, "https://") {
            schemeLength = 8
        } else {
            throw .invalidTarget
        }
        var index = schemeLength
        while index < bytes.count, bytes[index] != ASCII.slash, bytes[index] != ASCII.question { index += 1 }
        guard index > schemeLength else { throw .invalidTarget }
        let question = bytes[index...].firstIndex(of: ASCII.question)
        let pathEnd = question ?? bytes.count
        let path = index < pathEnd ? string(bytes, index..<pathEnd) : "/"
        return (path, question.map { string(bytes, ($0 + 1)..<bytes.count) })
    }

    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        return bytes.count >= length
            && ASCII.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), prefix)
    }

    private static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
