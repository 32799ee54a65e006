/// A person's stable id from the school's directory (student or staff number, 学号/工号).
public typealias UserID = String

/// A group's id, assigned by the server.
public struct GroupID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public static func < (a: GroupID, b: GroupID) -> Bool { a.rawValue < b.rawValue }

    public var description: String { String(rawValue) }
}

/// Milliseconds since 1970 (UTC): every timestamp on the wire and in the store.
public typealias Timestamp = Int64

/// Ids that admins choose and that appear in URL paths (news columns, venues, lendable items): 1 to 64 lowercase
/// letters, digits, '-' and '_'.
func isPathSegmentID(_ id: String) -> Bool {
    !id.isEmpty && id.utf8.count <= 64
        && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
}
