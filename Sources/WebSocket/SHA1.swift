import CShims

/// SHA-1 through OpenSSL's `EVP_Digest`, used only for `Sec-WebSocket-Accept` (RFC 6455 §4.2.2), where SHA-1 is
/// mandated and no security property depends on its collision resistance.
enum SHA1 {
    /// The 20-byte SHA-1 digest of `bytes`.
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha1(), nil)
            }
        }
        precondition(status == 1 && length == 20, "EVP_Digest(SHA-1) failed")
        return digest
    }
}
