import Glibc
import Hub
import Store
import Synchronization

/// A fresh directory under /tmp for one test, removed with everything in it when `body` returns.
func withTemporaryDirectory<Value>(_ body: (String) async throws -> Value) async throws -> Value {
    var template = Array("/tmp/yizhan-store-test-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
        throw StoreError(.failed, "mkdtemp failed (errno \(errno))")
    }
    let path = String(cString: created)
    defer { removeTree(path) }
    return try await body(path)
}

/// `rm -rf path`.
func removeTree(_ path: String) {
    if let directory = opendir(path) {
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            removeTree(path + "/" + name)
        }
        closedir(directory)
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// The bytes of the file at `path` (empty if it does not exist).
func fileContents(_ path: String) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

/// Writes `bytes` to `path`, replacing it.
func writeFile(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(descriptor >= 0, "open \(path) failed")
    defer { close(descriptor) }
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            precondition(written > 0, "write \(path) failed")
            offset += written
        }
    }
}

extension SQLiteStore {
    /// `commit` awaited.
    func commit(_ batch: [WriteOp]) async -> Result<[AppendOutcome], StoreError> {
        await withCheckedContinuation { continuation in
            commit(batch) { continuation.resume(returning: $0) }
        }
    }

    /// `commit` awaited, throwing on failure.
    @discardableResult
    func committed(_ batch: [WriteOp]) async throws -> [AppendOutcome] {
        try await commit(batch).get()
    }

    /// `readMessages` awaited, throwing on failure.
    func read(_ queries: [MessageQuery]) async throws -> [[StoredMessage]] {
        try await withCheckedContinuation { continuation in
            readMessages(queries) { continuation.resume(returning: $0) }
        }.get()
    }

    /// One query's messages.
    func read(_ query: MessageQuery) async throws -> [StoredMessage] {
        try await read([query])[0]
    }
}

/// Records and messages for tests.
enum Fixture {
    static func group(_ id: Int64, name: String? = nil, key: String? = nil) -> GroupRecord {
        GroupRecord(
            id: GroupID(id),
            kind: .office,
            name: name ?? "办公群 \(id)",
            externalKey: key,
            owner: "T001",
            createdAt: 1_700_000_000_000 + id
        )
    }

    static func member(_ user: UserID, readSeq: Int64 = 0) -> MemberRecord {
        MemberRecord(user: user, role: .member, source: .manual, joinedSeq: 0, readSeq: readSeq)
    }

    static func text(
        _ group: Int64,
        from sender: UserID? = "S001",
        id clientMsgID: String? = nil,
        _ text: String = "你好",
        at createdAt: Timestamp = 1_700_000_100_000
    ) -> NewMessage {
        NewMessage(
            group: GroupID(group),
            sender: sender,
            clientMsgID: clientMsgID,
            kind: sender == nil ? .system : .text,
            body: Array("{\"text\":\"\(text)\"}".utf8),
            createdAt: createdAt
        )
    }

    /// `.appendMessage` ops for `count` text messages in `group`.
    static func texts(_ group: Int64, count: Int, prefix: String = "m") -> [WriteOp] {
        (0..<count).map { .appendMessage(text(group, "\(prefix)\($0)")) }
    }
}

/// The seqs of `messages`.
func seqs(_ messages: [StoredMessage]) -> [Int64] {
    messages.map(\.seq)
}

/// Collects `expected` commit results from completions on any thread, then resumes `continuation` with them.
final class ResultCollector: Sendable {
    private let results = Mutex<[Result<[AppendOutcome], StoreError>]>([])
    private let expected: Int
    private let continuation: CheckedContinuation<[Result<[AppendOutcome], StoreError>], Never>

    init(expected: Int, _ continuation: CheckedContinuation<[Result<[AppendOutcome], StoreError>], Never>) {
        self.expected = expected
        self.continuation = continuation
    }

    func add(_ result: Result<[AppendOutcome], StoreError>) {
        let done = results.withLock { results in
            results.append(result)
            return results.count == expected ? results : nil
        }
        if let done { continuation.resume(returning: done) }
    }
}

/// `mkdir path`.
func makeDirectory(_ path: String) {
    precondition(mkdir(path, 0o700) == 0, "mkdir \(path) failed")
}
