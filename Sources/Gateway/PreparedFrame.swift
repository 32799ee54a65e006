import Transport
import WebSocket

/// A server-to-client message encoded once and shared by every connection it goes to (fan-out).
///
/// Wraps the codec's ``PreparedMessage`` frames in pinned ``SharedBytes``, so each recipient's outbound queue
/// holds a reference, not a copy.
public final class PreparedFrame: Sendable {
    public let plain: SharedBytes
    public let compressed: SharedBytes?
    private let compressedWindowBits: Int

    /// - Parameter deflater: a compressor owned by the calling thread; nil = never compress.
    public init(opcode: Opcode = .text, payload: [UInt8], deflater: Deflater?, threshold: Int) {
        let message = PreparedMessage(
            opcode: opcode,
            payload: payload,
            deflater: deflater,
            compressionThreshold: threshold
        )
        plain = SharedBytes(message.uncompressedFrame)
        compressed = message.compressedFrame.map { SharedBytes($0) }
        compressedWindowBits = message.compressionWindowBits
    }

    /// The variant a connection may receive.
    func bytes(for connection: WebSocketConnection) -> SharedBytes {
        if let compressed, connection.acceptsCompressedFrames(windowBits: compressedWindowBits) { return compressed }
        return plain
    }
}

/// One compressor per event loop and window size, used only on that loop.
final class DeflaterPool: Sendable {
    private final class Slot: @unchecked Sendable {
        // Touched only on its loop's queue.
        var deflaters: [Int: Deflater] = [:]
    }

    private let slots: [Slot]

    init(loops: Int) {
        slots = (0..<loops).map { _ in Slot() }
    }

    /// Must be called on `loop`'s queue.
    func deflater(on loop: EventLoop, windowBits: Int) -> Deflater? {
        let slot = slots[loop.index]
        if let existing = slot.deflaters[windowBits] { return existing }
        // zlib cannot compress with an 8-bit window; such connections get uncompressed frames.
        guard (9...15).contains(windowBits) else { return nil }
        let created = Deflater(windowBits: windowBits)
        slot.deflaters[windowBits] = created
        return created
    }
}
