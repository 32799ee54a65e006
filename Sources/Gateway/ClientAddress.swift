import HTTP
import Transport

/// Who the client is when a reverse proxy sits in front: `X-Forwarded-For` is believed only from trusted proxies.
enum ClientAddress {
    /// The client's IP for the request from `peer`. Walks `X-Forwarded-For` from the right (the entries trusted
    /// proxies appended) past every trusted address; the first untrusted one is the client. Entries further left
    /// were written by the client itself and are never believed. A malformed entry stops the walk at the last
    /// address a trusted proxy vouched for.
    static func resolve(peer: String, headers: HTTPHeaders, trusted: [IPNetwork]) -> String {
        guard !trusted.isEmpty, trusted.containsAddress(peer) else { return peer }
        // Repeated fields are one comma-separated list, in order (RFC 9110 §5.3).
        let entries = headers.values(for: "X-Forwarded-For").flatMap { $0.split(separator: ",") }
        var client = peer
        for entry in entries.reversed() {
            guard let address = IPNetwork.canonical(entry.trimmingWhitespace()) else { return client }
            client = address
            if !trusted.containsAddress(address) { return address }
        }
        return client
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
