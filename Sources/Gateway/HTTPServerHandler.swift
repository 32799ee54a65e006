import HTTP
import Logging
import Transport
import WebSocket

/// Serves HTTP/1.1 on one connection: parses requests, routes them, writes responses in order, and hands the
/// connection to a ``WebSocketChannel`` on a valid upgrade.
///
/// One request is handled at a time; pipelined requests wait in the parser until the previous response is
/// written, which keeps responses in order without a queue.
final class HTTPServerHandler: ConnectionHandler, @unchecked Sendable {
    private let context: ServerContext
    private var parser: RequestParser
    private var pending: PendingRequest?
    private var awaitingResponse = false
    private var requestInProgress = false
    private var closeAfterResponse = false
    private var readingPaused = false

    private struct PendingRequest {
        var head: RequestHead
        var route: HTTPRoute
        var parameters: PathParameters
        var body: [UInt8] = []
    }

    init(connection: Connection, context: ServerContext) {
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
            if parser.bufferedByteCount > context.httpLimits.maxHeaderBytes + 65536, !readingPaused {
                readingPaused = true
                connection.pauseReading()
            }
            return
        }
        process(connection)
    }

    private func process(_ connection: Connection) {
        while !awaitingResponse, connection.isOpen {
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
                pending?.body.append(contentsOf: chunk)
            case .end:
                guard let request = pending else { continue }
                pending = nil
                dispatch(request, on: connection)
            }
        }
    }

    /// Routes a request head. Returns false when the connection was handed over or is closing.
    private func handleHead(_ head: RequestHead, on connection: Connection) -> Bool {
        let route: HTTPRoute
        let parameters: PathParameters
        do {
            switch try context.router.match(head.method, path: head.path) {
            case .matched(let matched, let captured, _):
                route = matched
                parameters = captured
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

        if case .upgrade(let endpoint) = route.action {
            upgrade(head, endpoint: endpoint, parameters: parameters, on: connection)
            return false
        }
        let limit = route.maxBodyBytes ?? context.configuration.http.maxBodySize
        if let length = head.contentLength, length > limit {
            fail(Self.bodyTooLarge(limit), on: connection)
            return false
        }
        parser.overrideMaxBodySize(limit)
        if head.expectsContinue, head.hasBody {
            connection.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        if head.hasBody {
            connection.deadline = MonotonicClock.now().adding(seconds: context.configuration.requestBodyTimeout)
        }
        pending = PendingRequest(head: head, route: route, parameters: parameters)
        return true
    }

    private func dispatch(_ request: PendingRequest, on connection: Connection) {
        guard case .respond(let handler) = request.route.action else { return }
        awaitingResponse = true
        // The handler owns the timing now; no head deadline while it works.
        connection.deadline = .max
        let head = request.head
        let httpRequest = HTTPRequest(
            head: head,
            body: request.body,
            parameters: request.parameters,
            remoteAddress: connection.remoteAddress,
            isSecure: connection.isSecure
        )
        let responder = HTTPResponder { [self] response in
            connection.loop.execute { self.finish(response, for: head, on: connection) }
        }
        handler(httpRequest, responder)
    }

    private func finish(_ response: HTTPResponse, for head: RequestHead, on connection: Connection) {
        guard awaitingResponse, connection.isOpen else { return }
        awaitingResponse = false
        let keepAlive = head.keepAlive && !closeAfterResponse
        connection.write(response.encode(keepAlive: keepAlive, isHead: head.method == .HEAD, date: context.date()))
        guard keepAlive else { return connection.closeAfterFlush() }
        requestInProgress = parser.hasBufferedBytes
        let timeout =
            requestInProgress ? context.configuration.requestHeadTimeout : context.configuration.keepAliveTimeout
        connection.deadline = MonotonicClock.now().adding(seconds: timeout)
        if readingPaused {
            readingPaused = false
            connection.resumeReading()
        }
        process(connection)
    }

    private func upgrade(
        _ head: RequestHead,
        endpoint: any WebSocketEndpoint,
        parameters: PathParameters,
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
            isSecure: connection.isSecure
        )
        let session: any WebSocketSession
        do {
            session = try endpoint.makeSession(for: request)
        } catch {
            return fail(error, on: connection)
        }
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
            deflaters: context.deflaters
        )
        connection.handler = channel
        channel.start(leftover: parser.takeBufferedBytes())
    }

    /// Answers with an error and closes: after a framing error the rest of the stream cannot be trusted, and
    /// after an early refusal the unread body would otherwise be taken for the next request.
    private func fail(_ error: HTTPError, on connection: Connection) {
        awaitingResponse = true
        pending = nil
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
        if requestInProgress || pending != nil {
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

    func shutdown(on connection: Connection) {
        if awaitingResponse {
            closeAfterResponse = true
        } else {
            connection.closeAfterFlush()
        }
    }
}
