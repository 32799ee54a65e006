/// A community-services document, kept whole and loaded at start-up: a request (its service fields and workflow
/// history) or a service's settings. Keyed by (kind, id).
public struct CommunityDoc: Sendable, Equatable {
    /// `suggestion`, `suggestion.settings`, …
    public var kind: String
    public var id: String
    /// The hub's canonical JSON.
    public var body: [UInt8]

    public init(kind: String, id: String, body: [UInt8]) {
        self.kind = kind
        self.id = id
        self.body = body
    }
}
