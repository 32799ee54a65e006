import JSON

/// Something school admins keep in a community catalog (a venue, a lendable item): created with an id, changed
/// with If-Match, managed by some staff.
protocol CatalogEntry: AnyObject {
    var id: String { get }
    var version: Int64 { get set }
    var managers: [UserID] { get }
    var json: JSONValue { get }
    var doc: CommunityDoc { get }
    init(id: String)
    func apply(_ fields: inout JSONFields, creating: Bool) throws(JSONFieldError)
    static func restore(_ doc: CommunityDoc) -> Self?
}

extension Venue: CatalogEntry {}
extension BorrowItem: CatalogEntry {}

extension Hub {
    /// `POST` (id nil) or `PATCH` of a catalog entry by a school admin: validated, checked by `check` (the entry
    /// and the one it replaces), written with `extraOps`.
    func saveCatalogEntry<Entry: CatalogEntry>(
        _ id: String?,
        _ body: JSONValue,
        ifMatch: Int64?,
        by user: UserRecord,
        in table: ReferenceWritableKeyPath<CommunityState, [String: Entry]>,
        noun: String,
        check: (Entry, Entry?) throws(HubError) -> Void = { _, _ in },
        extraOps: (Entry) -> [WriteOp] = { _ in [] },
        completion: @escaping (Result<RESTResponse, HubError>) -> Void
    ) throws(HubError) {
        guard user.roles.contains(.admin) else { throw .forbidden("school admins") }
        let previous = id.flatMap { community[keyPath: table][$0] }
        if let id, previous == nil { throw HubError(.requestNotFound, "\(noun) '\(id)' does not exist.") }
        let entry: Entry
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            if let previous {
                entry = Entry.restore(previous.doc)!
                try entry.apply(&fields, creating: false)
            } else {
                entry = Entry(id: try fields.string("id", maxBytes: 64, nonEmpty: true))
                try entry.apply(&fields, creating: true)
            }
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        if let previous {
            try requireVersion(ifMatch, previous.version)
            entry.version = previous.version + 1
        } else {
            guard isPathSegmentID(entry.id) else {
                throw .invalid("Field 'id' must be 1 to 64 lowercase letters, digits, '-' or '_' (it appears in URLs).")
            }
            guard community[keyPath: table][entry.id] == nil else {
                throw .invalid("\(noun) '\(entry.id)' exists already; change it with PATCH.")
            }
        }
        try check(entry, previous)
        try requireKnownUsers(Set(entry.managers))
        community[keyPath: table][entry.id] = entry
        let ops = [WriteOp.putCommunityDoc(entry.doc)] + extraOps(entry)
        write(ops, undo: [{ [self] in community[keyPath: table][entry.id] = previous }]) { result in
            guard case .success = result else { return completion(.failure(.storage)) }
            completion(.success(.json(entry.json.encoded(), created: previous == nil, version: entry.version)))
        }
    }
}
