import HTTP
import Logging
import Transport
import WebSocket

/// Serves HTTP/1.1 on one connection: parses requests, routes them, writes responses in order, and hands the
/// connection to a ``WebSocketChannel`` on a valid upgrade.
///
/// One request is handled at a time; pipelined requests wait in the parser until the previous response is
/// written, which keeps responses in order without a queue. Bodies of `.stream` routes go to their sink as they
/// arrive (with backpressure); file responses are read on ``FileIO`` queues and written a bounded window at a
/// time, continued from ``outputDrained(on:)``.
final class HTTPServerHandler: ConnectionHandler, @unchecked Sendable {
    private let context: ServerContext
    private var parser: RequestParser
    private var pending: PendingRequest?
    private var awaitingResponse = false
    private var requestInProgress = false
    private var closeAfterResponse = false
    /// Reading is paused because pipelined input piled up behind a response.
    private var pipelinePaused = false
    /// Reading is paused because a body sink asked for it.
    private var bodyPaused = false
    private var readingPaused = false
    /// Identifies the current request, so late responses and stale sink calls are ignored.
    private var serial: UInt64 = 0
    /// The file response being written, if any.
    private var download: Download?

    /// The current request's route pattern and start, for metrics.
    private var metricsRoute = "unmatched"
    private var metricsMethod = "GET"
    private var metricsStart: UInt64 = 0

    private struct PendingRequest {
        var head: RequestHead
        var route: HTTPRoute
        var parameters: PathParameters
        var clientIP: String
        var body: [UInt8] = []
        var sink: (any RequestBodySink)?
    }

    /// A file response in progress. Loop-confined.
    private final class Download {
        let file: OpenFile
        let offset: Int64
        let length: Int64
        let keepAlive: Bool
        let serial: UInt64
        /// Bytes asked of the I/O queue so far, and those read but not yet queued on the connection.
        var requested: Int64 = 0
        var inFlight = 0
        var written: Int64 = 0

        init(_ response: HTTPFileResponse, keepAlive: Bool, serial: UInt64) {
            file = response.file
            offset = response.offset
            length = response.length
            self.keepAlive = keepAlive
            self.serial = serial
        }
    }

    /// At most this many bytes of a file response are queued or being read: the window that keeps the socket busy
    /// without holding the file in memory.
    static let downloadWindow = 256 * 1024
    static let downloadChunk = 64 * 1024

    init(connection: Connection, context: ServerContext) {
        context.metrics.connectionsAccepted.increment()
        self.context = context
        self.parser = RequestParser(limits: context.httpLimits)
        // The first request's head, TLS handshake included, must arrive within the head timeout.
        connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestHeadTimeout)
    }

    func received(_ bytes: UnsafeRawBufferPointer, on connection: Connection) {
        if !requestInProgress && !awaitingResponse {
            requestInProgress = true
            connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestHeadTimeout)
        }
        parser.feed(bytes)
        if awaitingResponse {
            // Pipelined bytes wait; cap how much a client can pile up behind a slow handler.
            if parser.bufferedByteCount > context.httpLimits.maxHeaderBytes + 65536, !pipelinePaused {
                pipelinePaused = true
                updateReading(connection)
            }
            return
        }
        // A paused body sink gets nothing more until it resumes; reading is paused, so little can pile up here.
        if bodyPaused { return }
        process(connection)
    }

    private func process(_ connection: Connection) {
        while !awaitingResponse, !bodyPaused, connection.isOpen {
            let event: RequestEvent?
            do {
                event = try parser.next()
            } catch {
                return fail(error.httpError, on: connection)
            }
            guard let event else { return }
            switch event {
            case .head(let head):
                guard handleHead(head, on: connection) else { return }
            case .body(let chunk):
                if let sink = pending?.sink {
                    // For a streamed body the timeout bounds the silence between bytes, not the whole upload.
                    connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
                    sink.receive(chunk)
                } else {
                    pending?.body.append(contentsOf: chunk)
                }
            case .end:
                guard let request = pending else { continue }
                pending = nil
                dispatch(request, on: connection)
            }
        }
    }

    /// Routes a request head. Returns false when the connection was handed over or is closing.
    private func handleHead(_ head: RequestHead, on connection: Connection) -> Bool {
        metricsRoute = "unmatched"
        metricsMethod = head.method.rawValue
        metricsStart = MonotonicClock.now()
        let route: HTTPRoute
        let parameters: PathParameters
        do {
            switch try context.router.match(head.method, path: head.path) {
            case .matched(let matched, let captured, let pattern):
                route = matched
                parameters = captured
                metricsRoute = pattern
            case .methodNotAllowed(let allowed):
                fail(.methodNotAllowed(allowed: allowed), on: connection)
                return false
            case .notFound:
                fail(.notFound(), on: connection)
                return false
            }
        } catch {
            fail(error, on: connection)
            return false
        }

        let clientIP = ClientAddress.resolve(
            peer: connection.remoteAddress.ip,
            headers: head.headers,
            trusted: context.configuration.trustedProxies
        )
        if case .upgrade(let endpoint) = route.action {
            if let wait = context.limiter?.take(.handshake, for: clientIP) {
                fail(Self.rateLimited(wait), on: connection)
                return false
            }
            upgrade(head, endpoint: endpoint, parameters: parameters, clientIP: clientIP, on: connection)
            return false
        }
        if !route.exemptFromRateLimits, let wait = context.limiter?.take(.request, for: clientIP) {
            fail(Self.rateLimited(wait), on: connection)
            return false
        }
        let limit = route.maxBodyBytes ?? context.configuration.http.maxBodySize
        if let length = head.contentLength, length > limit {
            fail(Self.bodyTooLarge(limit), on: connection)
            return false
        }
        parser.overrideMaxBodySize(limit)
        serial &+= 1
        var sink: (any RequestBodySink)?
        if case .stream(_, let open) = route.action {
            let request = HTTPRequest(
                head: head,
                body: [],
                parameters: parameters,
                remoteAddress: connection.remoteAddress,
                clientIP: clientIP,
                isSecure: connection.isSecure
            )
            do {
                sink = try open(request)
            } catch {
                fail(error, on: connection)
                return false
            }
            sink?.started(RequestBodyControl(handler: self, connection: connection, serial: serial))
        }
        if head.expectsContinue, head.hasBody {
            connection.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        if head.hasBody {
            connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
        }
        pending = PendingRequest(head: head, route: route, parameters: parameters, clientIP: clientIP, sink: sink)
        return true
    }

    private func dispatch(_ request: PendingRequest, on connection: Connection) {
        awaitingResponse = true
        // The handler owns the timing now; no head deadline while it works.
        connection.deadline = .max
        let head = request.head
        let serial = self.serial
        let responder = HTTPResponder(reply: { [self] reply in
            connection.loop.execute { self.finish(reply, for: head, serial: serial, on: connection) }
        })
        switch request.route.action {
        case .respond(let handler):
            let httpRequest = HTTPRequest(
                head: head,
                body: request.body,
                parameters: request.parameters,
                remoteAddress: connection.remoteAddress,
                clientIP: request.clientIP,
                isSecure: connection.isSecure
            )
            handler(httpRequest, responder)
        case .stream:
            request.sink?.finish(responder: responder)
        case .upgrade:
            break
        }
    }

    private func finish(_ reply: HTTPReply, for head: RequestHead, serial: UInt64, on connection: Connection) {
        guard awaitingResponse, serial == self.serial, download == nil, connection.isOpen else { return }
        let keepAlive = head.keepAlive && !closeAfterResponse
        let isHead = head.method == .HEAD
        switch reply {
        case .full(let response):
            awaitingResponse = false
            recordRequest(status: response.status.rawValue)
            connection.write(response.encode(keepAlive: keepAlive, isHead: isHead, date: context.date()))
            responseComplete(keepAlive: keepAlive, on: connection)
        case .file(let file):
            recordRequest(status: file.head.status.rawValue)
            let length = max(0, file.length)
            connection.write(
                file.head.encodeHead(contentLength: Int(length), keepAlive: keepAlive, date: context.date())
            )
            if isHead || length == 0 || file.head.status.forbidsContent {
                awaitingResponse = false
                return responseComplete(keepAlive: keepAlive, on: connection)
            }
            download = Download(file, keepAlive: keepAlive, serial: serial)
            connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
            pump(connection)
        }
    }

    /// The response is out: close, or go on with the next request.
    private func responseComplete(keepAlive: Bool, on connection: Connection) {
        guard keepAlive else { return connection.closeAfterFlush() }
        requestInProgress = parser.hasBufferedBytes
        let timeout =
            requestInProgress ? context.configuration.requestHeadTimeout : context.configuration.keepAliveTimeout
        connection.deadline = MonotonicClock.now().adding(seconds: timeout)
        pipelinePaused = false
        updateReading(connection)
        process(connection)
    }

    private func updateReading(_ connection: Connection) {
        let paused = pipelinePaused || bodyPaused
        guard paused != readingPaused else { return }
        readingPaused = paused
        if paused { connection.pauseReading() } else { connection.resumeReading() }
    }

    // MARK: Streamed request bodies

    func pauseBody(serial: UInt64, on connection: Connection) {
        guard serial == self.serial, pending?.sink != nil, !bodyPaused, connection.isOpen else { return }
        bodyPaused = true
        connection.deadline = .max
        updateReading(connection)
    }

    func resumeBody(serial: UInt64, on connection: Connection) {
        guard serial == self.serial, bodyPaused, connection.isOpen else { return }
        bodyPaused = false
        connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
        updateReading(connection)
        process(connection)
    }

    func rejectBody(_ error: HTTPError, serial: UInt64, on connection: Connection) {
        guard serial == self.serial, pending?.sink != nil, connection.isOpen else { return }
        fail(error, on: connection)
    }

    /// Tells an unfinished body sink that its body will not complete.
    private func abortBody() {
        guard let sink = pending?.sink else { return }
        pending = nil
        sink.abort()
    }

    // MARK: File responses

    /// Asks the I/O queue for more of the file while the window has room.
    private func pump(_ connection: Connection) {
        guard let download, connection.isOpen else { return }
        let window = min(Self.downloadWindow, connection.maxOutboundBytes / 2)
        let chunk = max(1, min(Self.downloadChunk, window / 2))
        while download.requested < download.length, connection.queuedOutputBytes + download.inFlight < window {
            let count = Int(min(Int64(chunk), download.length - download.requested))
            let offset = download.offset + download.requested
            download.requested += Int64(count)
            download.inFlight += count
            let file = download.file
            let serial = download.serial
            FileIO.queue(for: connection.id).async {
                let bytes = file.read(at: offset, count: count)
                connection.loop.execute { self.fileRead(bytes, count: count, serial: serial, on: connection) }
            }
        }
    }

    private func fileRead(_ bytes: SharedBytes?, count: Int, serial: UInt64, on connection: Connection) {
        guard let download, download.serial == serial, connection.isOpen else { return }
        guard let bytes else {
            // The status line is out; the only honest signal left is a short body.
            context.log.error("file read failed during a response", ("connection", .int(Int(connection.id))))
            return connection.close()
        }
        download.inFlight -= count
        download.written += Int64(count)
        connection.write(bytes)
        guard connection.isOpen else { return }
        connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
        if download.written == download.length {
            self.download = nil
            awaitingResponse = false
            // A shutdown that began during the body closes the connection after it.
            responseComplete(keepAlive: download.keepAlive && !closeAfterResponse, on: connection)
        } else {
            pump(connection)
        }
    }

    func outputDrained(on connection: Connection) {
        if download != nil { pump(connection) }
    }

    private func upgrade(
        _ head: RequestHead,
        endpoint: any WebSocketEndpoint,
        parameters: PathParameters,
        clientIP: String,
        on connection: Connection
    ) {
        var options = context.handshakeOptions
        options.subprotocols = endpoint.subprotocols
        let evaluation = Handshake.evaluate(
            method: head.method.rawValue,
            httpVersion: (head.version.major, head.version.minor),
            headers: head.headers.map { (name: $0.name, value: $0.value) },
            options: options
        )
        let accept: HandshakeAccept
        switch evaluation {
        case .success(let accepted):
            accept = accepted
        case .failure(let error):
            context.log.info(
                "websocket handshake refused",
                ("code", .string(error.code)),
                ("status", .int(error.status))
            )
            var headers = HTTPHeaders()
            for field in error.headers { headers.add(name: field.name, value: field.value) }
            let status = HTTPStatus(rawValue: error.status)
            context.metrics.handshake(error.code)
            return fail(
                HTTPError(status: status, code: error.code, message: error.message, headers: headers),
                on: connection
            )
        }
        let request = HTTPRequest(
            head: head,
            body: [],
            parameters: parameters,
            remoteAddress: connection.remoteAddress,
            clientIP: clientIP,
            isSecure: connection.isSecure
        )
        // Behind a trusted proxy the transport saw only the proxy; count WebSockets per forwarded client here.
        let counted = clientIP != connection.remoteAddress.ip ? context.limiter : nil
        if let counted {
            guard counted.openWebSocket(for: clientIP) else {
                context.metrics.handshake("too_many_connections_from_ip")
                return fail(
                    HTTPError(
                        status: .serviceUnavailable,
                        code: "too_many_connections_from_ip",
                        message: "Too many connections from your address; close some and retry."
                    ),
                    on: connection
                )
            }
        }
        let session: any WebSocketSession
        do {
            session = try endpoint.makeSession(for: request)
        } catch {
            counted?.closeWebSocket(for: clientIP)
            context.metrics.handshake(error.code)
            return fail(error, on: connection)
        }
        if let counted { connection.whenClosed { counted.closeWebSocket(for: clientIP) } }
        context.metrics.handshake("ok")
        recordRequest(status: 101)
        var headers = HTTPHeaders()
        for field in accept.responseHeaders { headers.add(name: field.name, value: field.value) }
        let response = HTTPResponse(status: .switchingProtocols, headers: headers)
        connection.write(response.encodeHead(contentLength: nil, keepAlive: true))
        if let cap = endpoint.maxOutboundBytes { connection.maxOutboundBytes = cap }
        let channel = WebSocketChannel(
            connection: connection,
            accept: accept,
            configuration: endpoint.configuration,
            session: session,
            timing: context.webSocketTiming,
            deflaters: context.deflaters,
            metrics: context.metrics
        )
        connection.handler = channel
        channel.start(leftover: parser.takeBufferedBytes())
    }

    /// 429 with `Retry-After` in whole seconds (at least 1).
    static func rateLimited(_ wait: Double) -> HTTPError {
        .tooManyRequests(wait: wait, code: "rate_limited") { "Too many requests from your address; retry in \($0) s." }
    }

    private func recordRequest(status: Int) {
        let seconds = metricsStart == 0 ? 0 : Double(MonotonicClock.now() - metricsStart) / 1e9
        context.metrics.httpRequest(route: metricsRoute, method: metricsMethod, status: status, seconds: seconds)
        metricsStart = 0
    }

    /// Answers with an error and closes: after a framing error the rest of the stream cannot be trusted, and
    /// after an early refusal the unread body would otherwise be taken for the next request.
    private func fail(_ error: HTTPError, on connection: Connection) {
        recordRequest(status: error.status.rawValue)
        awaitingResponse = true
        abortBody()
        pending = nil
        // Let the lingering close read (and drop) what the client still sends.
        pipelinePaused = false
        bodyPaused = false
        updateReading(connection)
        var response = error.response
        response.headers.replaceOrAdd(name: "Connection", value: "close")
        connection.write(response.encode(keepAlive: false, date: context.date()))
        connection.closeAfterFlush()
    }

    static func bodyTooLarge(_ limit: Int) -> HTTPError {
        HTTPError(
            status: .contentTooLarge,
            code: "content_too_large",
            message: "The request body is larger than this endpoint accepts (\(limit) bytes)."
        )
    }

    // MARK: Timers and lifecycle

    func deadlineReached(on connection: Connection, now: UInt64) {
        if download != nil {
            // The client stopped reading a file response; the status line is long gone.
            connection.close()
        } else if requestInProgress || pending != nil {
            fail(
                HTTPError(
                    status: .requestTimeout,
                    code: "request_timeout",
                    message: "The request took too long to arrive."
                ),
                on: connection
            )
        } else {
            connection.closeAfterFlush()
        }
    }

    func closed(_ connection: Connection) {
        abortBody()
        // Releases the file; a read still in flight holds it until it completes.
        download = nil
    }

    func shutdown(on connection: Connection) {
        if awaitingResponse {
            closeAfterResponse = true
        } else {
            connection.closeAfterFlush()
        }
    }
}
