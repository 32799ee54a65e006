import Hub
import JSON

/// Decodes a JSON directory document into a draft:
///
/// ```json
/// {"orgUnits": [{"id": "se2301", "kind": "class", "name": "软件2301班", "parent": "cs-se", "counselors": ["T1001"]}],
///  "users": [{"id": "2023010101", "name": "张三", "roles": ["student"], "class": "se2301"}],
///  "courses": [{"id": "CS101-2026A", "name": "数据结构", "teachers": ["T2001"], "students": ["2023010101"]}]}
/// ```
///
/// Every section is optional. Unknown members are errors, so that a typo (`"clas"`) cannot pass silently.
/// `active` defaults to true; a course must list both `teachers` and `students` (possibly empty), because the
/// imported roster replaces the current one.
struct DirectoryJSONDecoder {
    private static let sections = ["orgUnits", "users", "courses"]
    private static let orgUnitFields = ["id", "kind", "name", "parent", "counselors"]
    private static let userFields = ["id", "name", "roles", "class", "orgUnit", "active"]
    private static let courseFields = ["id", "name", "teachers", "students"]

    private let fileName: String
    private let limits: DirectoryImportLimits
    private let problems: ProblemCollector

    /// Decodes `bytes`, which must be valid UTF-8, reporting problems to `problems`.
    static func decode(
        _ bytes: [UInt8],
        fileName: String,
        limits: DirectoryImportLimits,
        problems: ProblemCollector
    ) -> DirectoryDraft {
        let decoder = DirectoryJSONDecoder(fileName: fileName, limits: limits, problems: problems)
        guard let document = decoder.parse(bytes) else { return DirectoryDraft() }
        return decoder.decode(document)
    }

    private func parse(_ bytes: [UInt8]) -> JSONObject? {
        // The JSON parser rightly rejects a byte order mark, but Windows Notepad writes one; skip it here.
        let start = ByteOrderMark.length(in: bytes)
        let jsonLimits = JSONLimits(
            maxDepth: 16,
            maxInputBytes: max(limits.maxBytes, bytes.count),
            maxStringBytes: max(65_536, limits.maxFieldBytes, limits.maxNameBytes, limits.maxIDBytes),
            maxElements: max(64, limits.maxRecords)
        )
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes[start...], limits: jsonLimits)
        } catch {
            JSONSyntaxMessages.report(error, in: bytes, offsetBy: start, fileName: fileName, limits: limits, problems)
            return nil
        }
        guard case .object(let document) = value else {
            problems.report(
                DirectoryImportError.Code.invalidJSON,
                at: .file(fileName, format: .json),
                "the document must be an object with orgUnits, users and/or courses arrays, but it is "
                    + "\(value.kindDescription)."
            )
            return nil
        }
        return document
    }

    private func decode(_ document: JSONObject) -> DirectoryDraft {
        var draft = DirectoryDraft()
        var arrays: [String: [JSONValue]] = [:]
        for (key, value) in document.pairs {
            let position = SourcePosition.path(MessageText.pathComponent(key), in: fileName)
            guard Self.sections.contains(key) else {
                problems.report(
                    DirectoryImportError.Code.unknownField,
                    at: position,
                    "unknown section \(MessageText.quoted(key)); the sections are orgUnits, users and courses."
                        + Suggestion.hint(for: key, among: Self.sections)
                )
                continue
            }
            switch value {
            case .null: continue
            case .array(let elements): arrays[key] = elements
            default:
                problems.report(
                    DirectoryImportError.Code.invalidValue,
                    at: position,
                    "\(key) must be an array of objects, but it is \(value.kindDescription)."
                )
            }
        }
        guard recordCount(arrays) <= limits.maxRecords else {
            problems.report(
                DirectoryImportError.Code.tooLarge,
                at: .file(fileName, format: .json),
                "the document has more than \(limits.maxRecords) records (org units, users, courses and course "
                    + "roster entries); split it into several files."
            )
            return draft
        }
        for (index, element) in (arrays["orgUnits"] ?? []).enumerated() where !problems.isFull {
            decodeOrgUnit(element, at: .path("orgUnits[\(index)]", in: fileName), into: &draft)
        }
        for (index, element) in (arrays["users"] ?? []).enumerated() where !problems.isFull {
            decodeUser(element, at: .path("users[\(index)]", in: fileName), into: &draft)
        }
        for (index, element) in (arrays["courses"] ?? []).enumerated() where !problems.isFull {
            decodeCourse(element, at: .path("courses[\(index)]", in: fileName), into: &draft)
        }
        return draft
    }

    private func recordCount(_ arrays: [String: [JSONValue]]) -> Int {
        var count = arrays.values.reduce(0) { $0 + $1.count }
        for course in arrays["courses"] ?? [] {
            count += course["teachers"]?.arrayValue?.count ?? 0
            count += course["students"]?.arrayValue?.count ?? 0
        }
        return count
    }

    private func decodeOrgUnit(_ value: JSONValue, at position: SourcePosition, into draft: inout DirectoryDraft) {
        guard var reader = JSONRecordReader(value, at: position, limits: limits, problems: problems) else { return }
        let id = reader.id("id", label: "id")
        let kind = reader.value("kind") { FieldRules.kind($0, lenient: false) }
        let name = reader.name("name")
        let parentID = reader.optionalID("parent", label: "parent")
        let counselors = reader.array("counselors", required: false, idRule("counselor")) ?? []
        reader.rejectUnknownMembers(Self.orgUnitFields)
        guard let id else { return }
        var record: OrgUnitRecord?
        if reader.isComplete, let kind, let name {
            record = OrgUnitRecord(
                id: id,
                kind: kind,
                name: name,
                parentID: parentID,
                counselors: counselors.map(\.value)
            )
        }
        draft.orgUnits.append(DirectoryDraft.Entry(id: id, record: record, position: position))
    }

    private func decodeUser(_ value: JSONValue, at position: SourcePosition, into draft: inout DirectoryDraft) {
        guard var reader = JSONRecordReader(value, at: position, limits: limits, problems: problems) else { return }
        let id = reader.id("id", label: "id")
        let name = reader.name("name")
        let roles = reader.array("roles", required: true) { FieldRules.role($0, lenient: false) }
        if reader.object["roles"]?.arrayValue?.isEmpty == true {
            reader.report(
                "roles",
                FieldIssue(
                    DirectoryImportError.Code.missingField,
                    "roles is empty; give at least one of student, counselor, teacher, staff, admin."
                )
            )
        }
        let classID = reader.optionalID("class", label: "class")
        let orgUnitID = reader.optionalID("orgUnit", label: "orgUnit")
        let active = reader.optionalBool("active") ?? true
        reader.rejectUnknownMembers(Self.userFields)
        guard let id else { return }
        var record: UserRecord?
        if reader.isComplete, let name, let roles {
            record = UserRecord(
                id: id,
                name: name,
                roles: roles.map(\.value),
                classID: classID,
                orgUnitID: orgUnitID,
                active: active
            )
        }
        draft.users.append(DirectoryDraft.Entry(id: id, record: record, position: position))
    }

    private func decodeCourse(_ value: JSONValue, at position: SourcePosition, into draft: inout DirectoryDraft) {
        guard var reader = JSONRecordReader(value, at: position, limits: limits, problems: problems) else { return }
        let id = reader.id("id", label: "id")
        let name = reader.name("name")
        let teachers = reader.array("teachers", required: true, idRule("teacher"))
        let students = reader.array("students", required: true, idRule("student"))
        var memberPositions: [UserID: SourcePosition] = [:]
        for teacher in teachers ?? [] where memberPositions[teacher.value] == nil {
            memberPositions[teacher.value] = position.appending("teachers[\(teacher.index)]")
        }
        let teacherIDs = Set(memberPositions.keys)
        for student in students ?? [] {
            let field = "students[\(student.index)]"
            if teacherIDs.contains(student.value), let teacherPosition = memberPositions[student.value] {
                reader.report(
                    field,
                    FieldIssue(
                        DirectoryImportError.Code.invalidValue,
                        "user \(MessageText.quoted(student.value)) is also listed in "
                            + "\(teacherPosition.reference(from: position)); a person is either a teacher or a "
                            + "student of a course."
                    )
                )
            } else if memberPositions[student.value] == nil {
                memberPositions[student.value] = position.appending(field)
            }
        }
        reader.rejectUnknownMembers(Self.courseFields)
        guard let id else { return }
        var record: CourseRecord?
        if reader.isComplete, let name, let teachers, let students {
            record = CourseRecord(
                id: id,
                name: name,
                teachers: teachers.map(\.value),
                students: students.map(\.value)
            )
        }
        draft.courses.append(
            DirectoryDraft.Entry(id: id, record: record, position: position, memberPositions: memberPositions)
        )
    }

    private func idRule(_ label: String) -> (String) -> Result<String, FieldIssue> {
        let maxBytes = limits.maxIDBytes
        return { FieldRules.id($0, label: label, maxBytes: maxBytes) }
    }
}
