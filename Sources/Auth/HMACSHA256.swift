import CShims

/// HMAC-SHA256 (RFC 2104) through OpenSSL: token signatures and webhook signatures.
public enum HMACSHA256 {
    public static func mac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { data in
                _ = HMAC(
                    EVP_sha256(),
                    key.baseAddress,
                    Int32(key.count),
                    data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    data.count,
                    &output,
                    &length
                )
            }
        }
        return output
    }

    /// Lowercase hex, as webhook receivers compare it.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
