/// Why a request failed, as one readable sentence for logs and admin screens
/// (for example "connect to feeds.example.edu:443 failed: Connection refused").
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static func bodyTooLarge(_ limit: Int) -> HTTPClientError {
        HTTPClientError("response body exceeds \(limit) bytes")
    }

    static func timedOut(after seconds: Double) -> HTTPClientError {
        // "10 s" rather than "10.0 s"; fractional timeouts keep their digits.
        let text = seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
        return HTTPClientError("timed out after \(text) s")
    }
}
