/// Collects problems up to ``DirectoryImportLimits/maxProblems``; past that it only notes that there were
/// more, and decoders stop at their next check of ``isFull``.
final class ProblemCollector {
    private let limit: Int
    private(set) var problems: [DirectoryImportError.Problem] = []
    private(set) var overflowed = false

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Whether no problem was reported.
    var isEmpty: Bool { problems.isEmpty }

    /// Whether looking for more problems is pointless, because one more than the limit has been found.
    var isFull: Bool { overflowed }

    /// Records a problem about `field` at `position`; `text` is the sentence after the place, e.g.
    /// "role 'studnet' is not one of student, counselor, teacher, staff, admin."
    func report(_ code: String, at position: SourcePosition, field: String? = nil, _ text: String) {
        guard problems.count < limit else {
            overflowed = true
            return
        }
        let prefix = position.messagePrefix(field: field)
        problems.append(
            DirectoryImportError.Problem(
                code: code,
                message: Self.sentence(prefix.isEmpty ? text : prefix + ": " + text, at: position),
                location: position.location(field: field),
                fileName: position.fileName,
                line: position.line,
                field: field
            )
        )
    }

    /// The error to throw, or `nil` if nothing was reported.
    func error() -> DirectoryImportError? {
        problems.isEmpty ? nil : DirectoryImportError(problems, hasMoreProblems: overflowed)
    }

    // Without a file name a message starts with the text or "line 5", which get a capital; file names and JSON
    // paths such as "users[3]" stay as they are.
    private static func sentence(_ text: String, at position: SourcePosition) -> String {
        guard position.fileName.isEmpty, position.path == nil else { return text }
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return text }
        return text.prefix(1).uppercased() + String(text.dropFirst())
    }
}
