import JSON
import Synchronization
import Testing

@testable import Hub

/// Venue booking (社区场地预约) through `Hub.bookings`, on the memory store (which refuses overlaps like SQLite).
@Suite struct BookingTests {
    /// Local (UTC+8) midnight of the day after the harness's clock, in milliseconds.
    static func tomorrow(_ h: HubHarness) -> Int64 {
        (Venue.day(of: h.now) + 1) * 86_400_000 - Venue.utcOffset
    }

    static func harness(needsApproval: Bool = true) -> HubHarness {
        var directory = Directory.sample
        directory.users.append(UserRecord(id: "M1", name: "场地管理员", roles: [.staff]))
        let h = HubHarness(directory: directory)
        let created = h.book(
            .createVenue([
                "id": "room-201", "name": "201活动室", "kind": "activity_room", "building": "学生活动中心",
                "capacity": 40, "facilities": ["投影", "白板"], "opens": "08:00", "closes": "22:00",
                "managers": ["M1"], "maxMinutes": 180, "advanceDays": 7, "needsApproval": .bool(needsApproval),
                "closedDates": .array([.string(Venue.date(ofDay: Venue.day(of: h.now) + 3))]),
            ]),
            as: "A1"
        )
        #expect(created.json?["id"] == "room-201", "\(created)")
        return h
    }

    func slot(
        _ h: HubHarness,
        from hour: Int64,
        to endHour: Int64,
        day: Int64 = 0,
        as user: UserID = "S1"
    )
        -> Result<RESTResponse, HubError>
    {
        let base = Self.tomorrow(h) + day * 86_400_000
        return h.book(
            .book([
                "venue": "room-201", "start": .int(base + hour * 3_600_000), "end": .int(base + endHour * 3_600_000),
                "purpose": "班会", "attendees": 30, "contact": "13800000000",
            ]),
            as: user
        )
    }

    @Test func overlappingSlotsAreRefusedAndFreedSlotsReusable() {
        let h = Self.harness()
        let first = slot(h, from: 10, to: 12).json!["id"]!.int64Value!
        #expect(slot(h, from: 11, to: 13, as: "S2").error?.code == .slotTaken)
        #expect(slot(h, from: 9, to: 10, as: "S2").isSuccess)
        #expect(slot(h, from: 12, to: 13, as: "S2").isSuccess)
        // The applicant cancels; the slot is free again.
        #expect(h.book(.act(first, action: "approve", [:], ifMatch: nil), as: "S1").error?.code == .forbidden)
        #expect(h.book(.act(first, action: "cancel", [:], ifMatch: nil), as: "S1").json?["state"] == "cancelled")
        #expect(slot(h, from: 11, to: 12, as: "S3").isSuccess)
        let availability = h.book(
            .availability("room-201", date: Venue.date(ofDay: Venue.day(of: Self.tomorrow(h))), days: 2),
            as: "S1"
        ).json!
        #expect(availability["days"]?[0]?["busy"]?.arrayValue?.count == 3)
        #expect(availability["days"]?[1]?["busy"] == [])
        #expect(!availability.jsonString.contains("S2"))
        // Lists filter by the slots' start.
        let base = Self.tomorrow(h)
        let morning = h.book(
            .list(state: nil, since: base, until: base + 11 * 3_600_000, before: nil, limit: 20),
            as: "M1"
        )
        #expect(morning.json?["bookings"]?.arrayValue?.count == 2)
        let cancelled = h.book(.list(state: "cancelled", since: nil, until: nil, before: nil, limit: 20), as: "M1")
        #expect(cancelled.json?["bookings"]?.arrayValue?.compactMap { $0["id"]?.int64Value } == [first])
    }

    @Test func rulesOfTheVenue() {
        let h = Self.harness()
        #expect(slot(h, from: 6, to: 9).error?.code == .invalidRequest)  // before opening
        #expect(slot(h, from: 20, to: 23).error?.code == .invalidRequest)  // after closing
        #expect(slot(h, from: 10, to: 14).error?.code == .invalidRequest)  // longer than 180 minutes
        #expect(slot(h, from: 10, to: 12, day: 2).error?.code == .invalidRequest)  // closed date
        #expect(slot(h, from: 10, to: 12, day: 9).error?.code == .invalidRequest)  // too far ahead
        #expect(slot(h, from: 12, to: 10).error?.code == .invalidRequest)
        #expect(slot(h, from: -30, to: -29).error?.code == .invalidRequest)  // in the past
        #expect(
            h.book(.book(["venue": "room-201", "start": 1, "end": 2, "purpose": "x", "x": 1]), as: "S1").error?.code
                == .invalidRequest
        )
        #expect(
            h.book(.book(["venue": "nowhere", "start": 1, "end": 2, "purpose": "x"]), as: "S1").error?.code
                == .requestNotFound
        )
    }

    @Test func approvalReminderAndCompletionAcrossARestart() {
        let h = Self.harness()
        let id = slot(h, from: 10, to: 12).json!["id"]!.int64Value!
        #expect(h.book(.act(id, action: "reject", [:], ifMatch: nil), as: "M1").error?.code == .commentRequired)
        let version = h.book(.get(id), as: "M1").version!
        #expect(
            h.book(.act(id, action: "approve", [:], ifMatch: version + 1), as: "M1").error?.code == .versionMismatch
        )
        #expect(h.book(.act(id, action: "approve", [:], ifMatch: version), as: "M1").json?["state"] == "approved")
        h.hub = h.makeHub()
        let student = h.connect("S1")
        _ = h.request(student, ["type": "sync"])
        _ = h.output.take(student)
        h.clock.advance(milliseconds: Self.tomorrow(h) + 9 * 3_600_000 + 1000 - h.now)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.output.take(student).filter { $0["message"]?["body"]?["title"] == "场地预约即将开始" }.count == 1)
        h.advance(seconds: 3 * 3600)
        h.hub.queue.sync { h.hub.tick() }
        h.settle()
        #expect(h.book(.get(id), as: "S1").json?["state"] == "completed")
        #expect(h.store.pendingJobs.isEmpty)
    }

    @Test func automaticApprovalAndCalendars() {
        let h = Self.harness(needsApproval: false)
        let booked = slot(h, from: 10, to: 12).json!
        #expect(booked["state"] == "approved")
        guard case .success(.document(let bytes, let type)) = h.book(.myCalendar, as: "S1") else {
            Issue.record("no calendar")
            return
        }
        #expect(type == "text/calendar")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(text.contains("SUMMARY:201活动室：班会\r\n"))
        #expect(text.contains("STATUS:CONFIRMED"))
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        guard case .success(.document(let venueBytes, _)) = h.book(.venueCalendar("room-201"), as: "S2") else {
            Issue.record("no venue calendar")
            return
        }
        let venue = String(decoding: venueBytes, as: UTF8.self)
        #expect(venue.contains("201活动室 已预约"))
        #expect(!venue.contains("班会"))
        #expect(ICalendar.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne")
    }
}

extension HubHarness {
    func book(_ request: BookingRequest, as user: UserID) -> Result<RESTResponse, HubError> {
        let result = Mutex<Result<RESTResponse, HubError>?>(nil)
        let roles: Set<SchoolRole> = hub.queue.sync { Set(hub.users[user]?.roles ?? []) }
        hub.queue.sync {
            hub.bookings(request, caller: .user(user, roles: roles)) { outcome in result.withLock { $0 = outcome } }
        }
        for _ in 0..<100 {
            settle()
            if let outcome = result.withLock({ $0 }) { return outcome }
        }
        fatalError("booking request did not complete")
    }
}
