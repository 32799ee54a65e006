/// A complete response: status, header fields in the order received, and the decoded (de-chunked) body.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first field named `name`, compared case-insensitively (field names are ASCII).
    public func header(_ name: String) -> String? {
        let wanted = asciiLowercased(name)
        return headers.first { asciiLowercased($0.0) == wanted }?.1
    }
}

/// Lowercases ASCII letters only: header names and schemes are ASCII, and this avoids locale-aware Unicode rules.
func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
}
