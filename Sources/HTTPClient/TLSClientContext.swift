import CShims
import Glibc
import Synchronization

/// A verifying client SSL_CTX, built once per trust store: loading the system CA bundle parses
/// hundreds of certificates, far too slow to repeat for every feed poll.
final class TLSClientContext: @unchecked Sendable {
    // SSL_CTX is reference counted and safe to share between threads once configured; it is never changed after init.
    let context: OpaquePointer

    /// Keyed by CA file path; "" is the system store. A CA file replaced on disk needs a process restart.
    private static let cache = Mutex<[String: TLSClientContext]>([:])

    static func shared(caFile: String?) throws(HTTPClientError) -> TLSClientContext {
        try cache.withLock { (contexts) throws(HTTPClientError) -> TLSClientContext in
            if let existing = contexts[caFile ?? ""] { return existing }
            let created = try TLSClientContext(caFile: caFile)
            contexts[caFile ?? ""] = created
            return created
        }
    }

    private init(caFile: String?) throws(HTTPClientError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw tlsError("SSL_CTX_new failed") }
        self.context = context
        // OpenSSL writes with write(2): a reset peer would raise SIGPIPE and kill the process. The server's
        // Listener ignores it too; doing it here keeps the client safe in tools and tests that have no listener.
        signal(SIGPIPE, SIG_IGN)
        guard yz_ssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw tlsError("cannot set the minimum TLS version")
        }
        yz_ssl_ctx_set_client_options(context)
        // Partial writes and a moving buffer let a WANT_WRITE retry resume from any Swift array slice.
        _ = yz_ssl_ctx_set_mode(
            context,
            Int(SSL_MODE_ENABLE_PARTIAL_WRITE) | Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
        )
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw tlsError("cannot load CA file \(caFile)")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw tlsError("cannot load the system CA store")
            }
        }
    }

    deinit { SSL_CTX_free(context) }
}

/// `what`, followed by OpenSSL's queued reasons (which it then clears, as the queue is per thread).
func tlsError(_ what: String) -> HTTPClientError {
    var reasons: [String] = []
    while case let code = ERR_get_error(), code != 0 {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return HTTPClientError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
}
