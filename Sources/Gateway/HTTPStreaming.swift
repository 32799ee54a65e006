import Dispatch
import Glibc
import HTTP
import Transport

/// Where a streamed request body goes (``HTTPRoute/Action/stream(maxBodyBytes:open:)``).
///
/// Every method is called on the connection's loop, in this order: ``started(_:)`` once, ``receive(_:)`` for each
/// slice of the body as it arrives (never empty), then exactly one of ``finish(responder:)`` (the body is complete)
/// or ``abort()`` (the connection closed, the body broke the protocol or passed the limit, the body timed out, or the
/// sink rejected it). Nothing is buffered for the sink: it must keep up or pause.
public protocol RequestBodySink: AnyObject {
    /// Hands the sink its control: pause and resume reading (backpressure), or refuse the body early.
    func started(_ control: RequestBodyControl)
    /// The next slice of the body.
    func receive(_ chunk: [UInt8])
    /// The body is complete. Answer through `responder`, from any thread, exactly once.
    func finish(responder: HTTPResponder)
    /// The body will not complete; release what the sink holds (temporary files). No response is expected.
    func abort()
}

extension RequestBodySink {
    public func started(_ control: RequestBodyControl) {}
}

/// A streaming sink's handle on its request.
///
/// Stale calls (after the request ended) are ignored, so a sink may call it from completion handlers freely.
public final class RequestBodyControl: @unchecked Sendable {
    // Read and called on the connection's loop only.
    private weak var handler: HTTPServerHandler?
    private let connection: Connection
    private let serial: UInt64

    init(handler: HTTPServerHandler, connection: Connection, serial: UInt64) {
        self.handler = handler
        self.connection = connection
        self.serial = serial
    }

    /// The loop the sink's methods run on.
    public var loop: EventLoop { connection.loop }

    /// Stops reading the body until ``resume()``; while paused the body timeout does not run. Must be called on the
    /// connection's loop (from ``RequestBodySink/receive(_:)``).
    public func pause() {
        handler?.pauseBody(serial: serial, on: connection)
    }

    /// Reads the body again after ``pause()``. Any thread.
    public func resume() {
        let connection = self.connection
        let serial = self.serial
        connection.loop.execute { [weak handler] in handler?.resumeBody(serial: serial, on: connection) }
    }

    /// Refuses the body before it is complete: answers with `error`, closes the connection after it, then calls
    /// the sink's ``RequestBodySink/abort()``. Ignored once the body is complete (answer through the responder then).
    /// Any thread.
    public func reject(_ error: HTTPError) {
        let connection = self.connection
        let serial = self.serial
        connection.loop.execute { [weak handler] in handler?.rejectBody(error, serial: serial, on: connection) }
    }
}

/// A response whose body is a range of an open file (``HTTPResponder/respond(file:)``).
public struct HTTPFileResponse: Sendable {
    /// Status and headers; its body is ignored and `Content-Length` is set to `length`.
    public var head: HTTPResponse
    public var file: OpenFile
    public var offset: Int64
    public var length: Int64

    public init(head: HTTPResponse, file: OpenFile, offset: Int64, length: Int64) {
        self.head = head
        self.file = file
        self.offset = offset
        self.length = length
    }
}

/// An open file descriptor, closed when the last reference goes away: a read in flight on the I/O queue keeps
/// the descriptor alive, so its number can never be reused under it.
public final class OpenFile: Sendable {
    public let descriptor: Int32

    /// Takes ownership of `descriptor`.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Reads exactly `count` bytes at `offset`, or nil when the file is shorter or the read fails.
    public func read(at offset: Int64, count: Int) -> SharedBytes? {
        var complete = true
        let bytes = SharedBytes(count: count) { buffer in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n > 0 {
                    done += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    complete = false
                    return
                }
            }
        }
        return complete ? bytes : nil
    }
}

/// The queues file I/O runs on, off the event loops: a slow disk delays file transfers, never other connections.
/// A few serial queues, so concurrent transfers overlap while each one's operations stay in order.
enum FileIO {
    static let queues: [DispatchQueue] = (0..<4).map { DispatchQueue(label: "yizhan.files.\($0)") }

    /// The queue for work keyed by `key` (a connection id): one transfer's operations always share a queue.
    static func queue(for key: UInt64) -> DispatchQueue {
        queues[Int(key % UInt64(queues.count))]
    }
}
