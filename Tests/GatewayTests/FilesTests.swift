import Auth
import Dispatch
import Foundation
import Glibc
import HTTP
import Hub
import JSON
import Logging
import Synchronization
import TestSupport
import Testing
import Transport

@testable import Gateway

/// `POST /v1/files` and `GET`/`HEAD /v1/files/:object` against a full server (hub, SQLite, file store).
@Suite struct FilesTests {
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [UInt8](repeating: 7, count: 200)

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var index = 0
            while index + 8 <= count {
                buffer.storeBytes(of: generator.next(), toByteOffset: index, as: UInt64.self)
                index += 8
            }
            while index < count {
                buffer[index] = UInt8(truncatingIfNeeded: generator.next())
                index += 1
            }
        }
        return bytes
    }

    struct Uploaded {
        var status: Int
        var json: JSONValue
        var id: String { json["object"]?.stringValue ?? "" }
    }

    /// Uploads `body` as `user` with `Content-Length`.
    func upload(
        _ server: HubTestServer,
        _ body: [UInt8],
        name: String? = nil,
        user: String = "S1",
        roles: [String] = ["student"]
    ) throws -> Uploaded {
        let client = try HTTPTestClient(port: server.port)
        let query = name.map { "?name=" + $0 } ?? ""
        let response = try #require(
            try client.request(
                "POST",
                "/v1/files" + query,
                headers: ["Authorization: Bearer \(server.token(user, roles: roles))"],
                body: body
            )
        )
        let json = (try? JSONParser.parse(response.text)) ?? .null
        return Uploaded(status: response.status, json: json)
    }

    func get(
        _ server: HubTestServer,
        _ id: String,
        user: String = "S1",
        roles: [String] = ["student"],
        method: String = "GET",
        headers: [String] = []
    ) throws -> HTTPTestClient.Response {
        let client = try HTTPTestClient(port: server.port)
        return try #require(
            try client.request(
                method,
                "/v1/files/\(id)",
                headers: ["Authorization: Bearer \(server.token(user, roles: roles))"] + headers
            )
        )
    }

    /// Every regular file under `directory`, as absolute paths with symlinks resolved.
    func files(under directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [] }
        var paths: [String] = []
        for case let url as URL in enumerator
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            paths.append(url.resolvingSymlinksInPath().path)
        }
        return paths
    }

    /// Stops the server and deletes its data directory (some tests store tens of MiB).
    func remove(_ server: HubTestServer) {
        server.shutdown()
        try? FileManager.default.removeItem(atPath: server.dataDirectory)
    }

    func blobs(_ server: HubTestServer) -> [String] {
        files(under: server.dataDirectory + "/objects")
    }

    func temporaryFiles(_ server: HubTestServer) -> [String] {
        server.service.files.temporaryFiles()
    }

    // MARK: Round trip

    @Test func uploadAndDownloadRoundTripSeveralMiB() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let payload = Self.random(6 << 20 + 123, seed: 1)
        let uploaded = try upload(server, payload, name: "%E7%8F%AD%E4%BC%9A%E8%AE%B0%E5%BD%95.bin")
        #expect(uploaded.status == 201)
        let sha = SHA256Hasher.hex(payload)
        #expect(uploaded.json["sha256"]?.stringValue == sha)
        #expect(uploaded.json["size"]?.intValue == payload.count)
        #expect(uploaded.json["mime"]?.stringValue == "application/octet-stream")
        #expect(uploaded.json["name"]?.stringValue == "班会记录.bin")
        #expect(uploaded.id.utf8.count == 26)

        let response = try get(server, uploaded.id)
        #expect(response.status == 200)
        #expect(response.body.count == payload.count)
        #expect(SHA256Hasher.hex(response.body) == sha)
        #expect(response.header("ETag") == "\"\(sha)\"")
        #expect(response.header("Accept-Ranges") == "bytes")
        #expect(response.header("Content-Type") == "application/octet-stream")
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Cache-Control")?.hasPrefix("private, max-age=") == true)
        #expect(
            response.header("Content-Disposition")
                == "attachment; filename=\"____.bin\"; filename*=UTF-8''%E7%8F%AD%E4%BC%9A%E8%AE%B0%E5%BD%95.bin"
        )
        // On disk: objects/ab/cd/<sha256>, nothing left in tmp/.
        #expect(
            blobs(server) == [server.dataDirectory + "/objects/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"]
        )
        #expect(temporaryFiles(server).isEmpty)
    }

    @Test func chunkedUploadWithExpectContinueAndKeepAlive() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let client = try HTTPTestClient(port: server.port)
        let payload = Self.random(3 << 20, seed: 2)
        try client.send(
            "POST",
            "/v1/files?name=a.bin",
            headers: [
                "Authorization: Bearer \(server.token("S1"))", "Transfer-Encoding: chunked", "Expect: 100-continue",
            ]
        )
        let interim = try #require(client.readHead())
        #expect(interim.status == 100)
        var offset = 0
        while offset < payload.count {
            let size = min(100_000, payload.count - offset)
            try client.socket.send(
                Array(String(size, radix: 16).utf8) + [13, 10] + payload[offset..<offset + size] + [13, 10]
            )
            offset += size
        }
        try client.socket.send("0\r\n\r\n")
        let created = try #require(client.readResponse())
        #expect(created.status == 201)
        let json = try JSONParser.parse(created.text)
        #expect(json["sha256"]?.stringValue == SHA256Hasher.hex(payload))
        #expect(created.header("Location") == "/v1/files/\(json["object"]?.stringValue ?? "")")
        // The same connection serves the next request.
        let id = try #require(json["object"]?.stringValue)
        let head = try #require(
            try client.request("HEAD", "/v1/files/\(id)", headers: ["Authorization: Bearer \(server.token("S1"))"])
        )
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(payload.count))
    }

    @Test func identicalUploadsShareOneBlob() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let payload = Self.random(300_000, seed: 3)
        let first = try upload(server, payload, name: "one.bin")
        let second = try upload(server, payload, name: "two.bin", user: "S2")
        #expect(first.status == 201 && second.status == 201)
        #expect(first.id != second.id)
        #expect(first.json["sha256"] == second.json["sha256"])
        #expect(second.json["name"]?.stringValue == "two.bin")
        #expect(blobs(server).count == 1)
        #expect(temporaryFiles(server).isEmpty)
        // Each id keeps its own name and owner.
        #expect(try get(server, second.id, user: "S2").header("Content-Disposition")?.contains("two.bin") == true)
        #expect(try get(server, second.id, user: "S1").status == 404)
    }

    // MARK: Ranges and conditional requests

    @Test func rangeRequests() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let payload = Self.random(1000, seed: 4)
        let id = try upload(server, payload).id
        func range(_ value: String, extra: [String] = []) throws -> HTTPTestClient.Response {
            try get(server, id, headers: ["Range: \(value)"] + extra)
        }

        let first = try range("bytes=0-99")
        #expect(first.status == 206)
        #expect(first.header("Content-Range") == "bytes 0-99/1000")
        #expect(first.header("Content-Length") == "100")
        #expect(first.body == Array(payload[0..<100]))

        let suffix = try range("bytes=-100")
        #expect(suffix.status == 206)
        #expect(suffix.header("Content-Range") == "bytes 900-999/1000")
        #expect(suffix.body == Array(payload[900...]))

        let open = try range("bytes=100-")
        #expect(open.status == 206)
        #expect(open.header("Content-Range") == "bytes 100-999/1000")
        #expect(open.body == Array(payload[100...]))

        let clamped = try range("bytes=990-5000")
        #expect(clamped.status == 206)
        #expect(clamped.body == Array(payload[990...]))

        for unsatisfiable in ["bytes=1000-", "bytes=5000-6000", "bytes=-0"] {
            let response = try range(unsatisfiable)
            #expect(response.status == 416, "\(unsatisfiable)")
            #expect(response.header("Content-Range") == "bytes */1000")
            #expect(response.text.contains("range_not_satisfiable"))
        }
        // Malformed, other units, several ranges: the whole file with 200.
        for ignored in ["bytes=5-2", "bytes=abc", "bytes=0-1,5-6", "items=0-1", "bytes=--1", "bytes="] {
            let response = try range(ignored)
            #expect(response.status == 200, "\(ignored)")
            #expect(response.body == payload)
        }
        // If-Range with another validator: the whole file.
        let stale = try range("bytes=0-9", extra: ["If-Range: \"other\""])
        #expect(stale.status == 200 && stale.body.count == 1000)
        let fresh = try range("bytes=0-9", extra: ["If-Range: \"\(SHA256Hasher.hex(payload))\""])
        #expect(fresh.status == 206 && fresh.body.count == 10)
    }

    @Test func headAnswersTheHeadOnlyAndTheConnectionGoesOn() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let payload = Self.random(500_000, seed: 5)
        let id = try upload(server, payload).id
        let client = try HTTPTestClient(port: server.port)
        let auth = "Authorization: Bearer \(server.token("S1"))"
        let head = try #require(try client.request("HEAD", "/v1/files/\(id)", headers: [auth]))
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "500000")
        #expect(head.body.isEmpty)
        let partialHead = try #require(
            try client.request("HEAD", "/v1/files/\(id)", headers: [auth, "Range: bytes=10-19"])
        )
        #expect(partialHead.status == 206)
        #expect(partialHead.header("Content-Length") == "10")
        // Two GETs pipelined on the same connection after the HEADs.
        try client.send("GET", "/v1/files/\(id)", headers: [auth])
        try client.send("GET", "/v1/files/\(id)", headers: [auth, "Range: bytes=-5"])
        let whole = try #require(client.readResponse())
        #expect(whole.status == 200 && whole.body == payload)
        let tail = try #require(client.readResponse())
        #expect(tail.status == 206 && tail.body == Array(payload.suffix(5)))
    }

    @Test func ifNoneMatchGives304() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let payload = Self.random(2000, seed: 6)
        let id = try upload(server, payload).id
        let etag = "\"\(SHA256Hasher.hex(payload))\""
        for condition in [etag, "W/\(etag)", "\"x\", \(etag)", "*"] {
            let response = try get(server, id, headers: ["If-None-Match: \(condition)"])
            #expect(response.status == 304, "\(condition)")
            #expect(response.header("ETag") == etag)
            #expect(response.body.isEmpty)
        }
        #expect(try get(server, id, headers: ["If-None-Match: \"other\""]).status == 200)
    }

    // MARK: Access

    @Test func membersOfAGroupWhereTheFileWasSharedMayDownloadIt() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let uploaded = try upload(server, Self.png, name: "photo.png")
        #expect(uploaded.status == 201)
        let id = uploaded.id

        // Before it is shared: only the owner (and school admins).
        #expect(try get(server, id, user: "S1").status == 200)
        let denied = try get(server, id, user: "S2")
        let unknown = try get(server, "zzzzzzzzzzzzzzzzzzzzzzzzzz", user: "S2")
        #expect(denied.status == 404)
        #expect(denied.text.contains("object_not_found"))
        #expect(denied.text == unknown.text)
        #expect(try get(server, id, user: "A1", roles: ["admin"]).status == 200)

        // S1 posts it as an image in the class group.
        let client = try server.connect("S1")
        let group = server.group("class:se2301")
        let reply = try client.request([
            "type": "send", "group": .int(group), "clientMsgId": "img-1", "kind": "image",
            "body": ["object": .string(id)],
        ])
        #expect(reply.isOK, "\(reply)")

        let member = try get(server, id, user: "S2")
        #expect(member.status == 200)
        #expect(member.body == Self.png)
        #expect(member.header("Content-Type") == "image/png")
        #expect(member.header("Content-Disposition")?.hasPrefix("inline;") == true)
        // A student of another class still gets 404.
        #expect(try get(server, id, user: "S5").status == 404)

        // Tokens: none → 401; the access_token query works like the header.
        let anonymous = try HTTPTestClient(port: server.port)
        #expect(try anonymous.request("GET", "/v1/files/\(id)")?.status == 401)
        let query = try HTTPTestClient(port: server.port)
        #expect(try query.request("GET", "/v1/files/\(id)?access_token=\(server.token("S3"))")?.status == 200)
        let upload = try HTTPTestClient(port: server.port)
        #expect(try upload.request("POST", "/v1/files", body: [1, 2, 3])?.status == 401)
    }

    @Test func anUnauthenticatedUploadIsRefusedBeforeItsBody() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let client = try HTTPTestClient(port: server.port)
        try client.send("POST", "/v1/files", headers: ["Content-Length: 50000000", "Expect: 100-continue"])
        let response = try #require(client.readResponse())
        #expect(response.status == 401)
        #expect(client.waitForClose())
        #expect(temporaryFiles(server).isEmpty)
    }

    // MARK: Names and paths

    @Test func hostileNamesAreDisplayNamesOnly() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let cases: [(query: String, expected: String)] = [
            ("../../etc/passwd", "....etcpasswd"),
            ("..%2f..%2f", "file"),
            ("..%2F..%2Fescape.txt", "....escape.txt"),
            ("a%00b", "ab"),
            ("/abs", "abs"),
            ("..%5C..%5Cwin.ini", "....win.ini"),
            ("%0D%0AX-Injected:%20yes", "X-Injected: yes"),
            ("report%22%3B.pdf", "report\";.pdf"),
            ("", "file"),
        ]
        for (index, entry) in cases.enumerated() {
            let uploaded = try upload(server, Array("content \(index)".utf8), name: entry.query)
            #expect(uploaded.status == 201, "\(entry.query)")
            #expect(uploaded.json["name"]?.stringValue == entry.expected, "\(entry.query)")
            let response = try get(server, uploaded.id)
            let disposition = response.header("Content-Disposition") ?? ""
            #expect(!disposition.contains("/"))
            #expect(response.header("X-Injected") == nil)
        }
        // Every file the server wrote is under the data directory: blobs by hash, nothing named by the client.
        let root = URL(fileURLWithPath: server.dataDirectory).resolvingSymlinksInPath().path
        let written = files(under: server.dataDirectory)
        #expect(written.allSatisfy { $0.hasPrefix(root + "/") })
        #expect(blobs(server).count == cases.count)
        #expect(written.allSatisfy { !$0.contains("passwd") && !$0.contains("escape") && !$0.contains("win.ini") })
        #expect(temporaryFiles(server).isEmpty)
    }

    // MARK: Limits and failures

    @Test func aDeclaredUploadOverTheLimitIs413BeforeItsBody() throws {
        let server = try HubTestServer { $0.maxUploadBytes = 1 << 20 }
        defer { remove(server) }
        let client = try HTTPTestClient(port: server.port)
        // Only the head is sent: the answer comes without the server reading any body.
        try client.send(
            "POST",
            "/v1/files",
            headers: ["Authorization: Bearer \(server.token("S1"))", "Content-Length: \((1 << 20) + 1)"]
        )
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.text.contains("content_too_large"))
        #expect(temporaryFiles(server).isEmpty)
        // Exactly the limit is fine.
        #expect(try upload(server, Self.random(1 << 20, seed: 7)).status == 201)
    }

    @Test func aChunkedUploadIsCutOffWhenItPassesTheLimit() throws {
        let server = try HubTestServer { $0.maxUploadBytes = 1 << 20 }
        defer { remove(server) }
        let client = try HTTPTestClient(port: server.port)
        try client.send(
            "POST",
            "/v1/files",
            headers: ["Authorization: Bearer \(server.token("S1"))", "Transfer-Encoding: chunked"]
        )
        let chunk = Self.random(256 * 1024, seed: 8)
        // Five chunks pass the limit; the server refuses at the fifth chunk's size line.
        for _ in 0..<5 {
            guard (try? client.socket.send(Array("40000\r\n".utf8) + chunk + [13, 10])) != nil else { break }
        }
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(client.waitForClose())
        #expect(waitUntil { temporaryFiles(server).isEmpty })
        #expect(blobs(server).isEmpty)
    }

    @Test func anAbortedUploadLeavesNoTemporaryFile() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let client = try HTTPTestClient(port: server.port)
        try client.send(
            "POST",
            "/v1/files?name=big.bin",
            headers: ["Authorization: Bearer \(server.token("S1"))", "Content-Length: \(8 << 20)"]
        )
        try client.socket.send(Self.random(2 << 20, seed: 9))
        // The upload is under way on disk…
        #expect(waitUntil { temporaryFiles(server).count == 1 })
        // …until the client goes away mid-body.
        Glibc.shutdown(client.socket.fd, Int32(SHUT_RDWR))
        #expect(waitUntil { temporaryFiles(server).isEmpty })
        #expect(blobs(server).isEmpty)
    }

    @Test func aFullDiskIs507AndLeavesNothingBehind() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        // The same hub behind a store whose disk fills up after 1 MiB.
        let written = ByteCounter()
        let store = try FileStore(directory: server.dataDirectory + "/full", syncWrites: false) { fd, bytes, count in
            if written.add(count) > 1 << 20 {
                errno = ENOSPC
                return -1
            }
            return Glibc.write(fd, bytes, count)
        }
        var routes = Routes()
        FilesRoute.install(
            into: &routes,
            hub: server.service.hub,
            authority: server.service.authority,
            store: store,
            maxUploadBytes: 64 << 20,
            quota: UploadQuota(limit: .unlimited),
            log: Logger(minimumLevel: .error, sink: LogSink.memory())
        )
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoops = 1
        let full = Server(
            configuration: configuration,
            routes: routes,
            log: Logger(minimumLevel: .error, sink: .memory())
        )
        let port = try full.start().port
        defer {
            let done = DispatchSemaphore(value: 0)
            full.shutdown { done.signal() }
            done.wait()
        }
        let client = try HTTPTestClient(port: port)
        try client.send(
            "POST",
            "/v1/files",
            headers: ["Authorization: Bearer \(server.token("S1"))", "Content-Length: \(4 << 20)"]
        )
        // The server answers as soon as the disk is full, without waiting for the rest.
        let payload = Self.random(4 << 20, seed: 10)
        var offset = 0
        while offset < payload.count, (try? client.socket.send(Array(payload[offset..<offset + 65536]))) != nil {
            offset += 65536
        }
        let response = try #require(client.readResponse())
        #expect(response.status == 507)
        #expect(response.text.contains("insufficient_storage"))
        #expect(waitUntil { store.temporaryFiles().isEmpty })
        #expect(files(under: server.dataDirectory + "/full").isEmpty)
    }

    @Test func staleTemporaryFilesAreRemovedAtStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yizhan-files-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/tmp/upload-0123", contents: Data([1, 2, 3]))
        let server = try HubTestServer(dataDirectory: directory)
        defer { remove(server) }
        #expect(temporaryFiles(server).isEmpty)
    }

    /// Each user has an upload allowance in bytes: declared lengths are refused up front, chunked uploads are
    /// charged when they end; other users are not affected.
    @Test func uploadsPastTheUsersAllowanceGet429() throws {
        // 1 MiB at once, refilling at 1 MiB an hour.
        let server = try HubTestServer { $0.uploadMiBPerUser = RateLimit(perSecond: 1.0 / 3600, burst: 1) }
        defer { remove(server) }
        let half = Self.random(512 * 1024, seed: 11)
        #expect(try upload(server, half, name: "a.bin").status == 201)
        // A chunked upload of 600 KiB is admitted (the bucket is not empty) and charged at its end.
        let client = try HTTPTestClient(port: server.port)
        var chunked =
            "POST /v1/files?name=b.bin HTTP/1.1\r\nHost: test\r\n"
            + "Authorization: Bearer \(server.token("S1"))\r\nTransfer-Encoding: chunked\r\n\r\n"
        let body = Self.random(600 * 1024, seed: 12)
        chunked += String(body.count, radix: 16) + "\r\n"
        try client.socket.send(Array(chunked.utf8) + body + Array("\r\n0\r\n\r\n".utf8))
        #expect(client.readResponse()?.status == 201)
        // Now below empty: even a small declared upload waits.
        let refused = try upload(server, Self.png, name: "c.png")
        #expect(refused.status == 429)
        #expect(refused.json["error"]?["code"] == "upload_quota_exceeded")
        // Somebody else still uploads.
        #expect(try upload(server, Self.png, name: "d.png", user: "S2").status == 201)
    }

    // MARK: Retention

    /// The daily purge deletes uploads never sent anywhere once their grace time (seven days by default) is over,
    /// and their files.
    @Test func theRetentionPurgeDeletesStaleUnsentUploadsAndTheirFiles() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let first = try upload(server, Self.png, name: "a.png")
        let second = try upload(server, Self.random(1000, seed: 3), name: "b.bin")
        #expect(first.status == 201 && second.status == 201)
        #expect(blobs(server).count == 2)
        let hub = server.service.hub
        func purge(daysFromNow days: Int64) throws -> PurgeReport {
            let plan = RetentionPolicy().plan(
                now: Int64(Date().timeIntervalSince1970 * 1000) + days * 86_400_000,
                calendar: LocalCalendar(utcOffsetSeconds: 0)
            )
            let finished = DispatchSemaphore(value: 0)
            let report = Mutex<PurgeReport?>(nil)
            hub.queue.async {
                hub.purge(plan: plan) { result in
                    report.withLock { $0 = try? result.get() }
                    finished.signal()
                }
            }
            finished.wait()
            return try #require(report.withLock { $0 })
        }
        func logged(_ count: Int) -> Bool {
            waitUntil { server.logs.capturedLines.filter { $0.contains(#""msg":"retention purge""#) }.count == count }
        }

        #expect(try purge(daysFromNow: 0).objectsDeleted.isEmpty)
        #expect(logged(1))
        #expect(blobs(server).count == 2)

        let report = try purge(daysFromNow: 8)
        #expect(Set(report.objectsDeleted) == [first.id, second.id])
        #expect(report.unreferencedFiles.count == 2)
        #expect(logged(2), "\(server.logs.capturedLines)")
        #expect(server.logs.capturedLines.contains { $0.contains(#""filesRemoved":2"#) })
        #expect(blobs(server).isEmpty)
        #expect(try get(server, first.id).status == 404)
    }

    // MARK: Types

    @Test func theTypeComesFromTheContentNotTheName() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let png = try upload(server, Self.png, name: "x.txt")
        #expect(png.json["mime"]?.stringValue == "image/png")
        let response = try get(server, png.id)
        #expect(response.header("Content-Type") == "image/png")
        #expect(response.header("Content-Disposition")?.hasPrefix("inline; filename=\"x.txt\"") == true)

        let text = try upload(server, Array("明天上午九点开班会\n".utf8), name: "notice.png")
        #expect(text.json["mime"]?.stringValue == "text/plain; charset=utf-8")
        let html = try upload(server, Array("<html><script>alert(1)</script></html>".utf8), name: "page.html")
        #expect(html.json["mime"]?.stringValue == "text/plain; charset=utf-8")
        let download = try get(server, html.id)
        #expect(download.header("Content-Disposition")?.hasPrefix("attachment;") == true)
        #expect(download.header("X-Content-Type-Options") == "nosniff")
    }

    // MARK: Streaming

    /// A client that reads a large download slowly never makes the server hold the file: the connection's queue
    /// stays within the streaming window and the process does not grow by anything like the file's size.
    @Test func aLargeDownloadToASlowReaderIsStreamed() throws {
        let server = try HubTestServer()
        defer { remove(server) }
        let size = 96 << 20
        let piece = Self.random(1 << 20, seed: 11)
        let baseline = residentBytes()

        // Upload, generated on the fly: neither side holds the file.
        let uploader = try HTTPTestClient(port: server.port)
        try uploader.send(
            "POST",
            "/v1/files?name=lecture.mp4",
            headers: ["Authorization: Bearer \(server.token("S1"))", "Content-Length: \(size)"]
        )
        var peakDuringUpload = 0
        for index in 0..<(size >> 20) {
            var block = piece
            block[0] = UInt8(truncatingIfNeeded: index)
            try uploader.socket.send(block)
            if index % 8 == 0 { peakDuringUpload = max(peakDuringUpload, residentBytes() - baseline) }
        }
        let created = try #require(uploader.readResponse())
        #expect(created.status == 201)
        let id = try #require(try JSONParser.parse(created.text)["object"]?.stringValue)
        #expect(peakDuringUpload < size / 2, "upload grew RSS by \(peakDuringUpload >> 20) MiB")

        // Download with a small receive buffer, reading in small pieces.
        let reader = try HTTPTestClient(port: server.port, receiveBuffer: 16 * 1024)
        try reader.send("GET", "/v1/files/\(id)", headers: ["Authorization: Bearer \(server.token("S1"))"])
        let head = try #require(reader.readHead())
        #expect(head.status == 200)
        let hasher = SHA256Hasher()
        var received = 0
        var peakQueued = 0
        var peakDuringDownload = 0
        let start = residentBytes()
        while received < size {
            let n = reader.streamBody(min(1 << 20, size - received), chunk: 4096) { hasher.update($0) }
            guard n > 0 else { break }
            received += n
            peakDuringDownload = max(peakDuringDownload, residentBytes() - start)
            for loop in server.server.group.loops {
                let queued = loop.queue.sync { loop.openConnections.map(\.queuedOutputBytes).max() ?? 0 }
                peakQueued = max(peakQueued, queued)
            }
        }
        #expect(received == size)
        let expected = SHA256Hasher()
        for index in 0..<(size >> 20) {
            var block = piece
            block[0] = UInt8(truncatingIfNeeded: index)
            expected.update(block)
        }
        #expect(SHA256Hasher.hex(digest: hasher.finish()) == SHA256Hasher.hex(digest: expected.finish()))
        #expect(peakQueued <= HTTPServerHandler.downloadWindow + HTTPServerHandler.downloadChunk)
        #expect(peakDuringDownload < size / 2, "download grew RSS by \(peakDuringDownload >> 20) MiB")
    }
}

/// A thread-safe running total, for the full-disk simulation.
final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    /// Adds `count`; returns the new total.
    func add(_ count: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        total += count
        return total
    }
}
