import JSON
import Workflow

/// An off-campus housing registration (校外住宿登记): where a student lives off campus, why, for how long, whom to call,
/// and the guardian's consent. Visible to the student, their class counselors and school admins only.
final class HousingRegistration {
    static let reasons = ["family", "internship", "health", "study", "other"]

    let id: Int64
    let student: UserID
    var address: String
    var district: String
    var reason: String
    /// Local dates (`2026-12-25`), inclusive.
    var from: String
    var until: String
    var contactName: String
    var contactPhone: String
    /// The guardian's signed consent, an uploaded object.
    var consent: String
    var note: String
    var record: WorkflowRecord

    init(id: Int64, student: UserID, record: WorkflowRecord) {
        self.id = id
        self.student = student
        self.record = record
        address = ""
        district = ""
        reason = "other"
        from = ""
        until = ""
        contactName = ""
        contactPhone = ""
        consent = ""
        note = ""
    }

    /// The end of the period: local midnight after `until`.
    var endsAt: Int64 { ((Venue.day(ofDate: until) ?? 0) + 1) * 86_400_000 - Venue.utcOffset }

    /// Reads the registration's fields (all required on create; any of them on a resubmission or renewal).
    func apply(_ fields: inout JSONFields, creating: Bool) throws(JSONFieldError) {
        func text(_ key: String, _ max: Int) throws(JSONFieldError) -> String? {
            creating
                ? try fields.string(key, maxBytes: max, nonEmpty: true)
                : try fields.optionalString(key, maxBytes: max, nonEmpty: true)
        }
        if let value = try text("address", 500) { address = value }
        if let value = try text("district", 100) { district = value }
        if let value = try text("reason", 32) {
            guard Self.reasons.contains(value) else {
                throw JSONFieldError(
                    code: JSONFieldError.Code.outOfRange,
                    field: "reason",
                    message: "Field 'reason' must be one of \(Self.reasons.joined(separator: ", "))."
                )
            }
            reason = value
        }
        if let value = try text("from", 10) { from = value }
        if let value = try text("until", 10) { until = value }
        if creating || fields.contains("emergencyContact") {
            var contact = try fields.object("emergencyContact")
            contactName = try contact.string("name", maxBytes: 100, nonEmpty: true)
            contactPhone = try contact.string("phone", maxBytes: 32, nonEmpty: true)
            try contact.rejectUnknownFields()
        }
        if let value = try text("consent", 128) { consent = value }
        if let value = try fields.optionalString("note", maxBytes: 2000) { note = value }
        for (key, date) in [("from", from), ("until", until)] where Venue.day(ofDate: date) == nil {
            throw JSONFieldError(
                code: JSONFieldError.Code.outOfRange,
                field: key,
                message: "Field '\(key)' must be a date like 2026-12-25."
            )
        }
        guard until >= from else {
            throw JSONFieldError(
                code: JSONFieldError.Code.outOfRange,
                field: "until",
                message: "Field 'until' is before 'from'."
            )
        }
    }

    func json(actions: [String]?) -> JSONValue {
        var fields: JSONObject = [
            "id": .int(id), "student": .string(student), "address": .string(address), "district": .string(district),
            "reason": .string(reason), "from": .string(from), "until": .string(until),
            "emergencyContact": ["name": .string(contactName), "phone": .string(contactPhone)],
            "consent": .string(consent), "note": .string(note), "state": .string(record.state),
            "version": .int(record.version), "createdAt": .int(record.createdAt), "updatedAt": .int(record.updatedAt),
            "history": .array(record.history.map(Suggestion.stepJSON)),
        ]
        if let actions { fields["actions"] = .array(actions.map { .string($0) }) }
        return .object(fields)
    }

    var doc: CommunityDoc { CommunityDoc(kind: "housing", id: String(id), body: json(actions: nil).encoded()) }

    static func restore(_ doc: CommunityDoc) -> HousingRegistration? {
        guard let id = Int64(doc.id), let value = try? JSONParser.parse(doc.body),
            let student = value["student"]?.stringValue
        else { return nil }
        let registration = HousingRegistration(
            id: id,
            student: student,
            record: WorkflowRecord.restore(Workflow.housing, applicant: student, from: value)
        )
        registration.address = value["address"]?.stringValue ?? ""
        registration.district = value["district"]?.stringValue ?? ""
        registration.reason = value["reason"]?.stringValue ?? "other"
        registration.from = value["from"]?.stringValue ?? ""
        registration.until = value["until"]?.stringValue ?? ""
        registration.contactName = value["emergencyContact"]?["name"]?.stringValue ?? ""
        registration.contactPhone = value["emergencyContact"]?["phone"]?.stringValue ?? ""
        registration.consent = value["consent"]?.stringValue ?? ""
        registration.note = value["note"]?.stringValue ?? ""
        return registration
    }
}
