import Hub

/// What is wrong with one value: a ``DirectoryImportError/Code`` and the sentence for the message.
struct FieldIssue: Error, Equatable {
    var code: String
    var text: String

    init(_ code: String, _ text: String) {
        self.code = code
        self.text = text
    }
}

/// The value rules shared by the JSON and CSV decoders, so that both formats accept and reject the same values
/// with the same words.
enum FieldRules {
    /// `value` checked as an id (user, org unit, course): not empty, within `maxBytes`, no spaces at either end
    /// (ids are keys, and `'T1001 '` would silently name a different person), no control or invisible characters.
    /// `label` names the value in the message, e.g. `"class"`.
    static func id(_ value: String, label: String, maxBytes: Int) -> Result<String, FieldIssue> {
        if value.isEmpty {
            return .failure(FieldIssue(DirectoryImportError.Code.missingField, "\(label) is empty."))
        }
        let length = value.utf8.count
        if length > maxBytes {
            return .failure(tooLong(label, value, length: length, maxBytes: maxBytes))
        }
        // Almost every id is printable ASCII (student and staff numbers), which none of the checks below reject;
        // Unicode property lookups are slow enough to dominate a large import.
        if isPrintableASCII(value) { return .success(value) }
        if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        {
            return .failure(
                FieldIssue(
                    DirectoryImportError.Code.invalidValue,
                    "\(label) \(MessageText.quoted(value)) has spaces at the start or end."
                )
            )
        }
        if let hidden = value.unicodeScalars.first(where: MessageText.isInvisible) {
            return .failure(
                FieldIssue(
                    DirectoryImportError.Code.invalidValue,
                    "\(label) \(MessageText.quoted(value)) contains the invisible character "
                        + "\(MessageText.visible(hidden)); retype it."
                )
            )
        }
        return .success(value)
    }

    /// `value` checked as a name and returned without surrounding spaces: not empty, within `maxBytes`, no
    /// control characters (a line break in a name would break every list that shows it).
    static func name(_ value: String, label: String, maxBytes: Int) -> Result<String, FieldIssue> {
        let name = trimmed(value)
        if name.isEmpty {
            return .failure(FieldIssue(DirectoryImportError.Code.missingField, "\(label) is empty."))
        }
        let length = name.utf8.count
        if length > maxBytes {
            return .failure(tooLong(label, name, length: length, maxBytes: maxBytes))
        }
        if let control = name.unicodeScalars.first(where: MessageText.isControl) {
            return .failure(
                FieldIssue(
                    DirectoryImportError.Code.invalidValue,
                    "\(label) \(MessageText.quoted(name)) contains the control character "
                        + "\(MessageText.visible(control))."
                )
            )
        }
        return .success(name)
    }

    /// A role. CSV files, typed by people, may use any letter case and the Chinese names (学生, 辅导员, 教师 or
    /// 老师, 职工 or 教职工, 管理员); JSON, written by programs, must use the exact English names.
    static func role(_ value: String, lenient: Bool) -> Result<SchoolRole, FieldIssue> {
        if let role = SchoolRole(rawValue: value) { return .success(role) }
        if lenient {
            switch trimmed(value).lowercased() {
            case "student", "学生": return .success(.student)
            case "counselor", "counsellor", "辅导员": return .success(.counselor)
            case "teacher", "教师", "老师": return .success(.teacher)
            case "staff", "职工", "教职工", "工作人员": return .success(.staff)
            case "admin", "管理员": return .success(.admin)
            default: break
            }
        }
        return .failure(notOneOf("role", value, SchoolRole.allCases.map(\.rawValue)))
    }

    /// An org unit kind, with the same leniency as ``role(_:lenient:)`` for CSV (学校, 学院, 专业, 班级, 部门).
    static func kind(_ value: String, lenient: Bool) -> Result<OrgUnitKind, FieldIssue> {
        if let kind = OrgUnitKind(rawValue: value) { return .success(kind) }
        if lenient {
            switch trimmed(value).lowercased() {
            case "school", "学校": return .success(.school)
            case "college", "学院": return .success(.college)
            case "major", "专业": return .success(.major)
            case "class", "班级", "班": return .success(.class)
            case "department", "部门": return .success(.department)
            default: break
            }
        }
        return .failure(notOneOf("kind", value, OrgUnitKind.allCases.map(\.rawValue)))
    }

    /// A course roster role from the CSV `role` column: `teacher` (教师, 老师) or `student` (学生), any case.
    static func rosterRole(_ value: String) -> Result<SchoolRole, FieldIssue> {
        switch trimmed(value).lowercased() {
        case "teacher", "教师", "老师": .success(.teacher)
        case "student", "学生": .success(.student)
        default: .failure(notOneOf("role", value, ["teacher", "student"]))
        }
    }

    /// The CSV `active` column: `true`/`false`/`1`/`0`/`是`/`否` in any case; empty means active.
    static func active(_ value: String) -> Result<Bool, FieldIssue> {
        switch trimmed(value).lowercased() {
        case "", "true", "1", "是": .success(true)
        case "false", "0", "否": .success(false)
        default:
            .failure(
                FieldIssue(
                    DirectoryImportError.Code.invalidValue,
                    "active \(MessageText.quoted(value)) is not one of true, false, 1, 0, 是, 否 (empty means true)."
                )
            )
        }
    }

    /// The items of a CSV list cell (`counselor;teacher`, `T1|T2`): separated by `;`, `|` or the full-width
    /// `；` that Chinese input methods type, each trimmed, empty items dropped (so a trailing `;` is harmless).
    static func listItems(_ cell: String) -> [String] {
        // Most cells hold a single item ("student"); skip the splitting machinery for them.
        if !cell.utf8.contains(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "|") || $0 >= 0x80 }) {
            let item = trimmed(cell)
            return item.isEmpty ? [] : [item]
        }
        return cell.split(whereSeparator: { $0 == ";" || $0 == "|" || $0 == "；" })
            .map { trimmed(String($0)) }
            .filter { !$0.isEmpty }
    }

    /// `value` without whitespace at either end, including the ideographic space U+3000 and no-break spaces.
    static func trimmed(_ value: String) -> String {
        if let first = value.utf8.first, let last = value.utf8.last, isVisibleASCII(first), isVisibleASCII(last) {
            return value
        }
        let scalars = value.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex { return value }
        return String(scalars[start...end])
    }

    /// Whether every byte of `value` is printable ASCII other than the space.
    private static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy(isVisibleASCII)
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    /// A too-long issue for strings other than ids and names, e.g. a counselor list cell.
    static func tooLong(_ label: String, _ value: String, length: Int, maxBytes: Int) -> FieldIssue {
        FieldIssue(
            DirectoryImportError.Code.tooLong,
            "\(label) \(MessageText.quoted(value)) is \(length) bytes long; at most \(maxBytes) are allowed."
        )
    }

    private static func notOneOf(_ label: String, _ value: String, _ allowed: [String]) -> FieldIssue {
        if value.isEmpty {
            return FieldIssue(DirectoryImportError.Code.missingField, "\(label) is empty.")
        }
        return FieldIssue(
            DirectoryImportError.Code.invalidValue,
            "\(label) \(MessageText.quoted(value)) is not one of \(allowed.joined(separator: ", "))."
        )
    }
}
