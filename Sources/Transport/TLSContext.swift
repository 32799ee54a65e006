import CShims

/// A server TLS configuration: certificate chain and private key (PEM), TLS 1.2 or newer.
public final class TLSContext: @unchecked Sendable {
    // SSL_CTX is reference counted and thread-safe for creating sessions once configured.
    let context: OpaquePointer

    public init(certificateChainFile: String, privateKeyFile: String) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.fromQueue("SSL_CTX_new") }
        self.context = context
        guard yz_ssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw TLSError.fromQueue("set minimum protocol version")
        }
        // Idle connections give their read/write record buffers back: tens of thousands of mostly idle clients.
        _ = yz_ssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        yz_ssl_ctx_set_server_options(context)
        guard SSL_CTX_use_certificate_chain_file(context, certificateChainFile) == 1 else {
            throw TLSError.fromQueue("cannot load certificate \(certificateChainFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.fromQueue("cannot load private key \(privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.fromQueue("private key does not match the certificate")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}

/// A TLS failure with OpenSSL's explanation.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }

    static func fromQueue(_ what: String) -> TLSError {
        var details: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TLSError(description: details.isEmpty ? what : "\(what): \(details.joined(separator: "; "))")
    }
}
