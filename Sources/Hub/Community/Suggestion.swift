import JSON
import Workflow

/// An item of the suggestion box (接诉即办): a student's suggestion or complaint, routed to a department, answered
/// within its category's deadline, rated by the student. Anonymous items never show their submitter to anyone but
/// the submitter (and a school admin through an audited reveal).
final class Suggestion {
    let id: Int64
    let category: String
    let text: String
    let photos: [String]
    let anonymous: Bool
    let submitter: UserID
    var department: String?
    var record: WorkflowRecord
    /// The student's last rating: `satisfied` or `unsatisfied`.
    var rating: String?
    var escalatedAt: Int64?
    var firstReplyAt: Int64?
    /// Whether the first reply came before the deadline.
    var firstReplyOnTime: Bool?
    var reopened: Int = 0

    init(
        id: Int64,
        category: String,
        text: String,
        photos: [String],
        anonymous: Bool,
        submitter: UserID,
        record: WorkflowRecord
    ) {
        self.id = id
        self.category = category
        self.text = text
        self.photos = photos
        self.anonymous = anonymous
        self.submitter = submitter
        self.record = record
    }

    var isOpen: Bool { !Workflow.suggestion.terminal.contains(record.state) }

    /// The stored form: everything, the submitter included (the store is not a viewer).
    var doc: CommunityDoc {
        var fields: JSONObject = [
            "category": .string(category), "text": .string(text), "photos": .array(photos.map { .string($0) }),
            "anonymous": .bool(anonymous), "submitter": .string(submitter), "state": .string(record.state),
            "version": .int(record.version), "createdAt": .int(record.createdAt), "updatedAt": .int(record.updatedAt),
            "reopened": .int(Int64(reopened)), "history": .array(record.history.map(Self.stepJSON)),
        ]
        if let department { fields["department"] = .string(department) }
        if let dueAt = record.dueAt { fields["dueAt"] = .int(dueAt) }
        if let rating { fields["rating"] = .string(rating) }
        if let escalatedAt { fields["escalatedAt"] = .int(escalatedAt) }
        if let firstReplyAt { fields["firstReplyAt"] = .int(firstReplyAt) }
        if let firstReplyOnTime { fields["firstReplyOnTime"] = .bool(firstReplyOnTime) }
        return CommunityDoc(kind: "suggestion", id: String(id), body: JSONValue.object(fields).encoded())
    }

    static func stepJSON(_ step: WorkflowStep) -> JSONValue {
        var fields: JSONObject = [
            "seq": .int(Int64(step.seq)), "at": .int(step.at), "actor": step.actor.map { .string($0) } ?? .null,
            "party": .string(step.party.rawValue), "action": .string(step.action), "from": .string(step.from),
            "to": .string(step.to), "attachments": .array(step.attachments.map { .string($0) }),
        ]
        fields["comment"] = step.comment.map { .string($0) } ?? .null
        return .object(fields)
    }

    static func restore(_ doc: CommunityDoc) -> Suggestion? {
        guard let id = Int64(doc.id), let value = try? JSONParser.parse(doc.body),
            let submitter = value["submitter"]?.stringValue
        else { return nil }
        let record = WorkflowRecord.restore(Workflow.suggestion, applicant: submitter, from: value)
        let suggestion = Suggestion(
            id: id,
            category: value["category"]?.stringValue ?? "other",
            text: value["text"]?.stringValue ?? "",
            photos: (value["photos"]?.arrayValue ?? []).compactMap(\.stringValue),
            anonymous: value["anonymous"]?.boolValue ?? false,
            submitter: submitter,
            record: record
        )
        suggestion.department = value["department"]?.stringValue
        suggestion.rating = value["rating"]?.stringValue
        suggestion.escalatedAt = value["escalatedAt"]?.int64Value
        suggestion.firstReplyAt = value["firstReplyAt"]?.int64Value
        suggestion.firstReplyOnTime = value["firstReplyOnTime"]?.boolValue
        suggestion.reopened = value["reopened"]?.intValue ?? 0
        return suggestion
    }

    /// The item as a viewer with `parties` sees it: an anonymous item's submitter, and the actor of the submitter's
    /// own steps, are null for everyone but the submitter.
    func view(for parties: Set<Party>, departmentName: String?, now: Int64, actions: [String]) -> JSONValue {
        let hidden = anonymous && !parties.contains(.applicant)
        var fields: JSONObject = [
            "id": .int(id), "category": .string(category), "text": .string(text),
            "photos": .array(photos.map { .string($0) }), "anonymous": .bool(anonymous),
            "submitter": hidden ? .null : .string(submitter),
            "department": department.map { .string($0) } ?? .null,
            "departmentName": departmentName.map { .string($0) } ?? .null,
            "state": .string(record.state), "dueAt": record.dueAt.map { .int($0) } ?? .null,
            "overdue": .bool(isOpen && record.isOverdue(at: now)), "escalated": .bool(escalatedAt != nil),
            "rating": rating.map { .string($0) } ?? .null, "version": .int(record.version),
            "createdAt": .int(record.createdAt), "updatedAt": .int(record.updatedAt),
            "actions": .array(actions.map { .string($0) }),
        ]
        fields["history"] = .array(
            record.history.map { step in
                var json = Self.stepJSON(step)
                if hidden, step.party == .applicant, case .object(var object) = json {
                    object["actor"] = .null
                    json = .object(object)
                }
                return json
            }
        )
        return .object(fields)
    }
}
