import Auth
import CShims
import Foundation
import Glibc
import HTTP
import Synchronization

/// Uploaded bytes on disk, addressed by their SHA-256: `<data dir>/objects/ab/cd/abcd…` (the first two pairs of hex
/// digits as two directory levels, so no directory grows past 65,536 entries).
///
/// An upload streams into `<data dir>/tmp/` under a random name while its SHA-256 is computed, then is linked into
/// place if its content is new, else deleted. Paths are built only from hex digests the server computed, never from
/// anything a client sent, and every step below `objects/` and `tmp/` is opened relative to its parent with
/// `O_NOFOLLOW`, so nothing under the data directory can redirect a read or write elsewhere (a symlink planted in
/// the store is refused, not followed).
///
/// Thread safety: the store is immutable after `init` and may be used from any thread; one ``FileUpload`` belongs to
/// one serial queue.
public final class FileStore: Sendable {
    /// The data directory.
    public let directory: String
    /// `<data dir>/objects`.
    public let objectsPath: String
    /// `<data dir>/tmp`.
    public let temporaryPath: String
    /// fsync each blob and its directory before it is reported stored (`store.durability = "power"`).
    let syncWrites: Bool
    /// `write(2)`; replaced in tests to simulate a full disk.
    let writeBytes: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
    private let objectsFD: Int32
    private let temporaryFD: Int32
    /// Blobs an upload has just committed (or found already there) whose object is not yet durable in the hub:
    /// `remove` must not delete them. The lock also orders `commit` against `remove`.
    private let pins = Mutex<[String: Int]>([:])

    /// Bytes of each upload's beginning kept in memory for type detection.
    static let sniffPrefix = 64 * 1024

    /// Opens (creating, mode 0700) `objects/` and `tmp/` in `directory`.
    public convenience init(directory: String, syncWrites: Bool = false) throws(FileStoreError) {
        try self.init(directory: directory, syncWrites: syncWrites, writeBytes: { Glibc.write($0, $1, $2) })
    }

    init(
        directory: String,
        syncWrites: Bool,
        writeBytes: @escaping @Sendable (Int32, UnsafeRawPointer, Int) -> Int
    ) throws(FileStoreError) {
        self.directory = directory
        self.objectsPath = directory + "/objects"
        self.temporaryPath = directory + "/tmp"
        self.syncWrites = syncWrites
        self.writeBytes = writeBytes
        for path in [directory, objectsPath, temporaryPath] where mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw FileStoreError(errno: errno, operation: "mkdir \(path)")
        }
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW
        objectsFD = Glibc.open(objectsPath, flags)
        guard objectsFD >= 0 else { throw FileStoreError(errno: errno, operation: "open \(objectsPath)") }
        temporaryFD = Glibc.open(temporaryPath, flags)
        guard temporaryFD >= 0 else {
            let error = FileStoreError(errno: errno, operation: "open \(temporaryPath)")
            Glibc.close(objectsFD)
            throw error
        }
    }

    deinit {
        Glibc.close(objectsFD)
        Glibc.close(temporaryFD)
    }

    /// Deletes everything in `tmp/`: uploads a previous process did not finish. Call at start-up, before serving.
    /// Returns how many files were removed.
    @discardableResult
    public func removeStaleTemporaryFiles() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryPath)) ?? []
        var removed = 0
        for name in names where Self.isSafeName(name) {
            if unlinkat(temporaryFD, name, 0) == 0 { removed += 1 }
        }
        return removed
    }

    /// The names of the files in `tmp/` (uploads in progress).
    public func temporaryFiles() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: temporaryPath)) ?? []
    }

    /// Starts an upload. Nothing touches the disk until its first ``FileUpload/append(_:)``.
    public func beginUpload() -> FileUpload {
        FileUpload(store: self)
    }

    /// Where the blob with this digest lives, or nil when `sha256` is not a lowercase hex SHA-256.
    public func path(sha256: String) -> String? {
        guard Self.isSHA256(sha256) else { return nil }
        return Self.jailed(root: objectsPath, Self.shardComponents(sha256))
    }

    /// Opens the blob with this digest for reading; it must be a regular file of `size` bytes.
    public func open(sha256: String, size: Int64) throws(FileStoreError) -> OpenFile {
        guard Self.isSHA256(sha256) else { throw FileStoreError(kind: .notFound, operation: "open blob") }
        let shard = try openShard(sha256, create: false)
        defer { Glibc.close(shard) }
        let fd = openat(shard, sha256, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileStoreError(errno: errno, operation: "open blob \(sha256)", missing: errno == ENOENT)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int64(info.st_size) == size else {
            Glibc.close(fd)
            throw FileStoreError(kind: .corrupt, operation: "blob \(sha256) is not a \(size)-byte file")
        }
        return OpenFile(descriptor: fd)
    }

    // MARK: Internals (used by FileUpload on its queue)

    /// Creates a new temporary file; returns its name and descriptor.
    func createTemporary() throws(FileStoreError) -> (name: String, fd: Int32) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let name =
                "upload-" + SHA256Hasher.hex(digest: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let fd = openat(temporaryFD, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { return (name, fd) }
            if errno != EEXIST { throw FileStoreError(errno: errno, operation: "create temporary file") }
        }
        throw FileStoreError(errno: EEXIST, operation: "create temporary file")
    }

    func removeTemporary(_ name: String) {
        guard Self.isSafeName(name) else { return }
        unlinkat(temporaryFD, name, 0)
    }

    /// Moves a finished temporary file into place. Returns false when the blob already existed (the temporary file
    /// is then deleted). On error the temporary file is left for the caller to remove.
    /// The blob stays pinned (safe from `remove`) until `unpin`.
    func commit(temporary name: String, sha256: String, size: Int64) throws(FileStoreError) -> Bool {
        try pins.withLock { (pins) throws(FileStoreError) -> Bool in
            let isNew = try commitLocked(temporary: name, sha256: sha256, size: size)
            pins[sha256, default: 0] += 1
            return isNew
        }
    }

    /// Releases a pin taken by a finished upload, once its object is durable (or failed).
    public func unpin(_ sha256: String) {
        pins.withLock { pins in
            let count = pins[sha256, default: 0]
            pins[sha256] = count > 1 ? count - 1 : nil
        }
    }

    /// Deletes the blob `sha256` unless an upload has it pinned or `isReferenced` (asked under the lock, so no
    /// upload can find the blob in between) says an object still uses it. Returns whether it was deleted.
    public func remove(sha256: String, isReferenced: () -> Bool) -> Bool {
        guard Self.isSHA256(sha256) else { return false }
        return pins.withLock { pins in
            guard pins[sha256] == nil, !isReferenced(), let shard = try? openShard(sha256, create: false) else {
                return false
            }
            defer { Glibc.close(shard) }
            return unlinkat(shard, sha256, 0) == 0
        }
    }

    private func commitLocked(temporary name: String, sha256: String, size: Int64) throws(FileStoreError) -> Bool {
        precondition(Self.isSHA256(sha256) && Self.isSafeName(name))
        let shard = try openShard(sha256, create: true)
        defer { Glibc.close(shard) }
        var info = stat()
        if fstatat(shard, sha256, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            if info.st_mode & S_IFMT == S_IFREG, Int64(info.st_size) == size {
                removeTemporary(name)
                return false
            }
            // A damaged blob (cut short by a power loss before it was synced): replace it with the good copy.
            guard renameat(temporaryFD, name, shard, sha256) == 0 else {
                throw FileStoreError(errno: errno, operation: "replace blob \(sha256)")
            }
        } else if linkat(temporaryFD, name, shard, sha256, 0) == 0 {
            // link, unlike rename, never replaces: of two identical uploads racing, one links, the other sees EEXIST.
            removeTemporary(name)
        } else if errno == EEXIST {
            removeTemporary(name)
            return false
        } else if errno == ENOSPC || errno == EDQUOT {
            throw FileStoreError(errno: errno, operation: "link blob \(sha256)")
        } else {
            // A file system without hard links: rename (at worst replacing an identical blob written meanwhile).
            guard renameat(temporaryFD, name, shard, sha256) == 0 else {
                throw FileStoreError(errno: errno, operation: "rename blob \(sha256)")
            }
        }
        if syncWrites { fsync(shard) }
        return true
    }

    /// Opens `objects/ab/cd` (creating the levels when asked) without following symlinks.
    private func openShard(_ sha256: String, create: Bool) throws(FileStoreError) -> Int32 {
        let components = Self.shardComponents(sha256)
        var parent = objectsFD
        for level in components.dropLast() {
            if create, mkdirat(parent, level, 0o700) != 0, errno != EEXIST {
                let error = FileStoreError(errno: errno, operation: "mkdir objects/\(level)")
                if parent != objectsFD { Glibc.close(parent) }
                throw error
            }
            let fd = openat(parent, level, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let failure = errno
            if parent != objectsFD { Glibc.close(parent) }
            guard fd >= 0 else {
                throw FileStoreError(errno: failure, operation: "open objects/\(level)", missing: failure == ENOENT)
            }
            parent = fd
        }
        return parent
    }

    // MARK: Names

    /// `["ab", "cd", "abcd…"]`.
    static func shardComponents(_ sha256: String) -> [String] {
        let utf8 = Array(sha256.utf8)
        return [String(decoding: utf8[0..<2], as: UTF8.self), String(decoding: utf8[2..<4], as: UTF8.self), sha256]
    }

    /// 64 lowercase hex digits.
    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// One path component that stays in its directory: not empty, `.` or `..`, no `/` or NUL.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(0x2F) && !name.utf8.contains(0)
    }

    /// `root/c1/c2/…` when every component is a safe name, else nil: the path cannot leave `root`.
    static func jailed(root: String, _ components: [String]) -> String? {
        guard components.allSatisfy(isSafeName) else { return nil }
        let path = ([root] + components).joined(separator: "/")
        return path.hasPrefix(root + "/") ? path : nil
    }
}

/// A blob the store holds after an upload.
public struct StoredBlob: Sendable, Equatable {
    /// Lowercase hex SHA-256.
    public var sha256: String
    public var size: Int64
    /// Detected from the content (``MimeSniffer``).
    public var mime: String
    /// Whether this upload added the bytes (false: identical content was already stored).
    public var isNew: Bool
}

/// One upload in progress: bytes go to a temporary file while their SHA-256 is computed.
///
/// Not thread-safe: use it from one serial queue. After any error the temporary file is gone and every later call
/// throws the same error; ``discard()`` is always safe.
public final class FileUpload: @unchecked Sendable {
    let store: FileStore
    private var temporary: (name: String, fd: Int32)?
    private var hasher: SHA256Hasher? = SHA256Hasher()
    private var prefix: [UInt8] = []
    private var failure: FileStoreError?
    private var done = false
    /// Bytes written so far.
    public private(set) var size: Int64 = 0

    init(store: FileStore) {
        self.store = store
    }

    deinit {
        discard()
    }

    /// Writes the next bytes.
    public func append(_ bytes: [UInt8]) throws(FileStoreError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FileStoreError) in try append(buffer) }
        }
        try result.get()
    }

    /// Writes the next bytes.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(FileStoreError) {
        if let failure { throw failure }
        guard !done else { throw FileStoreError(kind: .io, operation: "append after finish") }
        guard !bytes.isEmpty else { return }
        do throws(FileStoreError) {
            let fd = try open().fd
            var written = 0
            while written < bytes.count {
                let n = store.writeBytes(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileStoreError(errno: errno, operation: "write")
                }
                written += n
            }
        } catch {
            fail(error)
            throw error
        }
        hasher?.update(bytes)
        if prefix.count < FileStore.sniffPrefix {
            prefix.append(contentsOf: bytes.prefix(FileStore.sniffPrefix - prefix.count))
        }
        size += Int64(bytes.count)
    }

    /// Completes the upload: computes the digest, detects the type (`name` only settles what the content leaves
    /// open, such as legacy Office formats) and moves the bytes into place. The temporary file is gone afterwards,
    /// whatever the outcome.
    public func finish(name: String?) throws(FileStoreError) -> StoredBlob {
        if let failure { throw failure }
        guard !done, let digest = hasher?.finish() else {
            throw FileStoreError(kind: .io, operation: "finish twice")
        }
        hasher = nil
        do throws(FileStoreError) {
            let (temporaryName, fd) = try open()
            let sha256 = SHA256Hasher.hex(digest: digest)
            let size = self.size
            let file = OpenFile(descriptor: dup(fd))
            let mime = MimeSniffer.sniff(prefix: prefix, size: size, name: name) { offset, count in
                file.read(at: offset, count: count)?.array
            }
            if store.syncWrites, fsync(fd) != 0 {
                throw FileStoreError(errno: errno, operation: "fsync")
            }
            Glibc.close(fd)
            temporary = (temporaryName, -1)
            let isNew = try store.commit(temporary: temporaryName, sha256: sha256, size: size)
            temporary = nil
            done = true
            prefix = []
            return StoredBlob(sha256: sha256, size: size, mime: mime, isNew: isNew)
        } catch {
            fail(error)
            throw error
        }
    }

    /// Abandons the upload and removes its temporary file. Idempotent.
    public func discard() {
        if let temporary {
            if temporary.fd >= 0 { Glibc.close(temporary.fd) }
            store.removeTemporary(temporary.name)
            self.temporary = nil
        }
        hasher = nil
        prefix = []
        done = true
    }

    private func open() throws(FileStoreError) -> (name: String, fd: Int32) {
        if let temporary, temporary.fd >= 0 { return temporary }
        let created = try store.createTemporary()
        temporary = created
        return created
    }

    private func fail(_ error: FileStoreError) {
        discard()
        failure = error
    }
}

/// Why the store could not keep or find a file.
public struct FileStoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The disk (or quota) is full.
        case noSpace
        /// The blob is not there.
        case notFound
        /// The blob is there but is not what its record says.
        case corrupt
        case io
    }

    public var kind: Kind
    /// The system error, 0 when there is none.
    public var errno: Int32
    public var operation: String

    init(kind: Kind, errno: Int32 = 0, operation: String) {
        self.kind = kind
        self.errno = errno
        self.operation = operation
    }

    init(errno: Int32, operation: String, missing: Bool = false) {
        let kind: Kind = errno == ENOSPC || errno == EDQUOT ? .noSpace : missing ? .notFound : .io
        self.init(kind: kind, errno: errno, operation: operation)
    }

    public var description: String {
        errno == 0 ? operation : "\(operation): \(String(cString: strerror(errno)))"
    }

    /// 507 `insufficient_storage` for a full disk, else 500 (the details go to the log, not the client).
    public var httpError: HTTPError {
        switch kind {
        case .noSpace:
            HTTPError(
                status: .insufficientStorage,
                code: "insufficient_storage",
                message: "The server has no room for this file right now."
            )
        case .notFound, .corrupt, .io:
            .internalError()
        }
    }
}
