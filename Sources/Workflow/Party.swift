/// Who acts on a request, relative to that request: its applicant, the staff who handle it, the system's own jobs.
/// The service that owns a request decides which parties a user is (a venue's managers are its handlers, a
/// student's counselors handle their housing registration); the workflow only checks that the party may act.
public struct Party: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The person who made the request (a student, usually).
    public static let applicant = Party(rawValue: "applicant")
    /// Staff responsible for it: venue or item manager, counselor, the handling department.
    public static let handler = Party(rawValue: "handler")
    /// Central dispatch (接诉即办): routes and reassigns suggestions.
    public static let dispatcher = Party(rawValue: "dispatcher")
    /// The handling department's supervisor, who gets overdue items.
    public static let supervisor = Party(rawValue: "supervisor")
    /// A school admin.
    public static let admin = Party(rawValue: "admin")
    /// The server itself: automatic approval, deadlines, expiry.
    public static let system = Party(rawValue: "system")

    public var description: String { rawValue }

    public static func < (a: Party, b: Party) -> Bool { a.rawValue < b.rawValue }
}
