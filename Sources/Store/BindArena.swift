/// Memory for the text and blob parameters of one prepared statement.
///
/// Values are copied here and bound with `SQLITE_STATIC`, so SQLite neither copies nor frees them, and binding
/// allocates nothing once the arena has grown to the statement's usual size. The memory stays valid and unchanged
/// until `reset()`, which the statement calls only after `sqlite3_reset` and `sqlite3_clear_bindings`, so SQLite
/// never reads a pointer into memory that has been reused.
struct BindArena {
    private static let minimumChunk = 4096

    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private var used = 0

    /// Copies `bytes` and returns where they are; valid until `reset()`. `bytes` must not be empty.
    mutating func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        if chunks.isEmpty || chunks[chunks.count - 1].count - used < bytes.count {
            // A new chunk rather than a larger one: earlier values stay where SQLite was told they are.
            var size = Self.minimumChunk
            while size < bytes.count { size *= 2 }
            chunks.append(UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8))
            used = 0
        }
        let destination = chunks[chunks.count - 1].baseAddress! + used
        destination.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
        return UnsafeRawPointer(destination)
    }

    /// Makes all memory reusable. Several chunks are merged into one large enough for all of them, so the next
    /// round of binds fits in one.
    mutating func reset() {
        used = 0
        guard chunks.count > 1 else { return }
        let total = chunks.reduce(0) { $0 + $1.count }
        deallocate()
        chunks = [UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 8)]
    }

    /// Frees all memory.
    mutating func deallocate() {
        for chunk in chunks { chunk.deallocate() }
        chunks = []
        used = 0
    }
}
