import JSON

/// A bookable place of the community (社区场地): its kind, building, capacity and facilities, when it is open, who
/// manages it, and the rules of a booking. Times of day are the school's local time (UTC+8).
final class Venue {
    let id: String
    var name: String
    /// classroom, meeting_room, activity_room, sports, …
    var kind: String
    var building: String
    var capacity: Int64
    var facilities: [String]
    /// Minutes after local midnight.
    var opens: Int64
    var closes: Int64
    /// Local dates (`2026-12-25`) it is closed.
    var closedDates: Set<String>
    var managers: [UserID]
    /// Who may book; empty: everyone in the directory.
    var roles: Set<SchoolRole>
    var maxMinutes: Int64
    var advanceDays: Int64
    /// Bookings wait for a manager; false: approved at once.
    var needsApproval: Bool
    var archived: Bool
    var version: Int64 = 1

    static let utcOffset: Int64 = 8 * 3_600_000

    init(id: String) {
        self.id = id
        name = id
        kind = "activity_room"
        building = ""
        capacity = 0
        facilities = []
        opens = 8 * 60
        closes = 22 * 60
        closedDates = []
        managers = []
        roles = []
        maxMinutes = 240
        advanceDays = 14
        needsApproval = true
        archived = false
    }

    static func minutes(_ text: String, field: String) throws(JSONFieldError) -> Int64 {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hours = Int64(parts[0]), let minutes = Int64(parts[1]), parts[1].count == 2,
            (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 24 * 60
        else {
            throw JSONFieldError(
                code: JSONFieldError.Code.outOfRange,
                field: field,
                message: "Field '\(field)' must be HH:MM."
            )
        }
        return hours * 60 + minutes
    }

    static func clock(_ minutes: Int64) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    /// `2026-12-25` for a local day number (days since 1970-01-01 in UTC+8), and back.
    static func date(ofDay day: Int64) -> String {
        let date = LocalCalendar.civil(fromDays: day)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date.year)-\(two(date.month))-\(two(date.day))"
    }

    static func day(ofDate text: String) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        let days = LocalCalendar.days(year: year, month: month, day: day)
        // 2026-02-30 is not a date: it would come back as March.
        return date(ofDay: days) == text ? days : nil
    }

    /// The local day a time falls on.
    static func day(of time: Int64) -> Int64 {
        let local = time + utcOffset
        return local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
    }

    /// The open interval of a local day, or nil when closed that day.
    func openInterval(day: Int64) -> (start: Int64, end: Int64)? {
        guard !closedDates.contains(Self.date(ofDay: day)), closes > opens else { return nil }
        let midnight = day * 86_400_000 - Self.utcOffset
        return (midnight + opens * 60_000, midnight + closes * 60_000)
    }

    func apply(_ fields: inout JSONFields, creating: Bool) throws(JSONFieldError) {
        if creating || fields.contains("name") { name = try fields.string("name", maxBytes: 200, nonEmpty: true) }
        if let kind = try fields.optionalString("kind", maxBytes: 64, nonEmpty: true) { self.kind = kind }
        if let building = try fields.optionalString("building", maxBytes: 200) { self.building = building }
        if let capacity = try fields.optionalInt("capacity", in: Int64(0)...Int64(100_000)) { self.capacity = capacity }
        if let facilities = try fields.optionalStringArray("facilities", maxCount: 50, maxBytes: 100, nonEmpty: true) {
            self.facilities = facilities
        }
        if let opens = try fields.optionalString("opens", maxBytes: 5) {
            self.opens = try Self.minutes(opens, field: "opens")
        }
        if let closes = try fields.optionalString("closes", maxBytes: 5) {
            self.closes = try Self.minutes(closes, field: "closes")
        }
        if let dates = try fields.optionalStringArray("closedDates", maxCount: 366, maxBytes: 10) {
            for date in dates where Self.day(ofDate: date) == nil {
                throw JSONFieldError(
                    code: JSONFieldError.Code.outOfRange,
                    field: "closedDates",
                    message: "Field 'closedDates' has '\(date)', which is not a date like 2026-12-25."
                )
            }
            closedDates = Set(dates)
        }
        if creating || fields.contains("managers") {
            managers = Array(Set(try fields.stringArray("managers", maxCount: 50, maxBytes: 128, nonEmpty: true)))
                .sorted()
        }
        if let roles = try fields.optionalStringArray("roles", maxCount: 8) {
            self.roles = []
            for raw in roles {
                guard let role = SchoolRole(rawValue: raw) else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.outOfRange,
                        field: "roles",
                        message: "Field 'roles' has an unknown role '\(raw)'."
                    )
                }
                self.roles.insert(role)
            }
        }
        if let minutes = try fields.optionalInt("maxMinutes", in: Int64(15)...Int64(24 * 60)) { maxMinutes = minutes }
        if let days = try fields.optionalInt("advanceDays", in: Int64(0)...Int64(36_500)) { advanceDays = days }
        if let flag = try fields.optionalBool("needsApproval") { needsApproval = flag }
        if let flag = try fields.optionalBool("archived") { archived = flag }
        guard closes > opens else {
            throw JSONFieldError(
                code: JSONFieldError.Code.outOfRange,
                field: "closes",
                message: "Field 'closes' must be after 'opens'."
            )
        }
    }

    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "kind": .string(kind), "building": .string(building),
            "capacity": .int(capacity), "facilities": .array(facilities.map { .string($0) }),
            "opens": .string(Self.clock(opens)), "closes": .string(Self.clock(closes)),
            "closedDates": .array(closedDates.sorted().map { .string($0) }),
            "managers": .array(managers.map { .string($0) }),
            "roles": .array(roles.sorted().map { .string($0.rawValue) }),
            "maxMinutes": .int(maxMinutes), "advanceDays": .int(advanceDays), "needsApproval": .bool(needsApproval),
            "archived": .bool(archived), "version": .int(version),
        ]
    }

    var doc: CommunityDoc { CommunityDoc(kind: "venue", id: id, body: json.encoded()) }

    static func restore(_ doc: CommunityDoc) -> Venue? {
        guard let value = try? JSONParser.parse(doc.body) else { return nil }
        let venue = Venue(id: doc.id)
        var fields: JSONFields
        do throws(JSONFieldError) {
            var object = value.objectValue ?? JSONObject()
            for key in ["id", "version"] { object[key] = nil }
            fields = try JSONFields(.object(object))
            try venue.apply(&fields, creating: true)
        } catch {
            return nil
        }
        venue.version = value["version"]?.int64Value ?? 1
        return venue
    }
}
