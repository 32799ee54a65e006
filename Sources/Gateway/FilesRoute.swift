import Auth
import Dispatch
import Foundation
import HTTP
import Hub
import JSON
import Logging
import Transport

/// `POST /v1/files` (upload) and `GET`/`HEAD /v1/files/:object` (download).
///
/// Uploads stream to the ``FileStore`` (never whole in memory), are typed by their content and registered with the
/// hub as objects with random, unguessable ids. Downloads are allowed to the uploader, to members of a group the
/// object was shared in (a message or library file referenced it) and to school admins; anyone else gets the same
/// 404 as for an id that does not exist.
enum FilesRoute {
    /// `Cache-Control` of downloads: private (per user), a day (the bytes behind an id never change).
    static let cacheControl = "private, max-age=86400"

    static func install(
        into routes: inout Routes,
        hub: Hub,
        authority: TokenAuthority,
        store: FileStore,
        maxUploadBytes: Int,
        quota: UploadQuota,
        log: Logger
    ) {
        routes.add(
            .POST,
            "/v1/files",
            upload(hub: hub, authority: authority, store: store, limit: maxUploadBytes, quota: quota, log: log)
        )
        routes.add(.GET, "/v1/files/:object", download(hub: hub, authority: authority, store: store, log: log))
    }

    // MARK: Upload

    static func upload(
        hub: Hub,
        authority: TokenAuthority,
        store: FileStore,
        limit: Int,
        quota: UploadQuota,
        log: Logger
    ) -> HTTPRoute {
        .stream(maxBodyBytes: limit) { request throws(HTTPError) in
            let claims = try HubEndpoint.authenticate(request, authority: authority, kind: .user)
            let declared = request.head.isChunked ? nil : request.head.contentLength
            if let wait = quota.admit(claims.subject, bytes: declared) {
                throw quotaExceeded(wait)
            }
            return UploadSink(
                upload: store.beginUpload(),
                name: DisplayName.sanitize(request.query["name"]),
                owner: claims.subject,
                hub: hub,
                chargeTo: declared == nil ? quota : nil,
                log: log
            )
        }
    }

    /// 429 with `Retry-After` for a user past their upload allowance.
    static func quotaExceeded(_ wait: Double) -> HTTPError {
        .tooManyRequests(wait: wait, code: "upload_quota_exceeded") {
            "You have uploaded too much in the last hours; retry in \($0) s."
        }
    }

    /// A random 128-bit id: 26 lowercase base32 characters.
    static func newObjectID() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var value = (UInt128(generator.next() as UInt64) << 64) | UInt128(generator.next() as UInt64)
        var out: [UInt8] = []
        for _ in 0..<26 {
            out.append(alphabet[Int(value & 31)])
            value >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Ids are what ``newObjectID()`` makes; anything else is not worth a hub lookup.
    static func isObjectID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    static func uploadBody(_ object: ObjectRecord) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("object")
        writer.string(object.id)
        writer.key("sha256")
        writer.string(object.sha256)
        writer.key("size")
        writer.int(object.size)
        writer.key("mime")
        writer.string(object.mime)
        writer.key("name")
        writer.string(object.name)
        writer.endObject()
        return writer.bytes
    }

    // MARK: Download

    static let objectNotFound = HTTPError(
        status: .notFound,
        code: "object_not_found",
        message: "No such file, or you may not download it."
    )

    static func download(hub: Hub, authority: TokenAuthority, store: FileStore, log: Logger) -> HTTPRoute {
        HTTPRoute(
            .respond { request, responder in
                let claims: TokenClaims
                do throws(HTTPError) {
                    claims = try HubEndpoint.authenticate(request, authority: authority, kind: .user)
                } catch {
                    return responder.respond(error)
                }
                guard let id = request.parameters["object"], isObjectID(id) else {
                    return responder.respond(objectNotFound)
                }
                let roles = Set(claims.roles.compactMap(SchoolRole.init(rawValue:)))
                let headers = request.head.headers
                hub.queue.async {
                    guard let object = hub.downloadableObject(id, user: claims.subject, roles: roles) else {
                        return responder.respond(objectNotFound)
                    }
                    // Opening the file is disk I/O: off the hub's queue.
                    FileIO.queue(for: UInt64(truncatingIfNeeded: id.hashValue)).async {
                        respond(object, headers: headers, store: store, log: log, responder: responder)
                    }
                }
            }
        )
    }

    /// What a download request gets, before any file is opened.
    enum Plan: Equatable {
        case notModified(HTTPResponse)
        case unsatisfiable(HTTPResponse)
        /// Status and headers for `length` bytes from `offset`.
        case content(HTTPResponse, offset: Int64, length: Int64)
    }

    /// Conditional and range handling (RFC 9110 §13, §14) for `object`.
    static func plan(_ object: ObjectRecord, headers: HTTPHeaders) -> Plan {
        let etag = "\"\(object.sha256)\""
        var common = HTTPHeaders()
        common.add(name: "ETag", value: etag)
        common.add(name: "Cache-Control", value: cacheControl)
        if let condition = headers["If-None-Match"], matches(condition, etag: etag) {
            return .notModified(HTTPResponse(status: .notModified, headers: common))
        }
        var range = ByteRange.parse(headers["Range"], size: object.size)
        // If-Range: the range applies only to the representation the client has (strong comparison); a date
        // cannot be checked against an id, so it means "send everything".
        if let ifRange = headers["If-Range"], ifRange.trimmingCharacters(in: .whitespaces) != etag { range = .whole }
        var response = HTTPResponse(status: .ok, headers: common)
        response.headers.add(name: "Accept-Ranges", value: "bytes")
        switch range {
        case .unsatisfiable:
            var error = HTTPError(
                status: .rangeNotSatisfiable,
                code: "range_not_satisfiable",
                message: "The range starts past the end of the file (\(object.size) bytes)."
            )
            error.headers = response.headers
            error.headers.add(name: "Content-Range", value: "bytes */\(object.size)")
            return .unsatisfiable(error.response)
        case .whole:
            addContentHeaders(&response, object)
            return .content(response, offset: 0, length: object.size)
        case .partial(let offset, let length):
            response.status = .partialContent
            response.headers.add(name: "Content-Range", value: "bytes \(offset)-\(offset + length - 1)/\(object.size)")
            addContentHeaders(&response, object)
            return .content(response, offset: offset, length: length)
        }
    }

    private static func addContentHeaders(_ response: inout HTTPResponse, _ object: ObjectRecord) {
        let inline = object.mime.hasPrefix("image/") || object.mime.hasPrefix("video/")
        response.headers.add(name: "Content-Type", value: object.mime)
        response.headers.add(
            name: "Content-Disposition",
            value: DisplayName.contentDisposition(object.name, inline: inline)
        )
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.add(
            name: "Last-Modified",
            value: HTTPDate.format(secondsSince1970: Int(object.createdAt / 1000))
        )
    }

    /// `If-None-Match`: `*` or a list of entity tags, compared weakly (a `W/` prefix is ignored).
    static func matches(_ condition: String, etag: String) -> Bool {
        for element in condition.split(separator: ",") {
            var tag = element.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }

    /// Runs on a ``FileIO`` queue.
    private static func respond(
        _ object: ObjectRecord,
        headers: HTTPHeaders,
        store: FileStore,
        log: Logger,
        responder: HTTPResponder
    ) {
        switch plan(object, headers: headers) {
        case .notModified(let response), .unsatisfiable(let response):
            responder.respond(response)
        case .content(let head, let offset, let length):
            do throws(FileStoreError) {
                let file = try store.open(sha256: object.sha256, size: object.size)
                responder.respond(file: HTTPFileResponse(head: head, file: file, offset: offset, length: length))
            } catch {
                log.error("stored file unreadable", ("object", .string(object.id)), ("error", .string("\(error)")))
                responder.respond(error.httpError)
            }
        }
    }
}

/// Receives one upload's body on the connection's loop and hands it, in batches, to the upload's I/O queue. Pauses
/// the connection while more than ``highWater`` bytes wait for the disk.
final class UploadSink: RequestBodySink, @unchecked Sendable {
    static let batch = 256 * 1024
    static let highWater = 1 << 20
    static let lowWater = 256 * 1024

    // Used only on `queue`.
    private let upload: FileUpload
    private let queue: DispatchQueue
    private let name: String
    private let owner: UserID
    private let hub: Hub
    private let log: Logger
    /// The quota to charge when the upload ends (chunked uploads, whose size was not known up front).
    private let chargeTo: UploadQuota?
    // Used only on the connection's loop.
    private var control: RequestBodyControl?
    private var buffer: [UInt8] = []
    private var inFlight = 0
    private var paused = false
    private var rejected = false

    init(upload: FileUpload, name: String, owner: UserID, hub: Hub, chargeTo: UploadQuota?, log: Logger) {
        self.upload = upload
        self.name = name
        self.owner = owner
        self.hub = hub
        self.chargeTo = chargeTo
        self.log = log
        self.queue = FileIO.queues.randomElement()!
    }

    func started(_ control: RequestBodyControl) {
        self.control = control
    }

    func receive(_ chunk: [UInt8]) {
        guard !rejected else { return }
        if buffer.isEmpty, chunk.count >= Self.batch {
            return submit(chunk)
        }
        if buffer.capacity < Self.batch { buffer.reserveCapacity(Self.batch) }
        buffer.append(contentsOf: chunk)
        if buffer.count >= Self.batch { flush() }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        let bytes = buffer
        buffer = []
        submit(bytes)
    }

    private func submit(_ bytes: [UInt8]) {
        guard let control else { return }
        let loop = control.loop
        inFlight += bytes.count
        queue.async { [self] in
            var failure: FileStoreError?
            do throws(FileStoreError) {
                try upload.append(bytes)
            } catch {
                failure = error
            }
            let outcome = failure
            loop.execute { self.written(bytes.count, failure: outcome) }
        }
        if inFlight >= Self.highWater, !paused {
            paused = true
            control.pause()
        }
    }

    private func written(_ count: Int, failure: FileStoreError?) {
        inFlight -= count
        if let failure, !rejected {
            rejected = true
            log.warning("upload failed", ("user", .string(owner)), ("error", .string("\(failure)")))
            control?.reject(failure.httpError)
        }
        if paused, inFlight <= Self.lowWater {
            paused = false
            control?.resume()
        }
    }

    func finish(responder: HTTPResponder) {
        flush()
        queue.async { [self] in
            let blob: StoredBlob
            do throws(FileStoreError) {
                blob = try upload.finish(name: name)
            } catch {
                log.warning("upload failed", ("user", .string(owner)), ("error", .string("\(error)")))
                return responder.respond(error.httpError)
            }
            chargeTo?.charge(owner, bytes: Int(blob.size))
            let object = ObjectRecord(
                id: FilesRoute.newObjectID(),
                sha256: blob.sha256,
                size: blob.size,
                mime: blob.mime,
                name: name,
                owner: owner,
                createdAt: Int64(Date().timeIntervalSince1970 * 1000)
            )
            let log = self.log
            let hub = self.hub
            let files = upload.store
            hub.queue.async {
                hub.registerObject(object) { result in
                    files.unpin(blob.sha256)
                    switch result {
                    case .success:
                        log.info(
                            "file uploaded",
                            ("user", .string(object.owner)),
                            ("object", .string(object.id)),
                            ("size", .int(Int(object.size))),
                            ("mime", .string(object.mime)),
                            ("new", .bool(blob.isNew))
                        )
                        var response = HTTPResponse.json(.created, body: FilesRoute.uploadBody(object))
                        response.headers.add(name: "Location", value: "/v1/files/\(object.id)")
                        responder.respond(response)
                    case .failure(let error):
                        responder.respond(
                            HTTPError(status: .serviceUnavailable, code: error.code.rawValue, message: error.message)
                        )
                    }
                }
            }
        }
    }

    func abort() {
        buffer = []
        queue.async { [upload] in upload.discard() }
    }
}
