/// Where a record or a problem is in the imported files, and how to name that place in messages.
struct SourcePosition: Sendable, Equatable {
    var fileName: String
    var format: DirectoryFormat
    /// 1-based; the starting line of a CSV row, or the line of a JSON syntax error.
    var line: Int?
    /// 1-based, in characters; JSON syntax errors only.
    var column: Int?
    /// The JSON path of a record, e.g. `users[3]`.
    var path: String?

    /// The whole file, for problems that have no better place.
    static func file(_ fileName: String, format: DirectoryFormat) -> SourcePosition {
        SourcePosition(fileName: fileName, format: format)
    }

    /// A CSV row, or a line of a JSON file.
    static func line(_ line: Int, in fileName: String, format: DirectoryFormat = .csv) -> SourcePosition {
        SourcePosition(fileName: fileName, format: format, line: line)
    }

    /// A record or value of a JSON document.
    static func path(_ path: String, in fileName: String) -> SourcePosition {
        SourcePosition(fileName: fileName, format: .json, path: path)
    }

    /// The same place, one level down in a JSON document (`users[3]` → `users[3].roles`); CSV rows stay as
    /// they are, since the column is given separately.
    func appending(_ component: String) -> SourcePosition {
        guard path != nil else { return self }
        var copy = self
        copy.path = location(field: component)
        return copy
    }

    /// The name of a field in this position's format: JSON and CSV spell a few of them differently
    /// (`orgUnit` and `org_unit`).
    func fieldName(json: String, csv: String) -> String {
        format == .json ? json : csv
    }

    /// The machine-readable location of `field` here: a JSON path, `"line N"`, or `nil` for the whole file.
    func location(field: String?) -> String? {
        if let path {
            guard let field else { return path.isEmpty ? nil : path }
            if path.isEmpty { return field }
            return field.hasPrefix("[") ? path + field : path + "." + field
        }
        guard let line else { return nil }
        if let column { return "line \(line), column \(column)" }
        return "line \(line)"
    }

    /// The start of a message about `field` here, without the colon: "users.csv line 14, column roles",
    /// "school.json users[3].roles".
    func messagePrefix(field: String?) -> String {
        var text = fileName
        var place = location(field: field) ?? ""
        if path == nil, line != nil, let field {
            place += ", column " + field
        }
        if !place.isEmpty {
            text += text.isEmpty ? place : " " + place
        }
        return text
    }

    /// How a message about `other` refers to this place: "line 5" or "users[2]" in the same file, with the
    /// file name in front when the files differ.
    func reference(from other: SourcePosition) -> String {
        let place = location(field: nil) ?? "the file"
        if other.fileName == fileName || fileName.isEmpty {
            return place
        }
        return fileName + " " + place
    }
}
