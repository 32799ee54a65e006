import Glibc

/// Closes a file descriptor once all the dispatch sources watching it have been cancelled.
/// Used on the connection's loop queue only (cancel handlers run there).
final class DescriptorCloser: @unchecked Sendable {
    private let fd: Int32
    private var remaining: Int

    init(fd: Int32, sources: Int) {
        self.fd = fd
        self.remaining = sources
        if sources == 0 { Glibc.close(fd) }
    }

    func sourceCancelled() {
        remaining -= 1
        if remaining == 0 { Glibc.close(fd) }
    }
}
