/// An absolute http(s) URL split into what a client needs: where to connect and what to ask for.
struct ClientURL: Sendable, Equatable {
    var scheme: String
    /// Lowercased; IPv6 literals without their brackets.
    var host: String
    var port: Int
    /// Path and query, never empty; the fragment is dropped (it is never sent).
    var target: String

    var usesTLS: Bool { scheme == "https" }
    var isIPv6Literal: Bool { host.contains(":") }
    var bracketedHost: String { isIPv6Literal ? "[\(host)]" : host }
    /// The Host header: the port appears only when it is not the scheme's default.
    var authority: String { port == (usesTLS ? 443 : 80) ? bracketedHost : "\(bracketedHost):\(port)" }
    /// For error messages: always with the port, which is what failed.
    var endpoint: String { "\(bracketedHost):\(port)" }
    var absoluteString: String { "\(scheme)://\(authority)\(target)" }

    init(parsing text: String) throws(HTTPClientError) {
        // Spaces and controls cannot be sent in a request line; feed URLs with them are broken, not ours to fix.
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw HTTPClientError("invalid URL \"\(text)\": spaces or control characters")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw HTTPClientError("invalid URL \"\(text)\"") }
        scheme = asciiLowercased(String(text[..<schemeEnd.lowerBound]))
        guard scheme == "http" || scheme == "https" else {
            throw HTTPClientError("unsupported URL scheme \"\(scheme)\" (only http and https)")
        }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        target = path.isEmpty ? "/" : path.first == "?" ? "/" + path : String(path)
        guard !authority.contains("@") else { throw HTTPClientError("credentials in URLs are not supported") }

        var portText: Substring? = nil
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw HTTPClientError("invalid IPv6 host in \"\(text)\"")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard host.contains(":"), host.utf8.allSatisfy({ $0 == 58 || $0 == 46 || isHexDigit($0) }) else {
                throw HTTPClientError("invalid IPv6 host in \"\(text)\"")
            }
            if !after.isEmpty {
                guard after.first == ":" else { throw HTTPClientError("invalid URL \"\(text)\"") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        host = asciiLowercased(host)
        guard !host.isEmpty, !host.contains("["), !host.contains("]") else {
            throw HTTPClientError("missing or invalid host in \"\(text)\"")
        }
        port = scheme == "https" ? 443 : 80
        if let portText, !portText.isEmpty {
            guard portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(portText),
                (1...65535).contains(value)
            else { throw HTTPClientError("invalid port in \"\(text)\"") }
            port = value
        }
    }

    /// The target of a redirect: absolute, scheme-relative ("//host/x"), absolute-path or relative (RFC 3986 5.2).
    func resolving(_ location: String) throws(HTTPClientError) -> ClientURL {
        if location.hasPrefix("//") { return try ClientURL(parsing: "\(scheme):\(location)") }
        if let colon = location.firstIndex(of: ":"), location[..<colon].allSatisfy({ $0.isLetter }),
            location[colon...].hasPrefix("://")
        {
            return try ClientURL(parsing: location)
        }
        let base = "\(scheme)://\(authority)"
        let withoutFragment = location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if withoutFragment.isEmpty { return try ClientURL(parsing: base + target) }
        if withoutFragment.first == "?" { return try ClientURL(parsing: base + path + withoutFragment) }
        var merged = withoutFragment
        if merged.first != "/" { merged = path[...(path.lastIndex(of: "/") ?? path.startIndex)] + merged }
        return try ClientURL(parsing: base + Self.removingDotSegments(String(merged)))
    }

    /// Collapses "." and ".." path segments (RFC 3986 5.2.4), leaving the query untouched.
    private static func removingDotSegments(_ reference: String) -> String {
        let parts = reference.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var output: [Substring] = []
        let segments = parts[0].split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".": if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default: output.append(segment)
            }
        }
        let path = "/" + output.joined(separator: "/")
        return parts.count > 1 ? path + "?" + parts[1] : path
    }
}

func isHexDigit(_ byte: UInt8) -> Bool {
    (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
}
