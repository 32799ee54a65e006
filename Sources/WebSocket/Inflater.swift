import CShims

/// A raw-deflate decompressor for the messages of one permessage-deflate connection (RFC 7692 §7.2.2).
///
/// The connection creates one lazily, on the first compressed message, so idle connections hold no zlib state.
/// With context takeover the same inflater carries its LZ77 window from message to message; with
/// `client_no_context_takeover` the connection discards it after each message.
///
/// Output is produced in bounded chunks and checked against a limit as it grows, so a compression bomb fails with
/// ``WebSocketError/messageTooBig`` after at most `limit + 1` bytes of output, never allocating what the bomb would
/// expand to.
///
/// Memory: about 7 KiB of zlib state, plus a window of `1 << windowBits` bytes once data has been inflated.
public final class Inflater {
    /// The LZ77 window size, as a base-2 logarithm (8–15).
    public let windowBits: Int

    // zlib's internal state points back at the stream, so the z_stream must never move.
    private let stream: UnsafeMutablePointer<z_stream>

    /// The empty, uncompressed stored block that RFC 7692 §7.2.2 appends to the end of every message.
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// Creates an inflater for a window of `windowBits` (8–15).
    public init(windowBits: Int = 15) throws(WebSocketError) {
        precondition((8...15).contains(windowBits), "windowBits must be 8...15")
        self.windowBits = windowBits
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Negative window bits: raw deflate, no zlib header or checksum (RFC 7692 §7.2.1).
        guard yz_inflate_init2(stream, -Int32(windowBits)) == Z_OK else {
            stream.deallocate()
            throw .compressionFailure
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Forgets the history of previous messages (for a connection without context takeover).
    public func reset() {
        inflateReset(stream)
    }

    /// Inflates `input`, appending the output to `output`.
    ///
    /// After a throw the stream is in an undefined state: discard the inflater (or ``reset()`` it).
    /// - Parameter limit: the largest `output.count` allowed; exceeding it throws ``WebSocketError/messageTooBig``
    ///   having produced at most one byte more than the limit.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(WebSocketError)
    {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        // Never leave zlib pointing at the caller's memory, whatever happens.
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        var offset = 0
        while offset < input.count {
            // avail_in is 32 bits wide.
            let count = min(input.count - offset, Int(Int32.max))
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: base.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            )
            stream.pointee.avail_in = uInt(count)
            try drain(into: &output, limit: limit)
            offset += count
        }
    }

    /// Inflates `input`, appending the output to `output`. See ``inflate(_:into:limit:)-(UnsafeRawBufferPointer,_,_)``.
    public func inflate(_ input: some Collection<UInt8>, into output: inout [UInt8], limit: Int) throws(WebSocketError)
    {
        let result = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WebSocketError) in
                try inflate(UnsafeRawBufferPointer(buffer), into: &output, limit: limit)
            }
        }
        if let result { return try result.get() }
        try inflate(Array(input), into: &output, limit: limit)
    }

    /// Ends a message: inflates the `00 00 FF FF` tail the sender removed (RFC 7692 §7.2.2), flushing any output
    /// still held back.
    public func finishMessage(into output: inout [UInt8], limit: Int) throws(WebSocketError) {
        try inflate(Self.tail, into: &output, limit: limit)
    }

    /// Runs inflate until the current input is consumed and no output is pending.
    private func drain(into output: inout [UInt8], limit: Int) throws(WebSocketError) {
        while true {
            let space = limit + 1 - output.count
            guard space > 0 else { throw .messageTooBig }
            // Bounded chunks: a few times the input left, at least 1 KiB, at most 64 KiB, never past limit + 1.
            let wanted = min(max(Int(stream.pointee.avail_in) * 4, 1024), 64 * 1024)
            let chunk = min(space, wanted)
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: chunk))
            let status = output.withUnsafeMutableBytes { raw -> Int32 in
                stream.pointee.next_out = raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(chunk)
                return CShims.inflate(stream, Z_SYNC_FLUSH)
            }
            let unused = Int(stream.pointee.avail_out)
            output.removeLast(unused)
            stream.pointee.next_out = nil
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                // The sender ended the deflate stream with a BFINAL block; anything after it (such as our tail)
                // starts a new stream.
                inflateReset(stream)
            case Z_BUF_ERROR:
                // No progress possible: the input is used up and nothing is pending.
                return
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw .invalidCompressedData
            default:
                throw .compressionFailure
            }
            if output.count > limit { throw .messageTooBig }
            if stream.pointee.avail_in == 0 && unused > 0 { return }
        }
    }
}
