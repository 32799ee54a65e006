/// Outbound HTTP/1.1: one request per connection, blocking the calling thread until the response
/// is complete or the deadline passes. Call it off the event loops (feed polling, webhook delivery).
public enum HTTPClient {
    private static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Sends `request`, following redirects for GET. `options.timeout` bounds the whole call, redirects included,
    /// so a poller can rely on one number however the server behaves.
    public static func send(
        _ request: HTTPClientRequest,
        options: HTTPClientOptions = .init()
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = Deadline(seconds: options.timeout)
        var request = request
        var url = try ClientURL(parsing: request.url)
        var redirects = 0
        while true {
            let response = try exchange(request, url: url, options: options, deadline: deadline)
            // Only GET is replayed: re-sending a webhook POST elsewhere is the caller's decision, not ours.
            guard request.method == "GET", redirectStatuses.contains(response.status),
                let location = response.header("Location")
            else { return response }
            guard redirects < options.maxRedirects else {
                throw HTTPClientError("too many redirects (more than \(options.maxRedirects))")
            }
            redirects += 1
            let next = try url.resolving(location)
            if next.scheme != url.scheme || next.host != url.host || next.port != url.port {
                // Credentials meant for one origin must not follow a redirect to another.
                request.headers.removeAll { ["authorization", "cookie"].contains(asciiLowercased($0.0)) }
            }
            url = next
            request.url = next.absoluteString
        }
    }

    /// One request and its response over a fresh connection.
    private static func exchange(
        _ request: HTTPClientRequest,
        url: ClientURL,
        options: HTTPClientOptions,
        deadline: Deadline
    ) throws(HTTPClientError) -> HTTPClientResponse {
        // Validate and serialize before connecting, so a bad header never costs a connection.
        let message = try request.serializedHead(for: url) + request.body
        let context = url.usesTLS ? try TLSClientContext.shared(caFile: options.caFile) : nil
        let socket = try ClientSocket.connect(
            host: url.host,
            port: url.port,
            endpoint: url.endpoint,
            deadline: deadline
        )
        let stream: any ClientStream =
            if let context {
                try TLSClientStream(socket: socket, host: url.host, context: context, deadline: deadline)
            } else {
                socket
            }
        try stream.write(message, deadline: deadline)
        var parser = HTTPResponseParser(
            maxHeaderBytes: options.maxHeaderBytes,
            maxBodyBytes: options.maxBodyBytes,
            requestMethod: request.method
        )
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = try stream.read(into: &buffer, deadline: deadline)
            if count == 0 { return try parser.finish() }
            if let response = try parser.feed(buffer[..<count]) { return response }
        }
    }
}
