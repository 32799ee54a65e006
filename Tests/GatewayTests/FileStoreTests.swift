import Auth
import Foundation
import Glibc
import Testing

@testable import Gateway

@Suite struct FileStoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-store-\(UUID().uuidString)")
        .path

    func store(_ write: (@Sendable (Int32, UnsafeRawPointer, Int) -> Int)? = nil) throws -> FileStore {
        try FileStore(directory: directory, syncWrites: false, writeBytes: write ?? { Glibc.write($0, $1, $2) })
    }

    func put(_ store: FileStore, _ bytes: [UInt8], name: String? = nil, pieces: Int = 3) throws -> StoredBlob {
        let upload = store.beginUpload()
        let size = max(1, bytes.count / pieces)
        var offset = 0
        while offset < bytes.count {
            try upload.append(Array(bytes[offset..<min(bytes.count, offset + size)]))
            offset += size
        }
        return try upload.finish(name: name)
    }

    @Test func storesByDigestAndDeduplicates() throws {
        let store = try store()
        let bytes = Array("hello, 一站".utf8)
        let first = try put(store, bytes)
        #expect(first.sha256 == SHA256Hasher.hex(bytes))
        #expect(first.size == Int64(bytes.count))
        #expect(first.mime == MimeSniffer.plainText)
        #expect(first.isNew)
        let second = try put(store, bytes, pieces: 1)
        #expect(second.sha256 == first.sha256)
        #expect(!second.isNew)
        let path = try #require(store.path(sha256: first.sha256))
        #expect(
            path
                == "\(directory)/objects/\(first.sha256.prefix(2))/\(first.sha256.dropFirst(2).prefix(2))/\(first.sha256)"
        )
        #expect(FileManager.default.contents(atPath: path) == Data(bytes))
        #expect(store.temporaryFiles().isEmpty)
        let file = try store.open(sha256: first.sha256, size: first.size)
        #expect(file.read(at: 7, count: 6)?.array == Array(bytes[7..<13]))
        #expect(file.read(at: 7, count: 100) == nil)
    }

    @Test func anEmptyUploadIsStored() throws {
        let store = try store()
        let blob = try store.beginUpload().finish(name: "empty.txt")
        #expect(blob.size == 0)
        #expect(blob.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(store.temporaryFiles().isEmpty)
    }

    @Test func aFullDiskFailsTheUploadAndRemovesItsTemporaryFile() throws {
        let store = try store { fd, bytes, count in
            // Room for 1000 bytes: the write that would pass it fails as a full disk does.
            var info = stat()
            fstat(fd, &info)
            if Int(info.st_size) + count > 1000 {
                errno = ENOSPC
                return -1
            }
            return Glibc.write(fd, bytes, count)
        }
        let upload = store.beginUpload()
        try upload.append([UInt8](repeating: 1, count: 600))
        #expect(store.temporaryFiles().count == 1)
        #expect(throws: FileStoreError.self) { try upload.append([UInt8](repeating: 1, count: 600)) }
        #expect(store.temporaryFiles().isEmpty)
        do {
            _ = try upload.finish(name: nil)
            Issue.record("finish after a failure succeeded")
        } catch {
            #expect(error.kind == .noSpace)
            #expect(error.httpError.status == .insufficientStorage)
            #expect(error.httpError.code == "insufficient_storage")
        }
        #expect(FileManager.default.enumerator(atPath: directory + "/objects")?.allObjects.isEmpty == true)
    }

    @Test func aDiscardedUploadLeavesNothing() throws {
        let store = try store()
        let upload = store.beginUpload()
        try upload.append([1, 2, 3])
        #expect(store.temporaryFiles().count == 1)
        upload.discard()
        upload.discard()
        #expect(store.temporaryFiles().isEmpty)
    }

    @Test func staleTemporaryFilesAreRemoved() throws {
        let store = try store()
        FileManager.default.createFile(atPath: directory + "/tmp/upload-old", contents: Data([1]))
        FileManager.default.createFile(atPath: directory + "/tmp/other", contents: Data([1]))
        #expect(store.removeStaleTemporaryFiles() == 2)
        #expect(store.temporaryFiles().isEmpty)
    }

    @Test func symlinksPlantedInTheStoreAreNotFollowed() throws {
        let store = try store()
        let outside = directory + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let bytes = Array("planted".utf8)
        let sha = SHA256Hasher.hex(bytes)
        // objects/<ab> points outside the store: the upload fails rather than write there.
        try FileManager.default.createSymbolicLink(
            atPath: "\(directory)/objects/\(sha.prefix(2))",
            withDestinationPath: outside
        )
        #expect(throws: FileStoreError.self) { try put(store, bytes) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(store.temporaryFiles().isEmpty)
        #expect(throws: FileStoreError.self) { try store.open(sha256: sha, size: 7) }

        // A blob that is a symlink is refused too.
        let other = Array("another".utf8)
        let blob = try put(store, other)
        let path = try #require(store.path(sha256: blob.sha256))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/etc/passwd")
        #expect(throws: FileStoreError.self) { try store.open(sha256: blob.sha256, size: blob.size) }
    }

    @Test func onlyHexDigestsMakePaths() throws {
        let store = try store()
        #expect(store.path(sha256: "../../etc/passwd") == nil)
        #expect(store.path(sha256: String(repeating: "A", count: 64)) == nil)
        #expect(store.path(sha256: String(repeating: "a", count: 63) + "/") == nil)
        #expect(throws: FileStoreError.self) { try store.open(sha256: "../../etc/passwd", size: 0) }
        #expect(FileStore.jailed(root: "/data", ["..", "x"]) == nil)
        #expect(FileStore.jailed(root: "/data", ["a/b"]) == nil)
        #expect(FileStore.jailed(root: "/data", ["ab", "cd"]) == "/data/ab/cd")
    }
}
