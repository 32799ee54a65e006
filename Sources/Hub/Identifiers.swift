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
