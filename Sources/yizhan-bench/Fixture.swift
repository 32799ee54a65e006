import Auth
import Glibc
import JSON

/// A school made for one scenario: `groups` classes of `members` students each, plus counselors (one per class,
/// or one for all classes), imported through the real REST endpoint (`POST /v1/admin/directory`), and an access
/// token per user minted locally with the server's secret.
///
/// Users are numbered: student `m` of class `g` is `g * members + m`; counselors follow the students. Ids carry
/// the scenario's `prefix`, so scenarios of different shapes never move each other's students between classes
/// when they share a server (`--url`); importing the same fixture again changes nothing. With `admin`, a school
/// admin (`prefix-admin`, the user the import itself is authorized as) follows the counselors.
struct Fixture: Sendable {
    enum Counselors: Sendable {
        /// Class `g` has counselor `g` (an admin of that class group only).
        case perClass
        /// One counselor for every class: a member (admin) of every group.
        case shared
    }

    let prefix: String
    let groups: Int
    let members: Int
    let counselors: Counselors
    /// Whether the directory has the school admin as a user (the news center wants its callers in it).
    let hasAdmin: Bool
    /// Every user id, by number.
    let userIDs: [String]
    /// An access token per user, by number.
    private(set) var tokens: [String] = []
    /// Seconds the import took (REST round trip).
    private(set) var importSeconds: Double = 0
    private(set) var importReport = ""

    init(prefix: String, groups: Int, members: Int, counselors: Counselors, admin: Bool = false) {
        self.prefix = prefix
        self.groups = groups
        self.members = members
        self.counselors = counselors
        hasAdmin = admin
        var ids: [String] = []
        ids.reserveCapacity(groups * members + groups)
        for group in 0..<groups {
            for member in 0..<members { ids.append("\(prefix)-\(group)-\(member)") }
        }
        switch counselors {
        case .perClass: for group in 0..<groups { ids.append("\(prefix)-t\(group)") }
        case .shared: ids.append("\(prefix)-t")
        }
        if admin { ids.append(Self.adminID(prefix)) }
        userIDs = ids
    }

    var studentCount: Int { groups * members }

    /// The user number of the school admin (only with `admin`; its token has the role admin).
    var admin: Int? { hasAdmin ? userIDs.count - 1 : nil }

    private static func adminID(_ prefix: String) -> String { "\(prefix)-admin" }

    private func role(of number: Int) -> String {
        number < studentCount ? "student" : number == admin ? "admin" : "counselor"
    }

    /// The user number of student `member` of class `group`.
    func student(group: Int, member: Int) -> Int { group * members + member }

    /// The user number of the counselor of class `group` (the shared one for `.shared`).
    func counselor(of group: Int) -> Int {
        switch counselors {
        case .perClass: studentCount + group
        case .shared: studentCount
        }
    }

    /// The directory file: school → college → major → classes, students with their class, counselors.
    func directoryJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: 128 * userIDs.count + 4096)
        writer.beginObject()
        writer.key("orgUnits")
        writer.beginArray()
        unit(&writer, id: "\(prefix)-school", kind: "school", parent: nil)
        unit(&writer, id: "\(prefix)-college", kind: "college", parent: "\(prefix)-school")
        unit(&writer, id: "\(prefix)-major", kind: "major", parent: "\(prefix)-college")
        for group in 0..<groups {
            unit(&writer, id: "\(prefix)-c\(group)", kind: "class", parent: "\(prefix)-major") { writer in
                writer.key("counselors")
                writer.beginArray()
                writer.string(userIDs[counselor(of: group)])
                writer.endArray()
            }
        }
        writer.endArray()
        writer.key("users")
        writer.beginArray()
        for (number, id) in userIDs.enumerated() {
            writer.beginObject()
            writer.key("id")
            writer.string(id)
            writer.key("name")
            writer.string("Bench \(id)")
            writer.key("roles")
            writer.beginArray()
            writer.string(role(of: number))
            writer.endArray()
            if number < studentCount {
                writer.key("class")
                writer.string("\(prefix)-c\(number / members)")
            } else {
                writer.key("orgUnit")
                writer.string(number == admin ? "\(prefix)-school" : "\(prefix)-college")
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("courses")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    private func unit(
        _ writer: inout JSONWriter,
        id: String,
        kind: String,
        parent: String?,
        extra: (inout JSONWriter) -> Void = { _ in }
    ) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("kind")
        writer.string(kind)
        writer.key("name")
        writer.string("Bench \(id)")
        if let parent {
            writer.key("parent")
            writer.string(parent)
        }
        extra(&writer)
        writer.endObject()
    }

    /// Imports the directory into `server` as a school admin and mints every user's token.
    mutating func install(on server: ServerUnderTest) throws {
        guard let authority = TokenAuthority(secret: server.secret) else {
            throw ServerUnderTest.Failure(description: "the server's secret is missing or shorter than 32 bytes")
        }
        let now = Int64(time(nil))
        let admin = authority.mint(
            TokenClaims(subject: Self.adminID(prefix), roles: ["admin"], issuedAt: now, expiresAt: now + 3600)
        )
        let start = Clock.now()
        let response = try RESTClient.post(
            host: server.host,
            port: server.port,
            path: "/v1/admin/directory",
            bearer: admin,
            body: directoryJSON()
        )
        importSeconds = Clock.seconds(from: start, to: Clock.now())
        guard response.status == 200 else {
            throw ServerUnderTest.Failure(
                description: "directory import failed: HTTP \(response.status) \(response.body.prefix(500))"
            )
        }
        importReport = response.body
        // Valid for a whole soak and then some; the server closes a connection when its token expires.
        tokens = userIDs.enumerated().map { number, id in
            authority.mint(
                TokenClaims(
                    subject: id,
                    roles: [role(of: number)],
                    issuedAt: now,
                    expiresAt: now + 12 * 3600
                )
            )
        }
    }
}
