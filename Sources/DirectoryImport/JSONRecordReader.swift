import JSON

/// Reads the members of one JSON record (an element of `users`, `orgUnits` or `courses`), reporting each
/// problem at its path, e.g. `users[3].roles[1]`, and remembering whether the record had any.
///
/// As with ``JSON/JSONFields``, a member whose value is `null` counts as absent.
struct JSONRecordReader {
    let object: JSONObject
    let position: SourcePosition
    private let limits: DirectoryImportLimits
    private let problems: ProblemCollector
    /// False once any problem has been reported for this record.
    private(set) var isComplete = true

    /// A reader for `value`, or `nil` after reporting that it is not an object.
    init?(_ value: JSONValue, at position: SourcePosition, limits: DirectoryImportLimits, problems: ProblemCollector) {
        guard case .object(let object) = value else {
            problems.report(
                DirectoryImportError.Code.invalidValue,
                at: position,
                "must be an object, but it is \(value.kindDescription)."
            )
            return nil
        }
        self.object = object
        self.position = position
        self.limits = limits
        self.problems = problems
    }

    /// Reports every member not in `known`, with a hint when it looks like a misspelt known one.
    mutating func rejectUnknownMembers(_ known: [String]) {
        for (key, _) in object.pairs where !known.contains(key) {
            report(
                MessageText.pathComponent(key),
                FieldIssue(
                    DirectoryImportError.Code.unknownField,
                    "unknown field \(MessageText.quoted(key)); the fields are \(known.joined(separator: ", "))."
                        + Suggestion.hint(for: key, among: known)
                )
            )
        }
    }

    /// A required id.
    mutating func id(_ key: String, label: String) -> String? {
        guard let text = string(key, required: true, idHint: true) else { return nil }
        return check(key, FieldRules.id(text, label: label, maxBytes: limits.maxIDBytes))
    }

    /// An optional id; absent or `null` is `nil`.
    mutating func optionalID(_ key: String, label: String) -> String? {
        guard let text = string(key, required: false, idHint: true) else { return nil }
        return check(key, FieldRules.id(text, label: label, maxBytes: limits.maxIDBytes))
    }

    /// A required name, trimmed.
    mutating func name(_ key: String) -> String? {
        guard let text = string(key, required: true, idHint: false) else { return nil }
        return check(key, FieldRules.name(text, label: key, maxBytes: limits.maxNameBytes))
    }

    /// A required string checked by `rule`, for enumerations such as `kind`.
    mutating func value<Value>(_ key: String, _ rule: (String) -> Result<Value, FieldIssue>) -> Value? {
        guard let text = string(key, required: true, idHint: false) else { return nil }
        return check(key, rule(text))
    }

    /// The elements of an array of strings, each checked by `rule` and reported at `key[index]`, with the
    /// index of each valid one. `nil` when the member is absent (reported if `required`) or not an array.
    mutating func array<Value>(
        _ key: String,
        required: Bool,
        _ rule: (String) -> Result<Value, FieldIssue>
    ) -> [(index: Int, value: Value)]? {
        guard let member = member(key, required: required) else { return nil }
        guard case .array(let elements) = member else {
            report(key, typeIssue(key, expected: "an array of strings", found: member, idHint: false))
            return nil
        }
        var values: [(index: Int, value: Value)] = []
        for (index, element) in elements.enumerated() {
            let field = key + "[\(index)]"
            guard case .string(let text) = element else {
                report(field, typeIssue(field, expected: "a string", found: element, idHint: true))
                continue
            }
            if let value = check(field, rule(text)) { values.append((index, value)) }
        }
        return values
    }

    /// An optional boolean.
    mutating func optionalBool(_ key: String) -> Bool? {
        guard let member = member(key, required: false) else { return nil }
        guard case .bool(let flag) = member else {
            report(key, typeIssue(key, expected: "true or false", found: member, idHint: false))
            return nil
        }
        return flag
    }

    /// Reports `issue` about `field` (a member name, or `name[index]`) and marks the record incomplete.
    mutating func report(_ field: String, _ issue: FieldIssue) {
        isComplete = false
        problems.report(issue.code, at: position, field: field, issue.text)
    }

    private mutating func string(_ key: String, required: Bool, idHint: Bool) -> String? {
        guard let member = member(key, required: required) else { return nil }
        guard case .string(let text) = member else {
            report(key, typeIssue(key, expected: "a string", found: member, idHint: idHint))
            return nil
        }
        guard text.utf8.count <= limits.maxFieldBytes else {
            report(key, FieldRules.tooLong(key, text, length: text.utf8.count, maxBytes: limits.maxFieldBytes))
            return nil
        }
        return text
    }

    private mutating func member(_ key: String, required: Bool) -> JSONValue? {
        if let value = object[key], !value.isNull { return value }
        if required {
            report(key, FieldIssue(DirectoryImportError.Code.missingField, "\(key) is required."))
        }
        return nil
    }

    private mutating func check<Value>(_ field: String, _ result: Result<Value, FieldIssue>) -> Value? {
        switch result {
        case .success(let value):
            return value
        case .failure(let issue):
            report(field, issue)
            return nil
        }
    }

    private func typeIssue(_ field: String, expected: String, found: JSONValue, idHint: Bool) -> FieldIssue {
        var text = "\(field) must be \(expected), but it is \(found.kindDescription)"
        // Registrar exports often write student numbers as numbers, which loses leading zeros.
        if idHint, case .int(let number) = found {
            text += "; write ids in quotes, e.g. \"\(number)\""
        }
        return FieldIssue(DirectoryImportError.Code.invalidValue, text + ".")
    }
}
