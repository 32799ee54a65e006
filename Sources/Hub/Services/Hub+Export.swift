import Glibc
import JSON

/// A card's or task's results as a table, for CSV (Excel) and JSON exports.
public struct TableExport: Sendable, Equatable {
    /// A short title for the file name.
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    /// Everything else (definition, counts) for the JSON form.
    public var summary: JSONValue
}

extension Hub {
    /// Exports a card's results: one row per recipient (named cards) or per answer (anonymous cards, no identity
    /// columns at all). For the publisher, the group's managers and school admins. `completion` on the hub queue.
    public func exportCard(
        _ id: Int64,
        user: UserID,
        roles: Set<SchoolRole>,
        completion: @escaping (Result<TableExport, HubError>) -> Void
    ) {
        export(
            .cardExport,
            "card",
            id,
            user: user,
            roles: roles,
            find: { (session, body, onError) throws(HubError) in
                try self.withCard(id, id: "", session: session, body, onError: onError)
            },
            group: \.group,
            publisher: \.publisher,
            table: table(for:group:),
            completion: completion
        )
    }

    /// Exports a task's progress: one row per recipient.
    public func exportTask(
        _ id: Int64,
        user: UserID,
        roles: Set<SchoolRole>,
        completion: @escaping (Result<TableExport, HubError>) -> Void
    ) {
        export(
            .taskExport,
            "task",
            id,
            user: user,
            roles: roles,
            find: { (session, body, onError) throws(HubError) in
                try self.withTask(id, id: "", session: session, body, onError: onError)
            },
            group: \.group,
            publisher: \.publisher,
            table: table(for:group:),
            completion: completion
        )
    }

    /// Finds the record with `find`, checks the caller is its publisher or manages its group, writes the audit
    /// entry, then serves the table.
    private func export<Record>(
        _ action: AuditAction,
        _ noun: String,
        _ id: Int64,
        user: UserID,
        roles: Set<SchoolRole>,
        find: (
            Session, @escaping (Record) throws(HubError) -> Void, @escaping (HubError) -> Void
        ) throws(HubError) -> Void,
        group: @escaping (Record) -> GroupID,
        publisher: @escaping (Record) -> UserID,
        table: @escaping (Record, Group) -> TableExport,
        completion: @escaping (Result<TableExport, HubError>) -> Void
    ) {
        let session = Session(id: 0, user: user, roles: roles, loopIndex: 0, endpoint: self)
        session.connected = true
        do throws(HubError) {
            let serve = { (record: Record) throws(HubError) in
                guard let owner = self.groups[group(record)],
                    publisher(record) == user || self.isManager(owner, session)
                else {
                    throw .forbidden("the \(noun)'s publisher and the group's owner and admins")
                }
                let entry = self.audit(action, by: user, target: "\(noun):\(id)", ["group": .int(owner.id.rawValue)])
                self.auditedRead(entry, completion: completion) { table(record, owner) }
            }
            try find(session, serve) { completion(.failure($0)) }
        } catch {
            completion(.failure(error))
        }
    }

    private func table(for card: Card, group: Group) -> TableExport {
        let definition = card.definition
        var answerColumns: [String] = []
        switch definition.type {
        case .notice: answerColumns = []
        case .vote: answerColumns = ["选择"]
        case .questionnaire:
            answerColumns = definition.questions.enumerated().map { "\($0.offset + 1). \($0.element.title)" }
        case .checkin: answerColumns = ["距离(米)"]
        }
        var rows: [[String]] = []
        let columns: [String]
        if definition.anonymous {
            columns = ["序号"] + answerColumns
            for (index, entry) in card.answers.enumerated() {
                rows.append([String(index + 1)] + cells(entry.answer, definition))
            }
        } else {
            columns = ["学号/工号", "姓名", "是否提交", "提交时间(北京时间)", "迟到"] + answerColumns
            for user in card.recipients {
                let response = card.responses[user]
                var row = [user, users[user]?.name ?? "", response == nil ? "否" : "是"]
                row.append(response.map { Self.beijingTime($0.submittedAt) } ?? "")
                row.append(response?.late == true ? "是" : "否")
                row +=
                    response?.answer.map { cells($0, definition) } ?? Array(repeating: "", count: answerColumns.count)
                rows.append(row)
            }
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("card")
        writer.int(card.id)
        writer.key("group")
        writer.int(group.id.rawValue)
        writer.key("groupName")
        writer.string(group.record.name)
        writer.key("definition")
        writer.beginObject()
        definition.write(to: &writer, includeSecrets: false)
        writer.endObject()
        card.writeParticipation(to: &writer)
        writer.key("results")
        writer.beginObject()
        card.writeResults(to: &writer, withNames: false)
        writer.endObject()
        writer.endObject()
        return TableExport(
            title: definition.title,
            columns: columns,
            rows: rows,
            summary: (try? JSONParser.parse(writer.bytes)) ?? .null
        )
    }

    private func cells(_ answer: CardAnswer, _ definition: CardDefinition) -> [String] {
        switch answer {
        case .confirm: return []
        case .choices(let choices): return [choices.map { definition.options[safe: $0] ?? "?" }.joined(separator: "；")]
        case .checkin(let distance): return [distance.map { String(Int($0.rounded())) } ?? ""]
        case .answers(let values):
            return zip(definition.questions, values).map { question, value in
                switch value {
                case nil: return ""
                case .option(let index): return question.options[safe: index] ?? "?"
                case .options(let indexes):
                    return indexes.map { question.options[safe: $0] ?? "?" }.joined(separator: "；")
                case .text(let text): return text
                case .rating(let rating): return String(rating)
                }
            }
        }
    }

    private func table(for task: ClassTask, group: Group) -> TableExport {
        let states: [ClassTask.State: String] = [.todo: "未完成", .done: "已完成", .excused: "免做"]
        let rows = task.recipients.map { user -> [String] in
            let status = task.statuses[user]
            return [
                user, users[user]?.name ?? "", states[task.state(of: user)]!,
                status.map { $0.state == .todo ? "" : Self.beijingTime($0.at) } ?? "",
                status?.late == true ? "是" : "否", status?.note ?? "", status?.attachment ?? "",
            ]
        }
        var writer = JSONWriter()
        writer.beginObject()
        task.writeDefinition(to: &writer)
        writer.key("groupName")
        writer.string(group.record.name)
        writer.key("progress")
        writer.beginObject()
        task.writeProgress(to: &writer)
        writer.endObject()
        writer.endObject()
        return TableExport(
            title: task.title,
            columns: ["学号/工号", "姓名", "状态", "完成时间(北京时间)", "逾期", "备注", "附件"],
            rows: rows,
            summary: (try? JSONParser.parse(writer.bytes)) ?? .null
        )
    }

    /// `2026-11-23 20:24:26` in UTC+8, the time schools in China read.
    static func beijingTime(_ milliseconds: Timestamp) -> String {
        var seconds = time_t(milliseconds / 1000 + 8 * 3600)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
