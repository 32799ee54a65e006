import JSON
import Workflow

extension Hub {
    /// One request of any community service, as the service records see it.
    struct ServiceEntry {
        var service: String
        var id: Int64
        var applicant: UserID
        var record: WorkflowRecord
        var parties: Set<Party>
        /// The applicant is hidden from this viewer (an anonymous suggestion).
        var hidden: Bool
        var rating: String?
    }

    /// Every request of every service the user has a part in.
    func serviceEntries(for user: UserRecord) -> [ServiceEntry] {
        var entries: [ServiceEntry] = []
        for item in community.suggestions.values {
            let parties = parties(user, for: item)
            guard !parties.isEmpty else { continue }
            entries.append(
                ServiceEntry(
                    service: "suggestion",
                    id: item.id,
                    applicant: item.submitter,
                    record: item.record,
                    parties: parties,
                    hidden: item.anonymous && !parties.contains(.applicant),
                    rating: item.rating
                )
            )
        }
        for booking in community.bookings.values where !parties(user, for: booking).isEmpty {
            entries.append(
                ServiceEntry(
                    service: "booking",
                    id: booking.id,
                    applicant: booking.applicant,
                    record: booking.record,
                    parties: parties(user, for: booking),
                    hidden: false,
                    rating: nil
                )
            )
        }
        for request in community.borrowings.values where !parties(user, for: request).isEmpty {
            entries.append(
                ServiceEntry(
                    service: "borrowing",
                    id: request.id,
                    applicant: request.applicant,
                    record: request.record,
                    parties: parties(user, for: request),
                    hidden: false,
                    rating: nil
                )
            )
        }
        for registration in community.housing.values where !parties(user, for: registration).isEmpty {
            entries.append(
                ServiceEntry(
                    service: "housing",
                    id: registration.id,
                    applicant: registration.student,
                    record: registration.record,
                    parties: parties(user, for: registration),
                    hidden: false,
                    rating: nil
                )
            )
        }
        return entries
    }

    /// `GET /v1/community/records` (服务记录): every step of every request the caller has a part in — their own
    /// requests for students, the requests they handle for staff, everything for school admins — newest first,
    /// optionally of one service and between two times. Anonymous submitters stay hidden.
    public func serviceRecords(
        caller: RESTCaller,
        service: String?,
        since: Int64?,
        until: Int64?,
        cursor: String?,
        limit: Int,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            let user = try communityUser(caller)
            let services = ["suggestion", "booking", "borrowing", "housing"]
            if let service, !services.contains(service) {
                throw .invalid("Parameter 'service' must be one of \(services.joined(separator: ", ")).")
            }
            // Steps sort newest first by (time, service, request, seq); the cursor is the last one handed out.
            typealias Key = (at: Int64, service: String, request: Int64, seq: Int)
            var after: Key?
            if let cursor {
                let parts = cursor.split(separator: "_", omittingEmptySubsequences: false)
                guard parts.count == 4, let at = Int64(parts[0]), let request = Int64(parts[2]), let seq = Int(parts[3])
                else { throw .invalid("Parameter 'cursor' is not a cursor this server handed out.") }
                after = (at, String(parts[1]), request, seq)
            }
            var steps: [(key: Key, value: JSONValue)] = []
            for entry in serviceEntries(for: user) where service.map({ $0 == entry.service }) ?? true {
                for step in entry.record.history {
                    let key: Key = (step.at, entry.service, entry.id, step.seq)
                    guard step.at >= (since ?? .min), step.at < (until ?? .max), after.map({ key < $0 }) ?? true else {
                        continue
                    }
                    var json = Suggestion.stepJSON(step)
                    if case .object(var object) = json {
                        if entry.hidden, step.party == .applicant { object["actor"] = .null }
                        object["service"] = .string(entry.service)
                        object["request"] = .int(entry.id)
                        object["applicant"] = entry.hidden ? .null : .string(entry.applicant)
                        json = .object(object)
                    }
                    steps.append((key, json))
                }
            }
            steps.sort { $0.key > $1.key }
            let page = steps.prefix(limit)
            let next: JSONValue =
                steps.count > limit
                ? page.last.map { .string("\($0.key.at)_\($0.key.service)_\($0.key.request)_\($0.key.seq)") } ?? .null
                : .null
            let body: JSONValue = ["records": .array(page.map(\.value)), "nextCursor": next]
            completion(.success(.json(body.encoded())))
        } catch {
            completion(.failure(error))
        }
    }

    /// `GET /v1/community/records/stats`: per service, college and month of submission — requests, finished ones,
    /// median days to finish, and the satisfaction rate where students rate (suggestions). School admins only.
    public func serviceRecordStats(caller: RESTCaller, completion: @escaping (Result<RESTResponse, HubError>) -> Void) {
        do throws(HubError) {
            let user = try communityUser(caller)
            guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
            struct Tally {
                var requests = 0
                var finished = 0
                var durations: [Int64] = []
                var rated = 0
                var satisfied = 0
            }
            let terminal: [String: Set<String>] = [
                "suggestion": Workflow.suggestion.terminal, "booking": Workflow.booking.terminal,
                "borrowing": Workflow.borrowing.terminal, "housing": Workflow.housing.terminal,
            ]
            var tallies: [String: Tally] = [:]
            for entry in serviceEntries(for: user) {
                // An anonymous submitter's college would narrow down who it was: no college for those.
                let anonymous = entry.service == "suggestion" && community.suggestions[entry.id]?.anonymous == true
                let college = anonymous ? "" : users[entry.applicant].flatMap { self.college(of: $0) } ?? ""
                let month = String(Venue.date(ofDay: Venue.day(of: entry.record.createdAt)).prefix(7))
                let key = [entry.service, college, month].joined(separator: "\u{0}")
                var tally = tallies[key] ?? Tally()
                tally.requests += 1
                if terminal[entry.service]?.contains(entry.record.state) == true {
                    tally.finished += 1
                    tally.durations.append(entry.record.updatedAt - entry.record.createdAt)
                }
                if let rating = entry.rating {
                    tally.rated += 1
                    if rating == "satisfied" { tally.satisfied += 1 }
                }
                tallies[key] = tally
            }
            let rows = tallies.sorted { $0.key < $1.key }.map { key, tally -> [String] in
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
                let sorted = tally.durations.sorted()
                let median = sorted.isEmpty ? "" : String((Double(sorted[sorted.count / 2]) / 8_640_000).rounded() / 10)
                let satisfaction =
                    tally.rated == 0
                    ? "" : String((Double(tally.satisfied) * 1000 / Double(tally.rated)).rounded() / 10)
                return [
                    parts[0], parts[1], orgUnits[parts[1]]?.name ?? "", parts[2], String(tally.requests),
                    String(tally.finished), median, satisfaction,
                ]
            }
            let table = TableExport(
                title: "community-records",
                columns: [
                    "service", "college", "collegeName", "month", "requests", "finished", "medianDaysToFinish",
                    "satisfiedPercent",
                ],
                rows: rows,
                summary: ["requests": .int(Int64(tallies.values.reduce(0) { $0 + $1.requests }))]
            )
            completion(.success(.table(table)))
        } catch {
            completion(.failure(error))
        }
    }
}
