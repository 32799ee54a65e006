import JSON
import Workflow

extension Hub {
    /// Serves one housing-registration request. `completion` runs on the hub queue.
    public func housing(
        _ request: HousingRequest,
        caller: RESTCaller,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) {
        do throws(HubError) {
            let user = try communityUser(caller)
            switch request {
            case .register(let body): try register(body, by: user, completion: completion)
            case .list(let state, let before, let limit):
                try requireState(state, of: Workflow.housing)
                let body = requestPage(community.housing, key: "registrations", before: before, limit: limit) {
                    registration in
                    let parties = parties(user, for: registration)
                    guard !parties.isEmpty, state.map({ $0 == registration.record.state }) ?? true else { return nil }
                    return registration.json(actions: housingActions(registration, parties))
                }
                completion(.success(.json(body)))
            case .get(let id):
                let (registration, parties) = try visibleRegistration(id, user)
                completion(
                    .success(
                        .json(
                            registration.json(actions: housingActions(registration, parties)).encoded(),
                            version: registration.record.version
                        )
                    )
                )
            case .act(let id, let action, let body, let ifMatch):
                try act(onHousing: id, action, body, ifMatch: ifMatch, by: user, completion: completion)
            case .stats: try housingStats(by: user, completion: completion)
            }
        } catch {
            completion(.failure(error))
        }
    }

    /// The student's class counselors.
    func counselors(of student: UserID) -> [UserID] {
        users[student]?.classID.flatMap { orgUnits[$0]?.counselors } ?? []
    }

    func parties(_ user: UserRecord, for registration: HousingRegistration) -> Set<Party> {
        var parties: Set<Party> = []
        if registration.student == user.id { parties.insert(.applicant) }
        if counselors(of: registration.student).contains(user.id) { parties.insert(.handler) }
        if user.roles.contains(.admin) { parties.insert(.admin) }
        return parties
    }

    func visibleRegistration(_ id: Int64, _ user: UserRecord) throws(HubError) -> (HousingRegistration, Set<Party>) {
        guard let registration = community.housing[id], case let parties = parties(user, for: registration),
            !parties.isEmpty
        else { throw HubError(.requestNotFound, "Registration \(id) does not exist or is not visible to you.") }
        return (registration, parties)
    }

    private func housingActions(_ registration: HousingRegistration, _ parties: Set<Party>) -> [String] {
        Workflow.housing.actions(from: registration.record.state, as: parties).filter { $0 != "expire" }
    }

    private func checkPeriod(_ registration: HousingRegistration, consentBy user: UserRecord) throws(HubError) {
        let today = Venue.day(of: clock())
        guard let from = Venue.day(ofDate: registration.from), let until = Venue.day(ofDate: registration.until) else {
            throw .invalid("Fields 'from' and 'until' must be dates like 2026-12-25.")
        }
        guard until >= today else { throw .invalid("The period has ended already ('until' is in the past).") }
        guard until - from < 366 else { throw .invalid("A registration covers at most a year; renew it after.") }
        guard downloadableObject(registration.consent, user: user.id, roles: []) != nil else {
            throw HubError(
                .objectNotFound,
                "The guardian's consent '\(registration.consent)' is not an upload of yours."
            )
        }
    }

    /// `POST /v1/community/housing`: a student registers off-campus housing; their counselors are notified.
    private func register(
        _ body: JSONValue,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.student), user.classID != nil else {
            throw .forbidden("students of a class (their counselors approve registrations)")
        }
        if let open = community.housing.values.first(where: {
            $0.student == user.id && !Workflow.housing.terminal.contains($0.record.state)
        }) {
            throw .invalid("Registration \(open.id) is still \(open.record.state); change, renew or end it instead.")
        }
        let registration = HousingRegistration(
            id: community.lastHousingID + 1,
            student: user.id,
            record: WorkflowRecord(Workflow.housing, by: user.id, at: clock())
        )
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            try registration.apply(&fields, creating: true)
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        try checkPeriod(registration, consentBy: user)
        community.lastHousingID += 1
        community.housing[registration.id] = registration
        commitCommunity(
            [registration.doc],
            jobs: [],
            notify: counselors(of: user.id),
            message: housingNotice("新的校外住宿登记待审核", registration),
            undo: [{ [self] in community.housing[registration.id] = nil }]
        ) { [self] result in
            completion(
                result.map {
                    .json(
                        registration.json(actions: housingActions(registration, [.applicant])).encoded(),
                        created: true,
                        version: registration.record.version
                    )
                }
            )
        }
    }

    private func housingNotice(
        _ title: String,
        _ registration: HousingRegistration,
        comment: String? = nil
    ) -> AppMessage {
        AppMessage(
            title: title,
            summary: comment,
            fields: [
                AppMessage.Field(label: "学生", value: users[registration.student]?.name ?? registration.student),
                AppMessage.Field(label: "期间", value: registration.from + " 至 " + registration.until),
                AppMessage.Field(label: "状态", value: registration.record.state),
            ]
        )
    }

    /// Reminder a week before the period ends, and the expiry at its end.
    private func housingJobs(_ registration: HousingRegistration) -> [JobRecord] {
        guard registration.record.state == "approved" else { return [] }
        // The approval they belong to: a renewal approved again has its own jobs.
        let body = JSONValue.object([
            "housing": .int(registration.id), "until": .string(registration.until),
            "version": .int(registration.record.version),
        ]).encoded()
        var jobs = [nextJob(dueAt: registration.endsAt, kind: "community.housing.expire", body: body)]
        let remind = registration.endsAt - 7 * 86_400_000
        if remind > clock() { jobs.append(nextJob(dueAt: remind, kind: "community.housing.remind", body: body)) }
        return jobs
    }

    /// `POST /v1/community/housing/{id}/{action}`. A resubmission or renewal may change the registration's fields in
    /// the same body as its comment.
    private func act(
        onHousing id: Int64,
        _ action: String,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (registration, parties) = try visibleRegistration(id, user)
        try requireVersion(ifMatch, registration.record.version)
        guard action != "expire" else { throw .invalid("'expire' is done by the server when the period ends.") }
        let saved = HousingRegistration.restore(registration.doc)!
        let comment: String?
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            comment = try fields.optionalString("comment", maxBytes: 8000)
            if action == "resubmit" || action == "renew" {
                try registration.apply(&fields, creating: false)
            }
            try fields.rejectUnknownFields()
        } catch {
            community.housing[id] = saved
            throw HubError(error)
        }
        do throws(HubError) {
            if action == "resubmit" || action == "renew" { try checkPeriod(registration, consentBy: user) }
            do throws(WorkflowRefusal) {
                try registration.record.perform(
                    action,
                    in: Workflow.housing,
                    by: user.id,
                    as: parties,
                    at: clock(),
                    comment: comment
                )
            } catch {
                throw HubError(error)
            }
        } catch {
            community.housing[id] = saved
            throw error
        }
        let titles = [
            "approve": "校外住宿登记已通过", "return": "校外住宿登记被退回，请修改后重新提交", "resubmit": "校外住宿登记已重新提交",
            "renew": "校外住宿登记申请续期", "withdraw": "校外住宿登记已撤回", "end": "校外住宿已结束",
        ]
        commitCommunity(
            [registration.doc],
            jobs: housingJobs(registration),
            notify: parties.contains(.applicant) ? counselors(of: registration.student) : [registration.student],
            message: housingNotice(titles[action] ?? action, registration, comment: comment),
            undo: [{ [self] in community.housing[id] = saved }]
        ) { [self] result in
            let current = community.housing[id] ?? registration
            completion(
                result.map {
                    .json(
                        current.json(actions: housingActions(current, parties)).encoded(),
                        version: current.record.version
                    )
                }
            )
        }
    }

    /// `community.housing.*`: a week's notice before the period ends, then the expiry (the student renews or ends it).
    func runHousingJob(_ job: JobRecord) {
        let body = try? JSONParser.parse(job.body)
        guard let id = body?["housing"]?.int64Value, let registration = community.housing[id],
            registration.record.state == "approved", registration.until == body?["until"]?.stringValue,
            registration.record.version == body?["version"]?.int64Value
        else { return write([.deleteJob(job.id)]) { _ in } }
        let saved = HousingRegistration.restore(registration.doc)!
        let undo = { [self] in
            community.housing[id] = saved
            jobs.insert(job)
        }
        var title = "校外住宿登记将于一周后到期，如需继续请续期"
        var notify = [registration.student]
        if job.kind == "community.housing.expire" {
            guard
                (try? registration.record.perform("expire", in: Workflow.housing, by: nil, as: [.system], at: clock()))
                    != nil
            else { return write([.deleteJob(job.id)]) { _ in } }
            title = "校外住宿登记已到期"
            notify += counselors(of: registration.student)
        }
        commitCommunity(
            [registration.doc],
            jobs: [],
            extraOps: [.deleteJob(job.id)],
            notify: notify,
            message: housingNotice(title, registration),
            undo: [undo]
        ) { _ in }
    }

    /// `GET /v1/community/housing/stats`: approved registrations (students living off campus now) by college, class,
    /// reason and district, and how many end this month. All for school admins; a counselor's own classes.
    private func housingStats(
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    )
        throws(HubError)
    {
        let admin = user.roles.contains(.admin)
        let mine = Set(orgUnits.values.filter { $0.counselors.contains(user.id) }.map(\.id))
        guard admin || !mine.isEmpty else { throw .forbidden("school admins and counselors") }
        let today = Venue.date(ofDay: Venue.day(of: clock()))
        let month = String(today.prefix(7))
        var rows: [String: Int64] = [:]
        var expiring: Int64 = 0
        var total: Int64 = 0
        let todayNumber = Venue.day(of: clock())
        for registration in community.housing.values where registration.record.state == "approved" {
            // Off campus now: the period has begun.
            guard let from = Venue.day(ofDate: registration.from), from <= todayNumber else { continue }
            let student = users[registration.student]
            guard let classID = student?.classID, admin || mine.contains(classID) else { continue }
            let college = student.flatMap { self.college(of: $0) } ?? ""
            rows[
                [college, classID, registration.reason, registration.district].joined(separator: "\u{0}"),
                default: 0
            ] += 1
            total += 1
            if registration.until.hasPrefix(month) { expiring += 1 }
        }
        let table = TableExport(
            title: "housing-stats",
            columns: ["college", "collegeName", "class", "className", "reason", "district", "students"],
            rows: rows.sorted { $0.key < $1.key }.map { key, count in
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
                return [
                    parts[0], orgUnits[parts[0]]?.name ?? "", parts[1], orgUnits[parts[1]]?.name ?? "", parts[2],
                    parts[3], String(count),
                ]
            },
            summary: ["offCampus": .int(total), "expiringThisMonth": .int(expiring), "month": .string(month)]
        )
        completion(.success(.table(table)))
    }
}
