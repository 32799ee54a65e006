/// The three kinds of CSV file, each recognised by its header row.
enum CSVFileKind: CaseIterable, Sendable {
    /// `id,name,roles[,class][,org_unit][,active]`
    case users
    /// `id,kind,name[,parent][,counselors]`
    case orgUnits
    /// `course_id,course_name,user_id,role`, one row per person in a course.
    case courses

    /// Every column the kind allows, in the documented order.
    var columns: [String] {
        switch self {
        case .users: ["id", "name", "roles", "class", "org_unit", "active"]
        case .orgUnits: ["id", "kind", "name", "parent", "counselors"]
        case .courses: ["course_id", "course_name", "user_id", "role"]
        }
    }

    /// The columns every file of this kind must have.
    var requiredColumns: [String] {
        switch self {
        case .users: ["id", "name", "roles"]
        case .orgUnits: ["id", "kind", "name"]
        case .courses: ["course_id", "course_name", "user_id", "role"]
        }
    }

    /// How messages name files of this kind.
    var displayName: String {
        switch self {
        case .users: "users"
        case .orgUnits: "org units"
        case .courses: "course rosters"
        }
    }

    /// The header as documented, optional columns in brackets: `id,name,roles[,class][,org_unit][,active]`.
    var headerSynopsis: String {
        var text = ""
        for column in columns {
            let separated = text.isEmpty ? column : "," + column
            text += requiredColumns.contains(column) ? separated : "[" + separated + "]"
        }
        return text
    }

    /// The kind whose columns the header matches best, or `nil` if no kind matches clearly (fewer than two
    /// known columns, or a tie). Unknown and missing columns are reported later, against the chosen kind, so
    /// one typo in a header still gets a precise message.
    static func recognise(_ columns: [String]) -> CSVFileKind? {
        var best: CSVFileKind?
        var bestScore = 0
        var tied = false
        for kind in allCases {
            let score = columns.filter { kind.columns.contains($0) }.count
            if score > bestScore {
                (best, bestScore, tied) = (kind, score, false)
            } else if score == bestScore {
                tied = true
            }
        }
        return bestScore >= 2 && !tied ? best : nil
    }

    /// A header cell as compared with the column names: surrounding spaces removed, ASCII lowercased.
    static func normalised(_ cell: String) -> String {
        FieldRules.trimmed(cell).lowercased()
    }

    /// The known column closest to `column`, if it looks like a typo of one.
    func suggestion(for column: String) -> String? {
        Suggestion.closest(to: column, among: columns)
    }
}
