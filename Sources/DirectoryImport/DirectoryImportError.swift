/// Why a directory file was rejected: every problem found, up to ``DirectoryImportLimits/maxProblems``, each
/// with the file, the place (line or JSON path), the field and what is wrong.
///
/// A school fixing a large export wants all problems at once, so parsing goes on after the first one; only
/// problems that make the rest of the file unreadable (not UTF-8, broken JSON, an unknown CSV header, an
/// unterminated quote) stop it early. ``message`` lists the problems one per line; ``problems`` has them
/// structured. ``code`` and ``location`` are those of the first problem.
public struct DirectoryImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable values of ``Problem/code``.
    public enum Code: Sendable {
        /// The file is not well-formed JSON, or its top level is not an object.
        public static let invalidJSON = "invalid_json"
        /// The CSV is malformed: an unterminated quote, a stray quote, or a row with the wrong number of fields.
        public static let invalidCSV = "invalid_csv"
        /// The bytes are not UTF-8 (typically GBK from Excel's plain "CSV" format).
        public static let notUTF8 = "not_utf8"
        /// The file is empty, or holds only whitespace.
        public static let emptyFile = "empty_file"
        /// The CSV header row matches no known file kind, or names an unknown or repeated column.
        public static let unknownHeader = "unknown_header"
        /// A JSON object has a member that the format does not define (often a typo).
        public static let unknownField = "unknown_field"
        /// A required field, column or value is absent or empty.
        public static let missingField = "missing_field"
        /// A value has the wrong type, is not one of the allowed values, or contradicts another row.
        public static let invalidValue = "invalid_value"
        /// A value is longer than its limit in ``DirectoryImportLimits``.
        public static let tooLong = "too_long"
        /// The file has more bytes or records than ``DirectoryImportLimits`` allows.
        public static let tooLarge = "too_large"
        /// Two records of the same section have the same id.
        public static let duplicateID = "duplicate_id"
        /// A reference resolves, inside the imported files, to a record that does not fit: a class whose parent
        /// is a class, a user whose `class` is a college, a counselor without the counselor role, a loop of
        /// parents.
        public static let invalidReference = "invalid_reference"
        /// A reference to a record that does not exist. The parser never reports it, because partial imports
        /// may reference records the server already has; it is reserved for the caller, which can check
        /// references against the server's directory and report them with the same type.
        public static let unknownReference = "unknown_reference"
    }

    /// One problem in one place.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// A stable identifier from ``DirectoryImportError/Code``, such as `"invalid_value"`.
        public var code: String
        /// A sentence naming the file, the place and what is wrong, e.g. "users.csv line 14, column roles:
        /// role 'studnet' is not one of student, counselor, teacher, staff, admin."
        public var message: String
        /// Where: a JSON path (`"users[3].roles"`), `"line 14"` for CSV and JSON syntax errors, or `nil` for
        /// problems with the whole file (too large, empty).
        public var location: String?
        /// The file name given to the parser, `""` if none.
        public var fileName: String
        /// The 1-based line, for CSV rows and JSON syntax errors. For CSV it is the line where the row starts.
        public var line: Int?
        /// The CSV column or JSON member concerned, if any, e.g. `"roles"`.
        public var field: String?

        /// Creates a problem.
        public init(
            code: String,
            message: String,
            location: String? = nil,
            fileName: String = "",
            line: Int? = nil,
            field: String? = nil
        ) {
            self.code = code
            self.message = message
            self.location = location
            self.fileName = fileName
            self.line = line
            self.field = field
        }

        /// The same text as ``message``.
        public var description: String { message }
    }

    /// The problems found, in the order they were found (file order within each file). Never empty.
    public private(set) var problems: [Problem]

    /// Whether more problems were found than ``problems`` holds; the import stopped looking at that point.
    public private(set) var hasMoreProblems: Bool

    /// Creates an error from at least one problem.
    public init(_ problems: [Problem], hasMoreProblems: Bool = false) {
        precondition(!problems.isEmpty, "a DirectoryImportError needs at least one problem")
        self.problems = problems
        self.hasMoreProblems = hasMoreProblems
    }

    /// Creates an error with one problem.
    public init(_ problem: Problem) {
        self.init([problem])
    }

    /// The code of the first problem.
    public var code: String { problems[0].code }

    /// The location of the first problem.
    public var location: String? { problems[0].location }

    /// The only problem's message, or a summary line followed by every problem's message, one per line.
    public var message: String {
        if problems.count == 1 && !hasMoreProblems {
            return problems[0].message
        }
        let fileNames = Set(problems.map(\.fileName))
        let subject = fileNames.count == 1 && !problems[0].fileName.isEmpty ? problems[0].fileName : "The import"
        var lines: [String] = []
        if hasMoreProblems {
            lines.append("\(subject) has more than \(problems.count) problems; the first \(problems.count) are:")
        } else {
            lines.append("\(subject) has \(problems.count) problems:")
        }
        lines += problems.map(\.message)
        if hasMoreProblems {
            lines.append("Fix these and import again to see the rest.")
        }
        return lines.joined(separator: "\n")
    }

    /// The same text as ``message``.
    public var description: String { message }
}
