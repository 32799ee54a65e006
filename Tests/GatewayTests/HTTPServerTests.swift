import Dispatch
import Foundation
import Gateway
import Glibc
import HTTP
import JSON
import TestSupport
import Testing
import Transport

@Suite struct HTTPServerTests {
    func response(_ request: String, port: UInt16) throws -> String {
        let client = try TestSocket(port: port)
        try client.send(request)
        return String(decoding: client.receiveAll(), as: UTF8.self)
    }

    @Test func healthzReportsVersionAndUptime() throws {
        let server = try TestServer()
        let text = try response("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        let body = text.split(separator: "\r\n\r\n", maxSplits: 1).last.map(String.init) ?? ""
        let json = try JSONParser.parse(body)
        #expect(json["status"] == "ok")
        #expect(json["version"]?.stringValue == Version.current)
        #expect((json["uptimeSeconds"]?.doubleValue ?? -1) >= 0)
    }

    @Test func unknownPathIs404WithJSONError() throws {
        let server = try TestServer()
        let text = try response("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 404 "))
        #expect(text.contains("\"code\":\"not_found\""))
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let server = try TestServer()
        let text = try response("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 405 "))
        #expect(text.contains("Allow: GET, HEAD"))
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        var routes = Routes()
        routes.add(.POST, "/echo-body", .sync { request in .text(.ok, String(decoding: request.body, as: UTF8.self)) })
        let server = try TestServer(routes: routes)
        let client = try TestSocket(port: server.port)
        var pipeline = ""
        for i in 0..<20 {
            let body = "request \(i)"
            pipeline += "POST /echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        pipeline += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        try client.send(pipeline)
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        var position = text.startIndex
        for i in 0..<20 {
            let range = try #require(text.range(of: "request \(i)", range: position..<text.endIndex))
            position = range.upperBound
        }
        #expect(text[position...].contains("\"status\":\"ok\""))
    }

    @Test func handlersMayAnswerLaterFromAnotherThread() throws {
        var routes = Routes()
        routes.add(
            .GET,
            "/later",
            HTTPRoute(
                .respond { _, responder in
                    DispatchQueueHelper.later { responder.respond(.text(.ok, "done")) }
                }
            )
        )
        let server = try TestServer(routes: routes)
        let text = try response("GET /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 200 "))
        #expect(text.hasSuffix("done"))
    }

    @Test func declaredBodyOverTheLimitIs413BeforeAnyBodyIsRead() throws {
        var routes = Routes()
        routes.add(
            .POST,
            "/small",
            HTTPRoute(.respond { _, responder in responder.respond(.text(.ok, "x")) }, maxBodyBytes: 10)
        )
        let server = try TestServer(routes: routes)
        let text = try response(
            "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n",
            port: server.port
        )
        #expect(text.hasPrefix("HTTP/1.1 413 "))
        #expect(text.contains("content_too_large"))
    }

    @Test func thousandsOfHeadersAre431AndTheServerLives() throws {
        let server = try TestServer()
        var request = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
        for i in 0..<2000 { request += "a\(i % 10): b\r\n" }
        request += "\r\n"
        let text = try response(request, port: server.port)
        #expect(text.hasPrefix("HTTP/1.1 431 "))
        #expect(
            try response("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix(
                "HTTP/1.1 200 "
            )
        )
    }

    @Test func smugglingAttemptIsRejected() throws {
        let server = try TestServer()
        let text = try response(
            "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            port: server.port
        )
        #expect(text.hasPrefix("HTTP/1.1 400 "))
    }

    @Test func slowlorisIsCutOffAtTheHeadDeadlineWhileOthersAreServed() throws {
        let server = try TestServer { $0.requestHeadTimeout = 0.5 }
        let slow = try TestSocket(port: server.port)
        let start = MonotonicClock.now()
        // One byte at a time, each well inside any idle timeout; only an absolute deadline stops this.
        var closed = false
        for byte in "GET /healthz HTTP/1.1\r\nX-Drip: ".utf8 {
            guard (try? slow.send([byte])) != nil else {
                closed = true
                break
            }
            // A normal client is served meanwhile.
            let normal = try response(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                port: server.port
            )
            #expect(normal.hasPrefix("HTTP/1.1 200 "))
            usleep(50_000)
            if MonotonicClock.now() > start.adding(seconds: 1.5) { break }
        }
        let reply = String(decoding: slow.receiveAll(), as: UTF8.self)
        #expect(closed || reply.hasPrefix("HTTP/1.1 408 "))
        #expect(MonotonicClock.now() < start.adding(seconds: 3))
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let server = try TestServer { $0.keepAliveTimeout = 0.2 }
        let client = try TestSocket(port: server.port)
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: client.receiveAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 "))
    }
}

enum DispatchQueueHelper {
    static func later(_ work: @escaping @Sendable () -> Void) {
        Dispatch.DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20), execute: work)
    }
}
