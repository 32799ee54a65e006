import JSON
import Workflow

extension Hub {
    /// Serves one venue-booking request. `completion` runs on the hub queue.
    public func bookings(
        _ request: BookingRequest,
        caller: RESTCaller,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            let user = try communityUser(caller)
            switch request {
            case .venues:
                let admin = user.roles.contains(.admin)
                let list = community.venues.values.sorted { $0.id < $1.id }
                    .filter { (!$0.archived && mayBook($0, user)) || admin || $0.managers.contains(user.id) }
                completion(.success(.json(JSONValue.object(["venues": .array(list.map(\.json))]).encoded())))
            case .createVenue(let body): try saveVenue(nil, body, ifMatch: nil, by: user, completion: completion)
            case .updateVenue(let id, let body, let ifMatch):
                try saveVenue(id, body, ifMatch: ifMatch, by: user, completion: completion)
            case .availability(let id, let date, let days):
                completion(.success(.json(try availability(id, date: date, days: days, user: user))))
            case .venueCalendar(let id):
                let venue = try visibleVenue(id, user)
                let manager = venue.managers.contains(user.id) || user.roles.contains(.admin)
                let held = community.bookings.values.filter { $0.venue == id && $0.holdsSlot }
                completion(
                    .success(.document(calendar(venue.name, held, showPurpose: manager), contentType: "text/calendar"))
                )
            case .book(let body): try book(body, by: user, completion: completion)
            case .list(let state, let since, let until, let before, let limit):
                try requireState(state, of: Workflow.booking)
                let body = requestPage(community.bookings, key: "bookings", before: before, limit: limit) { booking in
                    let parties = parties(user, for: booking)
                    guard !parties.isEmpty, state.map({ $0 == booking.record.state }) ?? true,
                        booking.start >= (since ?? .min), booking.start < (until ?? .max)
                    else { return nil }
                    return booking.json(actions: bookingActions(booking, parties))
                }
                completion(.success(.json(body)))
            case .myCalendar:
                let mine = community.bookings.values.filter { $0.applicant == user.id && $0.holdsSlot }
                completion(
                    .success(.document(calendar("我的场地预约", mine, showPurpose: true), contentType: "text/calendar"))
                )
            case .get(let id):
                let (booking, parties) = try visibleBooking(id, user)
                completion(
                    .success(
                        .json(
                            booking.json(actions: bookingActions(booking, parties)).encoded(),
                            version: booking.record.version
                        )
                    )
                )
            case .act(let id, let action, let body, let ifMatch):
                try act(onBooking: id, action, body, ifMatch: ifMatch, by: user, completion: completion)
            }
        } catch {
            completion(.failure(error))
        }
    }

    func mayBook(_ venue: Venue, _ user: UserRecord) -> Bool {
        venue.roles.isEmpty || user.roles.contains(where: venue.roles.contains) || user.roles.contains(.admin)
    }

    func visibleVenue(_ id: String, _ user: UserRecord) throws(HubError) -> Venue {
        guard let venue = community.venues[id],
            (!venue.archived && mayBook(venue, user)) || venue.managers.contains(user.id) || user.roles.contains(.admin)
        else { throw HubError(.requestNotFound, "Venue '\(id)' does not exist or is not open to you.") }
        return venue
    }

    func parties(_ user: UserRecord, for booking: Booking) -> Set<Party> {
        var parties: Set<Party> = []
        if booking.applicant == user.id { parties.insert(.applicant) }
        if community.venues[booking.venue]?.managers.contains(user.id) == true { parties.insert(.handler) }
        if user.roles.contains(.admin) { parties.insert(.admin) }
        return parties
    }

    func visibleBooking(_ id: Int64, _ user: UserRecord) throws(HubError) -> (Booking, Set<Party>) {
        guard let booking = community.bookings[id], case let parties = parties(user, for: booking), !parties.isEmpty
        else { throw HubError(.requestNotFound, "Booking \(id) does not exist or is not visible to you.") }
        return (booking, parties)
    }

    private func bookingActions(_ booking: Booking, _ parties: Set<Party>) -> [String] {
        Workflow.booking.actions(from: booking.record.state, as: parties).filter { $0 != "complete" }
    }

    private func calendar(_ name: String, _ bookings: [Booking], showPurpose: Bool) -> [UInt8] {
        let events = bookings.sorted { ($0.start, $0.id) < ($1.start, $1.id) }.map { booking in
            let venue = community.venues[booking.venue]
            return ICalendar.Event(
                uid: "booking-\(booking.id)@yizhan",
                start: booking.start,
                end: booking.end,
                summary: showPurpose
                    ? "\(venue?.name ?? booking.venue)：\(booking.purpose)" : "\(venue?.name ?? booking.venue) 已预约",
                location: [venue?.building ?? "", venue?.name ?? ""].filter { !$0.isEmpty }.joined(separator: " "),
                description: showPurpose ? "\(booking.attendees) 人" : "",
                status: booking.record.state == "approved" ? "CONFIRMED" : "TENTATIVE",
                stamp: booking.record.updatedAt
            )
        }
        return ICalendar(name: name, events: events).bytes
    }

    // MARK: Venues

    private func saveVenue(
        _ id: String?,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        try saveCatalogEntry(id, body, ifMatch: ifMatch, by: user, in: \.venues, noun: "Venue", completion: completion)
    }

    /// Opening hours and busy slots per day; who booked a slot is not shown (only whether it is the caller's).
    private func availability(_ id: String, date: String, days: Int, user: UserRecord) throws(HubError) -> [UInt8] {
        let venue = try visibleVenue(id, user)
        guard let first = Venue.day(ofDate: date) else {
            throw .invalid("Parameter 'date' must be a date like 2026-12-25.")
        }
        guard (1...14).contains(days) else { throw .invalid("Parameter 'days' must be from 1 to 14.") }
        let held = community.bookings.values.filter { $0.venue == id && $0.holdsSlot }.sorted { $0.start < $1.start }
        var list: [JSONValue] = []
        for day in first..<(first + Int64(days)) {
            guard let open = venue.openInterval(day: day) else {
                list.append(["date": .string(Venue.date(ofDay: day)), "open": .null, "busy": []])
                continue
            }
            let busy = held.filter { $0.start < open.end && $0.end > open.start }.map { booking -> JSONValue in
                [
                    "start": .int(booking.start), "end": .int(booking.end), "state": .string(booking.record.state),
                    "mine": .bool(booking.applicant == user.id),
                ]
            }
            list.append([
                "date": .string(Venue.date(ofDay: day)), "open": ["start": .int(open.start), "end": .int(open.end)],
                "busy": .array(busy),
            ])
        }
        return JSONValue.object(["venue": .string(id), "days": .array(list)]).encoded()
    }

    // MARK: Bookings

    /// `POST /v1/community/bookings`: a slot in the future, within the venue's opening hours of one day, its
    /// longest slot and how far ahead it may be booked, not overlapping a pending or approved booking — checked here
    /// and again by the store. Venues without approval confirm at once.
    private func book(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let venueID: String
        let start: Int64
        let end: Int64
        let purpose: String
        let attendees: Int64
        let contact: String
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            venueID = try fields.string("venue", maxBytes: 64, nonEmpty: true)
            start = try fields.int("start", in: Int64(0)...Int64.max)
            end = try fields.int("end", in: Int64(0)...Int64.max)
            purpose = try fields.string("purpose", maxBytes: 1000, nonEmpty: true)
            attendees = try fields.optionalInt("attendees", in: Int64(1)...Int64(100_000)) ?? 1
            contact = try fields.optionalString("contact", maxBytes: 100) ?? ""
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        let venue = try visibleVenue(venueID, user)
        guard !venue.archived, mayBook(venue, user) else { throw .forbidden("the people this venue is open to") }
        let now = clock()
        guard start >= now else { throw .invalid("The slot starts in the past.") }
        guard end > start else { throw .invalid("Field 'end' must be after 'start'.") }
        guard end - start <= venue.maxMinutes * 60_000 else {
            throw .invalid("'\(venue.name)' is booked for at most \(venue.maxMinutes) minutes at a time.")
        }
        guard Venue.day(of: start) - Venue.day(of: now) <= venue.advanceDays else {
            throw .invalid("'\(venue.name)' is booked at most \(venue.advanceDays) days ahead.")
        }
        guard let open = venue.openInterval(day: Venue.day(of: start)), start >= open.start, end <= open.end else {
            throw .invalid(
                "'\(venue.name)' is open \(Venue.clock(venue.opens))–\(Venue.clock(venue.closes)) (Beijing time), and closed on \(venue.closedDates.sorted().joined(separator: ", "))."
            )
        }
        guard venue.capacity == 0 || attendees <= venue.capacity else {
            throw .invalid("'\(venue.name)' holds \(venue.capacity) people.")
        }
        if let clash = community.bookings.values.first(where: {
            $0.venue == venueID && $0.holdsSlot && $0.start < end && start < $0.end
        }) {
            throw HubError(
                .slotTaken,
                "'\(venue.name)' is booked \(Self.beijingTime(clash.start)) – \(Self.beijingTime(clash.end)); choose another time."
            )
        }
        community.lastBookingID += 1
        let booking = Booking(
            id: community.lastBookingID,
            venue: venueID,
            start: start,
            end: end,
            purpose: purpose,
            attendees: attendees,
            contact: contact,
            applicant: user.id,
            record: WorkflowRecord(Workflow.booking, by: user.id, at: now)
        )
        if !venue.needsApproval {
            _ = try? booking.record.perform("approve", in: Workflow.booking, by: nil, as: [.system], at: now)
        }
        community.bookings[booking.id] = booking
        commitCommunity(
            [booking.doc],
            jobs: bookingJobs(booking),
            extraOps: [.holdSlot(venue: venueID, booking: booking.id, start: start, end: end)],
            notify: venue.managers.filter { $0 != user.id },
            message: bookingNotice(venue.needsApproval ? "新的场地预约待审批" : "新的场地预约", booking, venue),
            undo: [{ [self] in community.bookings[booking.id] = nil }]
        ) { [self] result in
            completion(
                result.map {
                    .json(
                        booking.json(actions: bookingActions(booking, [.applicant])).encoded(),
                        created: true,
                        version: booking.record.version
                    )
                }
            )
        }
    }

    /// A reminder an hour before an approved slot, and its completion when it ends.
    private func bookingJobs(_ booking: Booking) -> [JobRecord] {
        guard booking.record.state == "approved" else { return [] }
        let body = JSONValue.object(["booking": .int(booking.id)]).encoded()
        var jobs = [nextJob(dueAt: booking.end, kind: "community.booking.complete", body: body)]
        if booking.start - 3_600_000 > clock() {
            jobs.append(nextJob(dueAt: booking.start - 3_600_000, kind: "community.booking.remind", body: body))
        }
        return jobs
    }

    private func bookingNotice(
        _ title: String,
        _ booking: Booking,
        _ venue: Venue,
        comment: String? = nil
    ) -> AppMessage {
        AppMessage(
            title: title,
            summary: comment,
            fields: [
                AppMessage.Field(
                    label: "场地",
                    value: [venue.building, venue.name].filter { !$0.isEmpty }.joined(separator: " ")
                ),
                AppMessage.Field(
                    label: "时间",
                    value: Self.beijingTime(booking.start) + " – " + Self.beijingTime(booking.end)
                ),
                AppMessage.Field(label: "用途", value: booking.purpose),
                AppMessage.Field(label: "状态", value: booking.record.state),
            ]
        )
    }

    /// `POST /v1/community/bookings/{id}/{action}`: approve, reject (with a reason), cancel, revoke (a manager
    /// withdrawing an approval, with a reason). Whatever ends a booking frees its slot.
    private func act(
        onBooking id: Int64,
        _ action: String,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (booking, parties) = try visibleBooking(id, user)
        try requireVersion(ifMatch, booking.record.version)
        guard action != "complete" else { throw .invalid("'complete' is done by the server when the slot ends.") }
        let (comment, attachments, _) = try stepFields(body, user: user)
        guard let venue = community.venues[booking.venue] else { throw .invalid("The venue no longer exists.") }
        let saved = Booking.restore(booking.doc)!
        do throws(WorkflowRefusal) {
            try booking.record.perform(
                action,
                in: Workflow.booking,
                by: user.id,
                as: parties,
                at: clock(),
                comment: comment,
                attachments: attachments
            )
        } catch {
            throw HubError(error)
        }
        let extraOps: [WriteOp] = booking.holdsSlot ? [] : [.releaseSlot(venue: venue.id, booking: id)]
        let titles = [
            "approve": "场地预约已批准", "reject": "场地预约未获批准", "cancel": "场地预约已取消", "revoke": "场地预约已被管理员取消",
        ]
        commitCommunity(
            [booking.doc],
            jobs: bookingJobs(booking),
            extraOps: extraOps,
            notify: parties.contains(.applicant) ? venue.managers : [booking.applicant],
            message: bookingNotice(titles[action] ?? action, booking, venue, comment: comment),
            undo: [{ [self] in community.bookings[id] = saved }]
        ) { [self] result in
            let current = community.bookings[id] ?? booking
            completion(
                result.map {
                    .json(
                        current.json(actions: bookingActions(current, parties)).encoded(),
                        version: current.record.version
                    )
                }
            )
        }
    }

    /// `community.booking.*` jobs: the reminder before an approved slot, and its completion.
    func runBookingJob(_ job: JobRecord) {
        let body = try? JSONParser.parse(job.body)
        guard let id = body?["booking"]?.int64Value, let booking = community.bookings[id],
            booking.record.state == "approved", let venue = community.venues[booking.venue]
        else { return write([.deleteJob(job.id)]) { _ in } }
        let saved = Booking.restore(booking.doc)!
        let undo = { [self] in
            community.bookings[id] = saved
            jobs.insert(job)
        }
        if job.kind == "community.booking.remind" {
            return commitCommunity(
                [booking.doc],
                jobs: [],
                extraOps: [.deleteJob(job.id)],
                notify: [booking.applicant],
                message: bookingNotice("场地预约即将开始", booking, venue),
                undo: [undo]
            ) { _ in }
        }
        guard
            (try? booking.record.perform("complete", in: Workflow.booking, by: nil, as: [.system], at: clock())) != nil
        else { return write([.deleteJob(job.id)]) { _ in } }
        commitCommunity(
            [booking.doc],
            jobs: [],
            extraOps: [.deleteJob(job.id), .releaseSlot(venue: booking.venue, booking: id)],
            notify: [],
            message: AppMessage(title: ""),
            undo: [undo]
        ) { _ in }
    }
}
