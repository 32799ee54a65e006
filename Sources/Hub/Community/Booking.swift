import JSON
import Workflow

/// A booking of a venue for a slot (社区场地预约): purpose, attendees, contact. Pending and approved bookings hold
/// their slot; the store refuses two held slots of one venue that overlap.
final class Booking {
    let id: Int64
    let venue: String
    let start: Int64
    let end: Int64
    let purpose: String
    let attendees: Int64
    let contact: String
    let applicant: UserID
    var record: WorkflowRecord

    init(
        id: Int64,
        venue: String,
        start: Int64,
        end: Int64,
        purpose: String,
        attendees: Int64,
        contact: String,
        applicant: UserID,
        record: WorkflowRecord
    ) {
        self.id = id
        self.venue = venue
        self.start = start
        self.end = end
        self.purpose = purpose
        self.attendees = attendees
        self.contact = contact
        self.applicant = applicant
        self.record = record
    }

    var holdsSlot: Bool { record.state == "pending" || record.state == "approved" }

    func json(actions: [String]?) -> JSONValue {
        var fields: JSONObject = [
            "id": .int(id), "venue": .string(venue), "start": .int(start), "end": .int(end),
            "purpose": .string(purpose), "attendees": .int(attendees), "contact": .string(contact),
            "applicant": .string(applicant), "state": .string(record.state), "version": .int(record.version),
            "createdAt": .int(record.createdAt), "updatedAt": .int(record.updatedAt),
            "history": .array(record.history.map(Suggestion.stepJSON)),
        ]
        if let actions { fields["actions"] = .array(actions.map { .string($0) }) }
        return .object(fields)
    }

    var doc: CommunityDoc { CommunityDoc(kind: "booking", id: String(id), body: json(actions: nil).encoded()) }

    static func restore(_ doc: CommunityDoc) -> Booking? {
        guard let id = Int64(doc.id), let value = try? JSONParser.parse(doc.body),
            let applicant = value["applicant"]?.stringValue
        else { return nil }
        return Booking(
            id: id,
            venue: value["venue"]?.stringValue ?? "",
            start: value["start"]?.int64Value ?? 0,
            end: value["end"]?.int64Value ?? 0,
            purpose: value["purpose"]?.stringValue ?? "",
            attendees: value["attendees"]?.int64Value ?? 0,
            contact: value["contact"]?.stringValue ?? "",
            applicant: applicant,
            record: WorkflowRecord.restore(Workflow.booking, applicant: applicant, from: value)
        )
    }
}
