import Auth
import Dispatch
import Foundation
import Gateway
import Glibc
import Hub
import JSON
import Logging
import TestSupport
import Transport
import WebSocket

/// A full server — transport, gateway, hub, SQLite store in a temporary data directory — with the sample directory
/// imported, and a way to mint tokens.
final class HubTestServer {
    let server: Server
    let service: HubService
    let port: UInt16
    let dataDirectory: String
    let logs = LogSink.memory()

    init(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        dataDirectory: String? = nil,
        importSample: Bool = true
    ) throws {
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("yizhan-hub-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoops = 2
        configuration.dataDirectory = self.dataDirectory
        // Rate limits have their own tests; the others send and connect as fast as they can.
        configuration.hub.rateLimits = .unlimited
        configuration.handshakesPerIP = .unlimited
        configuration.requestsPerIP = .unlimited
        configuration.requestsPerConnection = .unlimited
        configuration.uploadMiBPerUser = .unlimited
        configure(&configuration)
        let log = Logger(minimumLevel: .debug, sink: logs)
        service = try HubService(configuration: configuration, log: log)
        var routes = Routes()
        service.install(into: &routes)
        server = Server(
            configuration: configuration,
            routes: routes,
            log: log,
            metrics: service.metrics,
            readiness: service.readiness
        )
        port = try server.start().port
        if importSample { try importDirectory(.sample) }
    }

    deinit {
        shutdown()
    }

    private var stopped = false

    func shutdown() {
        guard !stopped else { return }
        stopped = true
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
        service.close()
    }

    func importDirectory(_ directory: Directory) throws {
        let done = DispatchSemaphore(value: 0)
        let hub = service.hub
        hub.queue.async {
            hub.importDirectory(directory) { _ in done.signal() }
        }
        done.wait()
    }

    func token(_ user: String, roles: [String] = ["student"], ttl: Int64 = 3600) -> String {
        let now = Int64(time(nil))
        return service.authority.mint(TokenClaims(subject: user, roles: roles, issuedAt: now, expiresAt: now + ttl))
    }

    func connect(_ user: String, roles: [String] = ["student"], source: String? = nil) throws -> HubClient {
        try HubClient(port: port, token: token(user, roles: roles), source: source)
    }

    /// The group id of a class or course group.
    func group(_ key: String) -> Int64 {
        let hub = service.hub
        return hub.queue.sync { hub.groupID(forExternalKey: key)!.rawValue }
    }
}

/// A hub client over a real WebSocket: requests with ids, replies matched by id, pushes kept in order.
final class HubClient: @unchecked Sendable {
    let socket: TestWebSocket
    private var nextID = 0
    /// Pushes received while waiting for replies, in arrival order.
    var pushes: [JSONValue] = []

    /// Connects with the token in an `Authorization` header, or with `inQuery` as browsers do (`?access_token=`).
    init(port: UInt16, token: String, source: String? = nil, inQuery: Bool = false) throws {
        socket = try TestWebSocket(
            port: port,
            path: inQuery ? "/v1/ws?access_token=\(token)" : "/v1/ws",
            headers: inQuery ? [] : ["Authorization: Bearer \(token)"],
            source: source
        )
    }

    /// Sends `fields` plus an id; returns the reply, keeping pushes that arrive first.
    @discardableResult
    func request(_ fields: JSONObject) throws -> JSONValue {
        nextID += 1
        let id = "q\(nextID)"
        var object = fields
        object["id"] = .string(id)
        try socket.send(text: JSONValue.object(object).jsonString)
        while let frame = try nextFrame() {
            if frame["type"] == "reply", frame["id"]?.stringValue == id { return frame }
            pushes.append(frame)
        }
        return .null
    }

    /// Drops the connection (the server sees EOF).
    func disconnect() {
        Glibc.shutdown(socket.socket.fd, Int32(SHUT_RDWR))
    }

    /// Sends without waiting (for pipelining tests); returns the id.
    func fire(_ fields: JSONObject) throws -> String {
        nextID += 1
        let id = "q\(nextID)"
        var object = fields
        object["id"] = .string(id)
        try socket.send(text: JSONValue.object(object).jsonString)
        return id
    }

    /// The next JSON frame, or nil on close/timeout.
    func nextFrame() throws -> JSONValue? {
        guard let text = socket.receiveText() else { return nil }
        return try JSONParser.parse(text)
    }

    /// Reads until `count` message pushes have arrived (including already buffered ones); returns them all.
    func messages(count: Int) throws -> [JSONValue] {
        while pushes.filter({ $0["type"] == "message" }).count < count {
            guard let frame = try nextFrame() else { break }
            pushes.append(frame)
        }
        let messages = pushes.filter { $0["type"] == "message" }
        pushes.removeAll { $0["type"] == "message" }
        return messages
    }
}

extension JSONValue {
    var isOK: Bool { self["ok"]?.boolValue == true }
    var errorCode: String? { self["error"]?["code"]?.stringValue }
}

extension Directory {
    static let sample = Directory(
        orgUnits: [
            OrgUnitRecord(id: "school", kind: .school, name: "示范大学"),
            OrgUnitRecord(id: "se2301", kind: .class, name: "软件2301班", parentID: "school", counselors: ["T1"]),
        ],
        users: [
            UserRecord(id: "T1", name: "李老师", roles: [.counselor]),
            UserRecord(id: "A1", name: "管理员", roles: [.admin]),
            UserRecord(id: "S5", name: "外班", roles: [.student]),
        ] + (1...4).map { UserRecord(id: "S\($0)", name: "学生\($0)", roles: [.student], classID: "se2301") }
    )
}
