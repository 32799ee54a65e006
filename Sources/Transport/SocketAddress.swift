import Glibc

/// An IPv4 or IPv6 endpoint in presentation form.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IP address as text (`127.0.0.1`, `::1`). IPv4-mapped IPv6 addresses are shown as IPv4.
    public var ip: String
    public var port: UInt16

    public init(ip: String, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var description: String {
        ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Decodes a `sockaddr_storage` filled by `accept`/`getsockname`.
    init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let (ip, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin -> (String, UInt16) in
                    var addr = sin.pointee.sin_addr
                    let text = withUnsafeBytes(of: &addr) { Self.presentation(family: AF_INET, $0.baseAddress!) }
                    return (text, UInt16(bigEndian: sin.pointee.sin_port))
                }
            }
            self.init(ip: ip, port: port)
        case AF_INET6:
            let (ip, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 -> (String, UInt16) in
                    var addr = sin6.pointee.sin6_addr
                    var text = withUnsafeBytes(of: &addr) { Self.presentation(family: AF_INET6, $0.baseAddress!) }
                    // One client must count as one IP whether it arrived over v4 or a dual-stack v6 socket.
                    if text.hasPrefix("::ffff:"), text.contains(".") { text.removeFirst(7) }
                    return (text, UInt16(bigEndian: sin6.pointee.sin6_port))
                }
            }
            self.init(ip: ip, port: port)
        default:
            return nil
        }
    }

    private static func presentation(family: Int32, _ addr: UnsafeRawPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, addr, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
