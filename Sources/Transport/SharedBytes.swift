/// An immutable, reference-counted run of bytes whose address never moves.
///
/// Fan-out encodes a frame once into a `SharedBytes` and appends the same instance to the outbound queue of every
/// recipient: each queue holds a reference, nothing is copied per connection, and `writev` can point straight at
/// the storage because it is pinned for the lifetime of the object.
public final class SharedBytes: @unchecked Sendable {
    // Immutable after init, so sharing across threads is safe.
    public let base: UnsafeRawPointer
    public let count: Int

    /// Copies `bytes` into new pinned storage.
    public init(_ bytes: some Collection<UInt8>) {
        let count = bytes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        let buffer = UnsafeMutableRawBufferPointer(start: storage, count: count)
        buffer.copyBytes(from: bytes)
        self.base = UnsafeRawPointer(storage)
        self.count = count
    }

    /// Allocates `count` bytes and lets `initialize` fill them, avoiding an intermediate array.
    public init(count: Int, initialize: (UnsafeMutableRawBufferPointer) -> Void) {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        initialize(UnsafeMutableRawBufferPointer(start: storage, count: count))
        self.base = UnsafeRawPointer(storage)
        self.count = count
    }

    deinit {
        UnsafeMutableRawPointer(mutating: base).deallocate()
    }

    /// The bytes as a buffer pointer, valid while `self` is alive.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    /// A copy of the bytes as an array (for tests and slow paths).
    public var array: [UInt8] {
        Array(bytes)
    }
}
