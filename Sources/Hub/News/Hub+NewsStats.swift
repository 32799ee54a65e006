import JSON

extension Hub {
    /// `GET …/readers`: who has read the article and who has not, with counts by college and class. The
    /// recipients of an important article are its audience at publication; for others, the audience now. Names
    /// people, so it is audited before it is served.
    func readers(
        _ id: Int64,
        by user: UserRecord,
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        let (article, column) = try editableArticle(id, user)
        let recipients =
            news.recipients[id] ?? audience(of: column)
        store.readReaders(
            id,
            completion: hop { [self] result in
                guard case .success(let readers) = result else { return completion(.failure(.storage)) }
                struct Tally {
                    var name: String
                    var recipients: Int64 = 0
                    var read: Int64 = 0
                }
                var byCollege: [String: Tally] = [:]
                var byClass: [String: Tally] = [:]
                var rows: [[String]] = []
                var readCount: Int64 = 0
                for id in recipients {
                    let person = users[id]
                    let collegeID = person.flatMap { college(of: $0) }
                    let classID = person?.classID
                    let firstRead = readers[id]
                    if firstRead != nil { readCount += 1 }
                    for (key, unit) in [(collegeID, 0), (classID, 1)] {
                        guard let key else { continue }
                        var tally =
                            (unit == 0 ? byCollege[key] : byClass[key]) ?? Tally(name: orgUnits[key]?.name ?? key)
                        tally.recipients += 1
                        if firstRead != nil { tally.read += 1 }
                        if unit == 0 { byCollege[key] = tally } else { byClass[key] = tally }
                    }
                    rows.append([
                        id, person?.name ?? "", collegeID.flatMap { orgUnits[$0]?.name } ?? "",
                        classID.flatMap { orgUnits[$0]?.name } ?? "", firstRead == nil ? "否" : "是",
                        firstRead.map { Self.beijingTime($0) } ?? "",
                    ])
                }
                func breakdown(_ tallies: [String: Tally]) -> JSONValue {
                    .array(
                        tallies.sorted { $0.key < $1.key }.map { key, tally in
                            [
                                "id": .string(key), "name": .string(tally.name), "recipients": .int(tally.recipients),
                                "read": .int(tally.read),
                            ]
                        }
                    )
                }
                let table = TableExport(
                    title: "news-\(id)-readers",
                    columns: ["user", "name", "college", "class", "read", "firstReadAt"],
                    rows: rows,
                    summary: [
                        "article": .int(id), "title": .string(article.title),
                        "mustRead": .bool(news.recipients[id] != nil),
                        "recipients": .int(Int64(recipients.count)), "read": .int(readCount),
                        "unread": .int(Int64(recipients.count) - readCount), "byCollege": breakdown(byCollege),
                        "byClass": breakdown(byClass),
                    ]
                )
                auditedRead(
                    audit(.newsReadersExport, by: user.id, target: "article:\(id)", ["rows": .int(Int64(rows.count))]),
                    completion: completion
                ) { .table(table) }
            }
        )
    }

    /// `GET /v1/news/stats`: per column, published articles, views, distinct readers, audience and read rate
    /// (readers per article over the audience). All columns for school admins, their own for editors.
    func newsStats(by user: UserRecord, completion: @escaping (Result<RESTResponse, HubError>) -> Void) throws(HubError)
    {
        let columns = news.columns.values.filter { isEditor($0, user) }.sorted {
            ($0.position, $0.id) < ($1.position, $1.id)
        }
        guard !columns.isEmpty else { throw .forbidden("column editors and school admins") }
        var totals: [String: (articles: Int64, views: Int64, readers: Int64)] = [:]
        for article in news.published(after: nil) {
            var total = totals[article.column] ?? (0, 0, 0)
            total.articles += 1
            total.views += article.counters.views
            total.readers += article.counters.readers
            totals[article.column] = total
        }
        var rows: [[String]] = []
        var summary: [JSONValue] = []
        let active = users.values.filter(\.active)
        for column in columns {
            let total = totals[column.id] ?? (0, 0, 0)
            let audience = Int64(active.count { inAudience(column, $0) })
            let rate =
                total.articles > 0 && audience > 0 ? Double(total.readers) / Double(total.articles * audience) : 0
            let percent = (rate * 1000).rounded() / 10
            rows.append([
                column.id, column.name, String(total.articles), String(total.views), String(total.readers),
                String(audience), String(percent),
            ])
            summary.append([
                "column": .string(column.id), "articles": .int(total.articles), "views": .int(total.views),
                "readers": .int(total.readers), "audience": .int(audience), "readRate": .double(percent),
            ])
        }
        completion(
            .success(
                .table(
                    TableExport(
                        title: "news-stats",
                        columns: ["column", "name", "articles", "views", "readers", "audience", "readRatePercent"],
                        rows: rows,
                        summary: ["columns": .array(summary)]
                    )
                )
            )
        )
    }
}
