import Glibc

/// The bytes waiting to be written to one socket, as a list of shared chunks.
///
/// Appending shares the chunk (no copy); `write(to:)` hands up to `IOV_MAX` chunks to one `writev`, so everything
/// queued during one loop turn leaves in a single system call.
struct OutboundQueue {
    private var chunks: [SharedBytes] = []
    private var head = 0
    /// Bytes of `chunks[head]` already written.
    private var headOffset = 0
    /// Unwritten bytes in the queue.
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    mutating func append(_ chunk: SharedBytes) {
        guard chunk.count > 0 else { return }
        chunks.append(chunk)
        byteCount += chunk.count
    }

    /// Drops everything except the partially written chunk, whose remainder must still go out to keep the peer's
    /// framing intact.
    mutating func dropUnstarted() {
        let keep = headOffset > 0 && head < chunks.count ? chunks[head] : nil
        chunks.removeAll(keepingCapacity: false)
        head = 0
        if let keep {
            chunks.append(keep)
            byteCount = keep.count - headOffset
        } else {
            headOffset = 0
            byteCount = 0
        }
    }

    enum WriteResult {
        /// Everything was written.
        case drained
        /// The socket buffer is full; wait for writability.
        case wouldBlock
        case failed(Int32)
    }

    /// Writes as much as the socket takes.
    mutating func write(to fd: Int32) -> WriteResult {
        let maxVectors = 1024  // IOV_MAX on Linux
        while byteCount > 0 {
            let n = min(chunks.count - head, maxVectors)
            let written = withUnsafeTemporaryAllocation(of: iovec.self, capacity: n) { vectors in
                for i in 0..<n {
                    let chunk = chunks[head + i]
                    let offset = i == 0 ? headOffset : 0
                    vectors[i] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: chunk.base + offset),
                        iov_len: chunk.count - offset
                    )
                }
                return writev(fd, vectors.baseAddress, Int32(n))
            }
            if written < 0 {
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
                return .failed(error)
            }
            consume(written)
        }
        return .drained
    }

    private mutating func consume(_ count: Int) {
        var remaining = count
        byteCount -= count
        while remaining > 0 {
            let available = chunks[head].count - headOffset
            if remaining >= available {
                remaining -= available
                head += 1
                headOffset = 0
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if head == chunks.count {
            // Release the array so an idle connection holds no queue storage.
            chunks = []
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }
}
