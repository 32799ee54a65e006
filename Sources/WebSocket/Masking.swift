/// The 4-byte masking key of a client-to-server frame (RFC 6455 §5.3).
public struct MaskingKey: Hashable, Sendable {
    /// The key as a big-endian integer: the first key byte on the wire is the most significant byte.
    public let value: UInt32

    /// Creates a key from its four bytes in wire order.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        self.value = UInt32(b0) << 24 | UInt32(b1) << 16 | UInt32(b2) << 8 | UInt32(b3)
    }

    /// Creates a key from a tuple of its four bytes in wire order.
    public init(_ bytes: (UInt8, UInt8, UInt8, UInt8)) {
        self.init(bytes.0, bytes.1, bytes.2, bytes.3)
    }

    /// Creates a key from its big-endian integer form (see ``value``).
    public init(value: UInt32) {
        self.value = value
    }

    /// The key byte at position `index` (0–3) in wire order.
    public subscript(index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index & 3)))
    }
}

/// XOR masking and unmasking of frame payloads (RFC 6455 §5.3).
public enum Masking {
    /// XORs `buffer` in place with `key`, as if the buffer started at payload position `offset`; returns the key
    /// position (0–3) for the byte after the buffer, so a payload split across chunks can be processed chunk by
    /// chunk.
    ///
    /// Works 8 bytes at a time; masking and unmasking are the same operation.
    @discardableResult
    public static func apply(_ key: MaskingKey, offset: Int = 0, to buffer: UnsafeMutableRawBufferPointer) -> Int {
        let start = offset & 3
        let count = buffer.count
        guard count > 0, let base = buffer.baseAddress else { return start }
        // An 8-byte pattern that begins at key position `start`; since 8 is a multiple of 4 it stays in phase.
        var pattern: UInt64 = 0
        withUnsafeMutableBytes(of: &pattern) { raw in
            for index in 0..<8 {
                raw[index] = key[start + index]
            }
        }
        var index = 0
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ pattern
            base.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self) ^ key[start + index]
            base.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            index += 1
        }
        return (start + count) & 3
    }

    /// XORs `bytes` in place with `key` starting at key position `offset`; returns the next key position.
    @discardableResult
    public static func apply(_ key: MaskingKey, offset: Int = 0, to bytes: inout [UInt8]) -> Int {
        bytes.withUnsafeMutableBytes { apply(key, offset: offset, to: $0) }
    }
}
