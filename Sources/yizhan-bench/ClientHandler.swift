/// What a scenario does with its connections. Each ``ClientWorker`` has its own handler, called only on that
/// worker's thread, so handlers keep plain (unlocked) state and publish progress through atomics.
protocol ClientHandler: AnyObject {
    /// The 101 arrived: the connection is authenticated and may send.
    func opened(_ connection: ClientConnection, on worker: ClientWorker)
    /// The connection could not be set up: `status` is the HTTP status of a refused handshake, or 0 for a socket
    /// error (`error` is the errno then: ECONNREFUSED, ETIMEDOUT, EMFILE…).
    func failed(_ connection: ClientConnection, status: Int, error: Int32, on worker: ClientWorker)
    /// One complete text message from the server.
    func received(_ message: UnsafeRawBufferPointer, on connection: ClientConnection, worker: ClientWorker)
    /// An open connection ended from the server's side (close frame, EOF or reset); `code` is the close code,
    /// 0 without a close frame.
    func closed(_ connection: ClientConnection, code: Int, on worker: ClientWorker)
    /// Once per loop turn, after the events and before the writes leave.
    func tick(_ worker: ClientWorker, now: UInt64)
}

extension ClientHandler {
    func failed(_ connection: ClientConnection, status: Int, error: Int32, on worker: ClientWorker) {}
    func closed(_ connection: ClientConnection, code: Int, on worker: ClientWorker) {}
    func tick(_ worker: ClientWorker, now: UInt64) {}
}
