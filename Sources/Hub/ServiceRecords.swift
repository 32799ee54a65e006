import JSON

/// An uploaded file: content-addressed bytes on disk (by sha256) plus who uploaded it under which name.
public struct ObjectRecord: Sendable, Equatable {
    /// Random, unguessable id (the download URL's last segment).
    public var id: String
    /// Lowercase hex SHA-256 of the content; identical uploads share one file on disk.
    public var sha256: String
    public var size: Int64
    /// Detected from the content, not trusted from the client.
    public var mime: String
    /// The display name as given by the uploader (never used as a path).
    public var name: String
    public var owner: UserID
    public var createdAt: Timestamp

    public init(
        id: String,
        sha256: String,
        size: Int64,
        mime: String,
        name: String,
        owner: UserID,
        createdAt: Timestamp
    ) {
        self.id = id
        self.sha256 = sha256
        self.size = size
        self.mime = mime
        self.name = name
        self.owner = owner
        self.createdAt = createdAt
    }
}

/// What kind of document a `ServiceRecord` holds.
public enum RecordKind: String, Sendable, CaseIterable {
    /// A card (notice, questionnaire, vote, check-in); entries are responses.
    case card
    /// A class task; entries are members' statuses.
    case task
    /// A file in a group's library; no entries.
    case groupFile = "group_file"
}

/// A group-service document (card, task, library file), stored as canonical JSON. The hub owns its schema; the
/// store only keeps it, indexed by kind, id and group.
public struct ServiceRecord: Sendable, Equatable {
    /// When it stopped accepting anything: closed, or past the card's or task's deadline. nil while open.
    public var endedAt: Timestamp? {
        if let closedAt { return closedAt }
        guard let body = try? JSONParser.parse(self.body) else { return nil }
        switch kind {
        case .task: return body["deadline"]?.int64Value
        case .card:
            let definition = body["definition"]
            return definition?["lateUntil"]?.int64Value ?? definition?["endsAt"]?.int64Value
                ?? definition?["deadline"]?.int64Value
        case .groupFile: return nil
        }
    }

    public var kind: RecordKind
    public var id: Int64
    public var group: GroupID
    public var body: [UInt8]
    public var createdAt: Timestamp
    /// When it stopped accepting entries (card closed, task archived, file deleted); nil while open.
    public var closedAt: Timestamp?

    public init(
        kind: RecordKind,
        id: Int64,
        group: GroupID,
        body: [UInt8],
        createdAt: Timestamp,
        closedAt: Timestamp? = nil
    ) {
        self.kind = kind
        self.id = id
        self.group = group
        self.body = body
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}

/// One member's entry in a record: a card response, a task status.
public struct RecordEntry: Sendable, Equatable {
    public var kind: RecordKind
    public var record: Int64
    public var user: UserID
    public var body: [UInt8]
    public var updatedAt: Timestamp

    public init(kind: RecordKind, record: Int64, user: UserID, body: [UInt8], updatedAt: Timestamp) {
        self.kind = kind
        self.record = record
        self.user = user
        self.body = body
        self.updatedAt = updatedAt
    }
}

/// Work the hub must do at a time (an automatic task reminder). Deleted in the same transaction as the work's
/// writes, so a job runs exactly once even across crashes and restarts.
public struct JobRecord: Sendable, Equatable {
    public var id: Int64
    public var dueAt: Timestamp
    public var kind: String
    public var body: [UInt8]

    public init(id: Int64, dueAt: Timestamp, kind: String, body: [UInt8]) {
        self.id = id
        self.dueAt = dueAt
        self.kind = kind
        self.body = body
    }
}
