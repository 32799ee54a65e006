import CShims
import Glibc

/// TLS over a non-blocking `ClientSocket`: OpenSSL asks for readability or writability
/// (WANT_READ / WANT_WRITE), and the socket waits for it in poll() within the deadline.
final class TLSClientStream: ClientStream {
    private let socket: ClientSocket
    private let ssl: OpaquePointer

    /// Handshakes and verifies the certificate chain and that it names `host` (DNS name or IP address).
    init(socket: ClientSocket, host: String, context: TLSClientContext, deadline: Deadline) throws(HTTPClientError) {
        guard let ssl = SSL_new(context.context) else { throw tlsError("SSL_new failed") }
        self.socket = socket
        self.ssl = ssl
        // From here on deinit frees `ssl`, even when this init throws.
        SSL_set_fd(ssl, socket.fd)
        if Self.isIPAddress(host) {
            // SNI must not carry IP addresses (RFC 6066); the certificate must list the IP instead.
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw tlsError("invalid IP address \(host)")
            }
        } else {
            // SNI picks the virtual host's certificate; SSL_set1_host makes verification check the name.
            guard yz_ssl_set_tlsext_host_name(ssl, host) == 1, SSL_set1_host(ssl, host) == 1 else {
                throw tlsError("cannot set TLS host name \(host)")
            }
        }
        let result = try perform(deadline) { SSL_connect(ssl) }
        guard result > 0 else {
            throw HTTPClientError("TLS handshake with \(socket.endpoint) failed: connection closed")
        }
    }

    deinit { SSL_free(ssl) }

    func write(_ bytes: [UInt8], deadline: Deadline) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = try perform(deadline) {
                bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            }
            guard written > 0 else { throw HTTPClientError("write to \(socket.endpoint) failed: connection closed") }
            offset += Int(written)
        }
    }

    func read(into buffer: inout [UInt8], deadline: Deadline) throws(HTTPClientError) -> Int {
        let ssl = ssl
        return Int(
            try perform(deadline) {
                buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            }
        )
    }

    /// Runs an SSL call until it makes progress: its positive result, or 0 when the peer closed.
    private func perform(_ deadline: Deadline, _ operation: () -> Int32) throws(HTTPClientError) -> Int32 {
        while true {
            // The error queue is per thread and may hold leftovers that would confuse SSL_get_error.
            ERR_clear_error()
            let result = operation()
            if result > 0 { return result }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ: try socket.wait(for: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE: try socket.wait(for: Int16(POLLOUT), deadline: deadline)
            case SSL_ERROR_ZERO_RETURN: return 0
            case SSL_ERROR_SYSCALL where errno == 0: return 0
            case SSL_ERROR_SYSCALL: throw socket.failure("TLS connection to")
            default:
                let verify = SSL_get_verify_result(ssl)
                if verify != Int(X509_V_OK) {
                    ERR_clear_error()
                    throw HTTPClientError(
                        "certificate verification failed: \(String(cString: X509_verify_cert_error_string(verify)))"
                    )
                }
                throw tlsError("TLS connection to \(socket.endpoint) failed")
            }
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, host, &storage) == 1 || inet_pton(AF_INET6, host, &storage) == 1
    }
}
