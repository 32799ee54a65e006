import Dispatch
import JSON
import Synchronization

@testable import Hub

/// Records everything the hub sends, per session.
final class RecordingOutput: HubOutput, Sendable {
    private let frames = Mutex<[UInt64: [JSONValue]]>([:])
    private let closes = Mutex<[UInt64: UInt16]>([:])

    func send(_ payload: [UInt8], to session: Session) {
        record(payload, session)
    }

    func broadcast(_ payload: [UInt8], to sessions: [[Session]]) {
        for session in sessions.joined() { record(payload, session) }
    }

    func close(_ session: Session, code: UInt16, reason: String) {
        closes.withLock { $0[session.id] = code }
    }

    private func record(_ payload: [UInt8], _ session: Session) {
        let value = (try? JSONParser.parse(payload)) ?? .string("unparseable")
        frames.withLock { $0[session.id, default: []].append(value) }
    }

    func frames(of session: Session) -> [JSONValue] { frames.withLock { $0[session.id] ?? [] } }
    func closeCode(of session: Session) -> UInt16? { closes.withLock { $0[session.id] } }

    /// Takes and returns the frames recorded for `session` so far.
    func take(_ session: Session) -> [JSONValue] {
        frames.withLock { frames in
            let taken = frames[session.id] ?? []
            frames[session.id] = []
            return taken
        }
    }
}

/// A hub on a `MemoryStore` with a settable clock, driven synchronously.
final class HubHarness: @unchecked Sendable {
    let store = MemoryStore()
    let output = RecordingOutput()
    let clock = ManualClock()
    var hub: Hub!
    private var nextSession: UInt64 = 0
    private var nextRequest = 0

    /// Production defaults without per-user rate limits, which `RateLimitTests` cover; other tests send fast.
    static var defaultConfiguration: HubConfiguration {
        var configuration = HubConfiguration()
        configuration.rateLimits = .unlimited
        return configuration
    }

    init(directory: Directory = .sample, configuration: HubConfiguration = HubHarness.defaultConfiguration) {
        hub = makeHub(configuration: configuration)
        if !directory.orgUnits.isEmpty || !directory.users.isEmpty { importDirectory(directory) }
    }

    /// A hub started from the store, as after a restart; `recordsClosedAfter` leaves older records in the store only.
    func makeHub(
        configuration: HubConfiguration = HubHarness.defaultConfiguration,
        recordsClosedAfter: Timestamp = .min
    ) -> Hub {
        let snapshot = try! store.loadSnapshot(
            recentPerGroup: configuration.recentMessages,
            recordsClosedAfter: recordsClosedAfter
        )
        let clock = self.clock
        return Hub(snapshot: snapshot, store: store, output: output, configuration: configuration, loops: 2) {
            clock.now
        }
    }

    /// Runs the hub and the store until nothing is in flight.
    func settle() {
        for _ in 0..<1000 {
            hub.queue.sync {}
            store.drain()
            let idle = hub.queue.sync { !hub.commitInFlight && hub.pendingUnits.isEmpty }
            if idle {
                hub.queue.sync {}
                return
            }
        }
        fatalError("hub did not settle")
    }

    @discardableResult
    func importDirectory(_ directory: Directory) -> Result<ImportReport, HubError> {
        let result = Mutex<Result<ImportReport, HubError>?>(nil)
        hub.queue.sync { hub.importDirectory(directory) { outcome in result.withLock { $0 = outcome } } }
        settle()
        return result.withLock { $0! }
    }

    func connect(_ user: UserID, roles: Set<SchoolRole> = [.student], loop: Int = 0) -> Session {
        nextSession += 1
        let session = Session(id: nextSession, user: user, roles: roles, loopIndex: loop, endpoint: self)
        hub.queue.sync { hub.connect(session) }
        return session
    }

    func advance(seconds: Double) {
        clock.advance(milliseconds: Int64(seconds * 1000))
    }

    var now: Int64 { clock.now }

    /// Sends a request (JSON object without `id`), settles, and returns its reply.
    @discardableResult
    func request(_ session: Session, _ fields: JSONObject) -> JSONValue {
        nextRequest += 1
        let id = "r\(nextRequest)"
        var object = fields
        object["id"] = .string(id)
        let bytes = JSONValue.object(object).encoded()
        switch RequestDecoder.decode(bytes, configuration: HubConfiguration()) {
        case .success(let request):
            hub.queue.sync { hub.handle(request, from: session) }
        case .failure(let failure):
            return try! JSONParser.parse(Wire.error(failure.error, id: failure.id))
        }
        settle()
        return output.frames(of: session).last { $0["id"]?.stringValue == id } ?? .null
    }

    /// The group id of a class or course group.
    func group(_ key: String) -> GroupID {
        hub.queue.sync { hub.groupByExternalKey[key]! }
    }
}

extension JSONValue {
    var isOK: Bool { self["ok"]?.boolValue == true }
    var errorCode: String? { self["error"]?["code"]?.stringValue }
    var data: JSONValue? { self["data"] }
}

extension Directory {
    /// One college, two classes with a counselor each, students, a teacher with a course.
    static let sample = Directory(
        orgUnits: [
            OrgUnitRecord(id: "school", kind: .school, name: "示范大学"),
            OrgUnitRecord(id: "cs", kind: .college, name: "计算机学院", parentID: "school"),
            OrgUnitRecord(id: "se", kind: .major, name: "软件工程", parentID: "cs"),
            OrgUnitRecord(id: "se2301", kind: .class, name: "软件2301班", parentID: "se", counselors: ["T1"]),
            OrgUnitRecord(id: "se2302", kind: .class, name: "软件2302班", parentID: "se", counselors: ["T2"]),
        ],
        users: [
            UserRecord(id: "T1", name: "李老师", roles: [.counselor]),
            UserRecord(id: "T2", name: "王老师", roles: [.counselor]),
            UserRecord(id: "P1", name: "赵教授", roles: [.teacher]),
            UserRecord(id: "A1", name: "管理员", roles: [.admin, .staff]),
            UserRecord(id: "S1", name: "张三", roles: [.student], classID: "se2301"),
            UserRecord(id: "S2", name: "李四", roles: [.student], classID: "se2301"),
            UserRecord(id: "S3", name: "王五", roles: [.student], classID: "se2301"),
            UserRecord(id: "S4", name: "赵六", roles: [.student], classID: "se2302"),
        ],
        courses: [CourseRecord(id: "DS", name: "数据结构", teachers: ["P1"], students: ["S1", "S4"])]
    )
}

/// Wall-clock milliseconds that tests move by hand.
final class ManualClock: Sendable {
    private let value = Atomic<Int64>(1_764_000_000_000)
    var now: Int64 { value.load(ordering: .relaxed) }
    func advance(milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }
}
