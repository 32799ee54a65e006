import JSON
import Workflow

/// A request to borrow `quantity` of an item from `from` to `until` (社区物资借用).
final class Borrowing {
    let id: Int64
    let item: String
    let quantity: Int64
    let from: Int64
    let until: Int64
    let purpose: String
    let applicant: UserID
    var record: WorkflowRecord

    init(
        id: Int64,
        item: String,
        quantity: Int64,
        from: Int64,
        until: Int64,
        purpose: String,
        applicant: UserID,
        record: WorkflowRecord
    ) {
        self.id = id
        self.item = item
        self.quantity = quantity
        self.from = from
        self.until = until
        self.purpose = purpose
        self.applicant = applicant
        self.record = record
    }

    /// Whether it holds stock: from the request until the return (or a refusal, a cancellation).
    var holdsStock: Bool { ["requested", "approved", "borrowed", "overdue"].contains(record.state) }

    var doc: CommunityDoc {
        CommunityDoc(kind: "borrowing", id: String(id), body: json(actions: nil).encoded())
    }

    func json(actions: [String]?) -> JSONValue {
        var fields: JSONObject = [
            "id": .int(id), "item": .string(item), "quantity": .int(quantity), "from": .int(from),
            "until": .int(until), "purpose": .string(purpose), "applicant": .string(applicant),
            "state": .string(record.state), "dueAt": record.dueAt.map { .int($0) } ?? .null,
            "version": .int(record.version), "createdAt": .int(record.createdAt),
            "updatedAt": .int(record.updatedAt), "history": .array(record.history.map(Suggestion.stepJSON)),
        ]
        if let actions { fields["actions"] = .array(actions.map { .string($0) }) }
        return .object(fields)
    }

    static func restore(_ doc: CommunityDoc) -> Borrowing? {
        guard let id = Int64(doc.id), let value = try? JSONParser.parse(doc.body),
            let applicant = value["applicant"]?.stringValue
        else { return nil }
        let record = WorkflowRecord.restore(Workflow.borrowing, applicant: applicant, from: value)
        return Borrowing(
            id: id,
            item: value["item"]?.stringValue ?? "",
            quantity: value["quantity"]?.int64Value ?? 0,
            from: value["from"]?.int64Value ?? 0,
            until: value["until"]?.int64Value ?? 0,
            purpose: value["purpose"]?.stringValue ?? "",
            applicant: applicant,
            record: record
        )
    }
}

extension WorkflowRecord {
    /// A record from a community document's JSON (`state`, `version`, `createdAt`, `updatedAt`, `dueAt`, `history`).
    static func restore(_ workflow: Workflow, applicant: UserID, from value: JSONValue) -> WorkflowRecord {
        var record = WorkflowRecord(workflow, by: applicant, at: value["createdAt"]?.int64Value ?? 0)
        record.state = value["state"]?.stringValue ?? record.state
        record.version = value["version"]?.int64Value ?? 1
        record.updatedAt = value["updatedAt"]?.int64Value ?? record.createdAt
        record.dueAt = value["dueAt"]?.int64Value
        record.history = (value["history"]?.arrayValue ?? []).map { step in
            WorkflowStep(
                seq: step["seq"]?.intValue ?? 0,
                at: step["at"]?.int64Value ?? 0,
                actor: step["actor"]?.stringValue,
                party: Party(rawValue: step["party"]?.stringValue ?? "system"),
                action: step["action"]?.stringValue ?? "",
                from: step["from"]?.stringValue ?? "",
                to: step["to"]?.stringValue ?? "",
                comment: step["comment"]?.stringValue,
                attachments: (step["attachments"]?.arrayValue ?? []).compactMap(\.stringValue)
            )
        }
        return record
    }
}
