import Glibc

/// An address range in CIDR form (`10.0.0.0/8`, `2001:db8::/32`, or a single address), for trusted proxies.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// 16 bytes; IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`) so one comparison covers both families.
    private let network: [UInt8]
    private let prefixLength: Int
    public let description: String

    /// Parses `address` or `address/prefix`; nil when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(String(parts[0])) else { return nil }
        let isV4 = !parts[0].contains(":")
        let maximum = isV4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maximum).contains(value), !parts[1].hasPrefix("+") else {
                return nil
            }
            length = value
        }
        prefixLength = isV4 ? length + 96 : length
        network = Self.masked(address, prefixLength)
        description = text
    }

    /// Whether `ip` (presentation form) lies in this network.
    public func contains(_ ip: String) -> Bool {
        guard let address = Self.bytes(ip) else { return false }
        return Self.masked(address, prefixLength) == network
    }

    /// The canonical presentation form of an IP address (IPv4-mapped IPv6 shown as IPv4, like accepted peers), or
    /// nil when `text` is not an address.
    public static func canonical(_ text: some StringProtocol) -> String? {
        guard var bytes = bytes(String(text)) else { return nil }
        let isV4 = bytes[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let done = bytes.withUnsafeMutableBytes { raw in
            isV4
                ? inet_ntop(AF_INET, raw.baseAddress! + 12, &buffer, socklen_t(buffer.count))
                : inet_ntop(AF_INET6, raw.baseAddress!, &buffer, socklen_t(buffer.count))
        }
        guard done != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// 16 address bytes, IPv4 mapped into IPv6.
    static func bytes(_ text: String) -> [UInt8]? {
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        var v4 = in_addr()
        guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
        return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + withUnsafeBytes(of: &v4) { Array($0) }
    }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        var result = bytes
        for index in 0..<16 {
            let bits = min(8, max(0, length - index * 8))
            result[index] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
        return result
    }
}

extension Array where Element == IPNetwork {
    /// Whether any network contains `ip`.
    public func containsAddress(_ ip: String) -> Bool {
        contains { $0.contains(ip) }
    }
}
