/// An outbound request. `url` is absolute (http or https); the client adds Host, User-Agent,
/// Connection, Content-Length and Accept-Encoding itself.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

extension HTTPClientRequest {
    /// Fields that describe the connection or framing; a caller setting them could smuggle a second request.
    private static let managedFields: Set<String> = ["host", "content-length", "connection", "transfer-encoding"]

    /// The request line and header section for `target`, validated so nothing in them can split the message.
    func serializedHead(for target: ClientURL) throws(HTTPClientError) -> [UInt8] {
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw HTTPClientError("invalid request method \"\(method)\"")
        }
        var head = "\(method) \(target.target) HTTP/1.1\r\nHost: \(target.authority)\r\n"
        var callerSet: Set<String> = []
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw HTTPClientError("invalid header name \"\(name)\"")
            }
            // CR, LF and NUL would end the field early; other controls are equally invalid (RFC 9110 5.5).
            guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                throw HTTPClientError("invalid value for header \(name)")
            }
            let lower = asciiLowercased(name)
            guard !Self.managedFields.contains(lower) else {
                throw HTTPClientError("header \(name) is set by the client")
            }
            callerSet.insert(lower)
            head += "\(name): \(value)\r\n"
        }
        if !callerSet.contains("user-agent") { head += "User-Agent: yizhan\r\n" }
        // Compressed bodies would need inflating before the feed parser; identity keeps the limit meaningful.
        if !callerSet.contains("accept-encoding") { head += "Accept-Encoding: identity\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        // One request per connection: no pool to manage, and a close-delimited body is unambiguous.
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8)
    }
}

/// RFC 9110 token characters (method and field names).
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
