/// A connected byte stream, plain or TLS, whose every wait is bounded by the exchange's deadline.
protocol ClientStream: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8], deadline: Deadline) throws(HTTPClientError)
    /// Reads at least one byte into `buffer`; returns 0 at end of stream.
    func read(into buffer: inout [UInt8], deadline: Deadline) throws(HTTPClientError) -> Int
}
