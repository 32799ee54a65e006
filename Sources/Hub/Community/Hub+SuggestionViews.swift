import JSON
import Workflow

extension Hub {
    /// `GET /v1/community/suggestions`: what the caller may see, newest first — their own items for students, their
    /// departments' for handlers and supervisors, everything for dispatchers and school admins.
    func listSuggestions(
        _ user: UserRecord,
        state: String?,
        category: String?,
        before: Int64?,
        limit: Int
    ) throws(HubError) -> [UInt8] {
        try requireState(state, of: Workflow.suggestion)
        if let category, !SuggestionSettings.categories.contains(category) {
            throw .invalid(
                "Parameter 'category' must be one of \(SuggestionSettings.categories.joined(separator: ", "))."
            )
        }
        return requestPage(community.suggestions, key: "suggestions", before: before, limit: limit) { item in
            guard state.map({ $0 == item.record.state }) ?? true, category.map({ $0 == item.category }) ?? true
            else { return nil }
            let parties = parties(user, for: item)
            guard !parties.isEmpty else { return nil }
            return suggestionView(item, parties)
        }
    }

    /// `GET /v1/community/suggestions/stats`: per category and department, volume, median time to the first reply,
    /// on-time rate, satisfaction rate and reopened rate, and what is overdue now. Counts only: no submitter appears.
    func suggestionStats(
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    )
        throws(HubError)
    {
        let settings = community.suggestionSettings
        let everything = user.roles.contains(.admin) || settings.dispatchers.contains(user.id)
        let mine = Set(
            settings.departments.filter {
                $0.value.handlers.contains(user.id) || $0.value.supervisors.contains(user.id)
            }
            .keys
        )
        guard everything || !mine.isEmpty else { throw .forbidden("school admins, dispatchers and departments' staff") }
        struct Tally {
            var items = 0
            var open = 0
            var overdue = 0
            var responses: [Int64] = []
            var onTime = 0
            var rated = 0
            var satisfied = 0
            var reopened = 0
        }
        let now = clock()
        var tallies: [String: Tally] = [:]
        for item in community.suggestions.values {
            let department = item.department ?? ""
            guard everything || mine.contains(department) else { continue }
            let key = item.category + "\u{0}" + department
            var tally = tallies[key] ?? Tally()
            tally.items += 1
            if item.isOpen { tally.open += 1 }
            if item.isOpen, item.record.isOverdue(at: now) { tally.overdue += 1 }
            if let first = item.firstReplyAt {
                tally.responses.append(first - item.record.createdAt)
                if item.firstReplyOnTime == true { tally.onTime += 1 }
            }
            if let rating = item.rating {
                tally.rated += 1
                if rating == "satisfied" { tally.satisfied += 1 }
            }
            if item.reopened > 0 { tally.reopened += 1 }
            tallies[key] = tally
        }
        func percent(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "" : String((Double(part) * 1000 / Double(whole)).rounded() / 10)
        }
        var rows: [[String]] = []
        var total = Tally()
        for (key, tally) in tallies.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let sorted = tally.responses.sorted()
            let median = sorted.isEmpty ? "" : String((Double(sorted[sorted.count / 2]) / 360_000).rounded() / 10)
            rows.append([
                parts[0], Self.categoryName(parts[0]), parts[1], settings.departments[parts[1]]?.name ?? "",
                String(tally.items), String(tally.open), String(tally.overdue), median,
                percent(tally.onTime, tally.responses.count), percent(tally.satisfied, tally.rated),
                percent(tally.reopened, tally.items),
            ])
            total.items += tally.items
            total.open += tally.open
            total.overdue += tally.overdue
            total.responses += tally.responses
            total.onTime += tally.onTime
            total.rated += tally.rated
            total.satisfied += tally.satisfied
            total.reopened += tally.reopened
        }
        let table = TableExport(
            title: "suggestions-stats",
            columns: [
                "category", "categoryName", "department", "departmentName", "items", "open", "overdue",
                "medianFirstReplyHours", "onTimePercent", "satisfiedPercent", "reopenedPercent",
            ],
            rows: rows,
            summary: [
                "items": .int(Int64(total.items)), "open": .int(Int64(total.open)),
                "overdue": .int(Int64(total.overdue)), "replied": .int(Int64(total.responses.count)),
                "onTime": .int(Int64(total.onTime)), "rated": .int(Int64(total.rated)),
                "satisfied": .int(Int64(total.satisfied)), "reopened": .int(Int64(total.reopened)),
            ]
        )
        completion(.success(.table(table)))
    }
}
