import Glibc
import Hub
import Store
import Testing

/// Measurements, not assertions: skipped unless `YIZHAN_STORE_BENCH` is set. Run in release:
///
///     YIZHAN_STORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter StoreBenchmarks
@Suite(.enabled(if: getenv("YIZHAN_STORE_BENCH") != nil), .serialized)
struct StoreBenchmarks {
    /// Batches of 500 appends across 100 groups, each with a client id, one batch in flight (as the hub does).
    @Test(arguments: [
        AppendScenario(durability: .process, ids: .random), AppendScenario(durability: .process, ids: .timeOrdered),
        AppendScenario(durability: .power, ids: .random),
    ])
    func appendThroughput(_ scenario: AppendScenario) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory, durability: scenario.durability)
            defer { store.close() }
            try await store.committed((1...100).map { .upsertGroup(Fixture.group($0)) })
            var random = SplitMix64(seed: 1)
            let batchCount = 400
            let batches = (0..<batchCount).map { _ in
                (0..<500).map { _ in WriteOp.appendMessage(BenchData.message(&random, groups: 100, ids: scenario.ids)) }
            }
            let clock = ContinuousClock()
            let start = clock.now
            for batch in batches {
                try await store.committed(batch)
            }
            let seconds = (clock.now - start).seconds
            let count = batchCount * 500
            print(
                "append \(scenario): \(count) messages in \(format(seconds)) s = \(Int(Double(count) / seconds)) "
                    + "appends/s (batches of 500 across 100 groups)"
            )
        }
    }

    /// A school: 30,000 users, 5,000 groups, 300,000 memberships, 2,000,000 messages; then a cold open and
    /// `loadSnapshot` with several `recentPerGroup`.
    @Test func snapshotLoad() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ContinuousClock()
            var random = SplitMix64(seed: 2)
            var store = try SQLiteStore(directory: directory)
            for chunk in BenchData.directory(&random).chunks(of: 5000) {
                try await store.committed(Array(chunk))
            }
            for chunk in BenchData.groups(&random).chunks(of: 5000) {
                try await store.committed(Array(chunk))
            }
            let messages = 2_000_000
            var start = clock.now
            for _ in 0..<(messages / 500) {
                try await store.committed(
                    (0..<500).map { _ in .appendMessage(BenchData.message(&random, groups: 5000)) }
                )
            }
            var seconds = (clock.now - start).seconds
            print(
                "dataset: \(messages) messages in \(format(seconds)) s = \(Int(Double(messages) / seconds)) appends/s"
            )
            store.close()
            var info = stat()
            stat(directory + "/yizhan.db", &info)
            print("dataset: yizhan.db is \(info.st_size / 1_048_576) MiB")

            start = clock.now
            store = try SQLiteStore(directory: directory)
            print("open (migrations checked, last seqs loaded): \(format((clock.now - start).seconds)) s")
            for recent in [0, 20, 128] {
                start = clock.now
                let snapshot = try store.loadSnapshot(recentPerGroup: recent)
                seconds = (clock.now - start).seconds
                let memberships = snapshot.groups.reduce(0) { $0 + $1.members.count }
                let loaded = snapshot.groups.reduce(0) { $0 + $1.recent.count }
                print(
                    "loadSnapshot(recentPerGroup: \(recent)): \(format(seconds)) s — \(snapshot.users.count) users, "
                        + "\(snapshot.groups.count) groups, \(memberships) memberships, \(loaded) messages"
                )
            }
            store.close()
        }
    }
}

/// One append measurement.
struct AppendScenario: Sendable, CustomStringConvertible {
    var durability: Durability
    var ids: ClientIDs

    var description: String { "\(durability), \(ids) client ids" }
}

/// How clients make their message ids.
enum ClientIDs: Sendable {
    /// Like UUIDv4.
    case random
    /// Like UUIDv7 or ULID: the creation time first.
    case timeOrdered
}

/// Generated school data.
private enum BenchData {
    static func message(_ random: inout SplitMix64, groups: UInt64, ids: ClientIDs = .random) -> NewMessage {
        let group = Int64(random.next() % groups + 1)
        let sender = "2023" + String(random.next() % 30_000 + 10_000)
        return NewMessage(
            group: GroupID(group),
            sender: sender,
            clientMsgID: ids == .random ? random.clientID() : random.timeOrderedClientID(),
            kind: .text,
            body: Array("{\"text\":\"第\(random.next() % 1000)条消息：明天上午八点在教学楼 A201 上课\"}".utf8),
            createdAt: 1_700_000_000_000 + Int64(random.next() % 1_000_000_000)
        )
    }

    /// 30,000 users, 921 org units, 2,000 courses of 45 students.
    static func directory(_ random: inout SplitMix64) -> [WriteOp] {
        var ops: [WriteOp] = [.upsertOrgUnit(OrgUnitRecord(id: "U", kind: .school, name: "示例大学"))]
        for college in 0..<20 {
            ops.append(
                .upsertOrgUnit(OrgUnitRecord(id: "C\(college)", kind: .college, name: "学院\(college)", parentID: "U"))
            )
        }
        for major in 0..<100 {
            ops.append(
                .upsertOrgUnit(
                    OrgUnitRecord(id: "M\(major)", kind: .major, name: "专业\(major)", parentID: "C\(major % 20)")
                )
            )
        }
        for unit in 0..<800 {
            ops.append(
                .upsertOrgUnit(
                    OrgUnitRecord(
                        id: "K\(unit)",
                        kind: .class,
                        name: "班\(unit)",
                        parentID: "M\(unit % 100)",
                        counselors: ["T\(unit % 300)"]
                    )
                )
            )
        }
        for index in 0..<30_000 {
            let teacher = index < 1500
            ops.append(
                .upsertUser(
                    UserRecord(
                        id: teacher ? "T\(index)" : "2023" + String(index + 10_000),
                        name: "用户\(index)",
                        roles: teacher ? [.teacher] : [.student],
                        classID: teacher ? nil : "K\(index % 800)",
                        orgUnitID: teacher ? "C\(index % 20)" : nil
                    )
                )
            )
        }
        for course in 0..<2000 {
            let students = (0..<45).map { _ in "2023" + String(random.next() % 28_500 + 11_500) }
            ops.append(
                .upsertCourse(
                    CourseRecord(
                        id: "CS\(course)",
                        name: "课程\(course)",
                        teachers: ["T\(course % 1500)"],
                        students: students
                    )
                )
            )
        }
        return ops
    }

    /// 5,000 groups with 60 members each.
    static func groups(_ random: inout SplitMix64) -> [WriteOp] {
        var ops: [WriteOp] = []
        for id in 1...5000 {
            let group = GroupID(Int64(id))
            ops.append(
                .upsertGroup(
                    GroupRecord(id: group, kind: .office, name: "群\(id)", owner: "T\(id % 1500)", createdAt: 1)
                )
            )
            var users = Set<String>()
            while users.count < 60 { users.insert("2023" + String(random.next() % 30_000 + 10_000)) }
            for user in users {
                ops.append(
                    .upsertMember(
                        group,
                        MemberRecord(user: user, role: .member, source: .manual, joinedSeq: 0, readSeq: 0)
                    )
                )
            }
        }
        return ops
    }
}

/// A small fast deterministic generator.
struct SplitMix64 {
    private var state: UInt64
    private var milliseconds: UInt64 = 1_700_000_000_000

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A client message id that sorts by creation time, like a UUIDv7: 48 bits of milliseconds, then random bits.
    mutating func timeOrderedClientID() -> String {
        milliseconds += next() % 3
        let time = String(milliseconds, radix: 16)
        let low = String(next() >> 4, radix: 16)
        return String(repeating: "0", count: 12 - time.count) + time + "-7"
            + String(repeating: "0", count: 15 - low.count) + low
    }

    /// A random UUID-shaped client message id (like a UUIDv4).
    mutating func clientID() -> String {
        let high = String(next(), radix: 16)
        let low = String(next(), radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + "-"
            + String(repeating: "0", count: 16 - low.count) + low
    }
}

extension Array {
    fileprivate func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

private func format(_ seconds: Double) -> String {
    let milliseconds = Int((seconds * 1000).rounded())
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
