import CShims

/// A reusable raw-deflate compressor for outgoing permessage-deflate messages, without context takeover.
///
/// Every message is compressed on its own (the stream is reset first), which is what the server promises by
/// always negotiating `server_no_context_takeover`. The output therefore does not depend on the connection, so one
/// `Deflater` serves every connection of an event loop, and a message fanned out to many connections is compressed
/// once. Not thread-safe: keep one per thread.
///
/// Memory: about 256 KiB at the defaults (window 15, memLevel 8), allocated once.
public final class Deflater {
    /// The LZ77 window size as a base-2 logarithm (9–15). Output is only valid for connections that agreed to a
    /// `server_max_window_bits` of at least this.
    public let windowBits: Int
    /// The zlib compression level (0–9).
    public let level: Int

    // zlib's internal state points back at the stream, so the z_stream must never move.
    private let stream: UnsafeMutablePointer<z_stream>

    /// Creates a compressor.
    /// - Parameters:
    ///   - windowBits: 9–15, default 15. zlib cannot deflate with a window of 8 (see ``PerMessageDeflate``).
    ///   - level: 0 (store) to 9 (best), default 6 (zlib's default).
    ///   - memLevel: 1–9, default 8 (zlib's default); lower uses less memory and compresses worse.
    public init(windowBits: Int = 15, level: Int = 6, memLevel: Int = 8) {
        precondition((9...15).contains(windowBits), "windowBits must be 9...15")
        precondition((0...9).contains(level), "level must be 0...9")
        precondition((1...9).contains(memLevel), "memLevel must be 1...9")
        self.windowBits = windowBits
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = yz_deflate_init2(stream, Int32(level), -Int32(windowBits), Int32(memLevel))
        guard status == Z_OK else { fatalError("deflateInit2 failed with status \(status)") }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses one message payload into the form RFC 7692 §7.2.1 puts on the wire: a raw deflate stream ending
    /// with a sync flush, minus its trailing `00 00 FF FF`.
    public func compress(_ payload: UnsafeRawBufferPointer) -> [UInt8] {
        deflateReset(stream)
        var output: [UInt8] = []
        output.reserveCapacity(Int(deflateBound(stream, uLong(payload.count))) + 16)
        var offset = 0
        repeat {
            // avail_in is 32 bits wide.
            let count = min(payload.count - offset, Int(Int32.max))
            let isLast = offset + count == payload.count
            stream.pointee.next_in = payload.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
            }
            stream.pointee.avail_in = uInt(count)
            let flush = isLast ? Z_SYNC_FLUSH : Z_NO_FLUSH
            while true {
                let chunk = max(Int(deflateBound(stream, uLong(stream.pointee.avail_in))) + 16, 64)
                let start = output.count
                output.append(contentsOf: repeatElement(0, count: chunk))
                let status = output.withUnsafeMutableBytes { raw -> Int32 in
                    stream.pointee.next_out = raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(chunk)
                    return deflate(stream, flush)
                }
                let unused = Int(stream.pointee.avail_out)
                output.removeLast(unused)
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with status \(status)")
                if stream.pointee.avail_in == 0 && unused > 0 { break }
            }
            offset += count
        } while offset < payload.count
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        // A sync flush always ends with an empty stored block, 00 00 FF FF after byte alignment.
        if output.count >= 4 && output[(output.count - 4)...] == [0x00, 0x00, 0xFF, 0xFF] {
            output.removeLast(4)
        }
        return output
    }

    /// Compresses one message payload. See ``compress(_:)-(UnsafeRawBufferPointer)``.
    public func compress(_ payload: some Collection<UInt8>) -> [UInt8] {
        if let result = payload.withContiguousStorageIfAvailable({ compress(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(payload).withUnsafeBytes { compress($0) }
    }
}
