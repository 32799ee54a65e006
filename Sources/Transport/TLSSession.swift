import CShims

/// One connection's TLS state, driven through memory BIOs so the transport keeps doing the socket I/O itself.
///
/// Ciphertext read from the socket goes in with `decrypt`, plaintext comes out through a callback; plaintext to send
/// is queued and encrypted at flush time, so many small frames share TLS records.
final class TLSSession {
    enum DecryptResult {
        case ok
        /// The peer sent close_notify.
        case peerClosed
        case failed
    }

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var handshakeDone = false
    private var pending: [SharedBytes] = []
    private(set) var pendingPlaintextBytes = 0

    init?(context: TLSContext) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            return nil
        }
        // An empty read BIO means "want more", not EOF.
        _ = yz_bio_set_mem_eof_return(readBIO, -1)
        _ = yz_bio_set_mem_eof_return(writeBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL object now owns both BIOs
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
    }

    deinit {
        SSL_free(ssl)
    }

    /// Feeds ciphertext and delivers every plaintext byte it yields. TLS output it causes (handshake messages,
    /// session tickets, alerts) waits in `takeOutput()`.
    func decrypt(
        _ ciphertext: UnsafeRawBufferPointer,
        scratch: UnsafeMutableRawBufferPointer,
        deliver: (UnsafeRawBufferPointer) -> Void
    ) -> DecryptResult {
        // SSL_get_error reads the thread's error queue. Loops run on shared worker threads, so an error left there
        // by another connection would make this one look failed: start every operation with an empty queue.
        ERR_clear_error()
        var offset = 0
        while offset < ciphertext.count {
            let n = BIO_write(
                readBIO,
                ciphertext.baseAddress! + offset,
                Int32(min(ciphertext.count - offset, Int(Int32.max)))
            )
            guard n > 0 else { return .failed }
            offset += Int(n)
        }
        if !handshakeDone {
            let result = SSL_do_handshake(ssl)
            if result != 1 {
                let error = SSL_get_error(ssl, result)
                ERR_clear_error()
                return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? .ok : .failed
            }
            handshakeDone = true
        }
        // Keep reading until OpenSSL wants more input: records already buffered inside it would otherwise wait for
        // a socket event that never comes.
        while true {
            let n = SSL_read(ssl, scratch.baseAddress, Int32(scratch.count))
            if n > 0 {
                deliver(UnsafeRawBufferPointer(rebasing: scratch[0..<Int(n)]))
                continue
            }
            let error = SSL_get_error(ssl, n)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .ok
            case SSL_ERROR_ZERO_RETURN: return .peerClosed
            default:
                ERR_clear_error()
                return .failed
            }
        }
    }

    func queuePlaintext(_ bytes: SharedBytes) {
        pending.append(bytes)
        pendingPlaintextBytes += bytes.count
    }

    func discardPendingPlaintext() {
        pending = []
        pendingPlaintextBytes = 0
    }

    /// Encrypts queued plaintext into `outbound`. Before the handshake completes, plaintext waits.
    func encryptPending(into outbound: inout OutboundQueue) -> Bool {
        if let output = takeOutput() { outbound.append(output) }
        guard handshakeDone, !pending.isEmpty else { return true }
        ERR_clear_error()
        for chunk in pending {
            // Memory BIOs never block, so SSL_write takes the whole chunk or fails for good.
            guard SSL_write(ssl, chunk.base, Int32(chunk.count)) == Int32(chunk.count) else {
                ERR_clear_error()
                return false
            }
        }
        pending = []
        pendingPlaintextBytes = 0
        if let output = takeOutput() { outbound.append(output) }
        return true
    }

    /// Queues close_notify.
    func shutdown(into outbound: inout OutboundQueue) {
        ERR_clear_error()
        if handshakeDone { SSL_shutdown(ssl) }
        ERR_clear_error()
        if let output = takeOutput() { outbound.append(output) }
    }

    /// Ciphertext OpenSSL produced that has not been handed to the socket yet.
    func takeOutput() -> SharedBytes? {
        let available = yz_bio_pending(writeBIO)
        guard available > 0 else { return nil }
        return SharedBytes(count: available) { buffer in
            _ = BIO_read(writeBIO, buffer.baseAddress, Int32(buffer.count))
        }
    }
}
