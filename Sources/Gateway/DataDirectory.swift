import Foundation
import Glibc

/// The server's data directory: database, secret key, lock file (uploads later).
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Creates the directory (mode 0700) if needed.
    public func create() throws {
        try FileManager.default.createDirectory(
            atPath: path,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
    }

    /// The token-signing secret: `auth.secret` if configured, else `secret.key` in the data directory, created with
    /// 32 random bytes (mode 0600) on first use so `yizhan token` and the server agree without configuration.
    public func tokenSecret(configured: String?) throws -> [UInt8] {
        if let configured { return Array(configured.utf8) }
        let file = (path as NSString).appendingPathComponent("secret.key")
        if let existing = FileManager.default.contents(atPath: file) {
            let text = String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return Array(text.utf8)
        }
        try create()
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom).
        var generator = SystemRandomNumberGenerator()
        let random = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hex = random.map { String(format: "%02x", $0) }.joined()
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((hex + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw ConfigurationError("cannot write \(file)") }
        return Array(hex.utf8)
    }

    /// Takes the data directory's exclusive lock (`yizhan.lock`), so two servers — or a server and an offline
    /// import — never write one database. Returns nil when another process holds it. Held until the process
    /// exits.
    public func lock() throws -> Int32? {
        try create()
        let file = (path as NSString).appendingPathComponent("yizhan.lock")
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}

/// A configuration problem the operator must fix; printed as is.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
