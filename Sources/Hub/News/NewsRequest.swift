import JSON

/// Who calls the news center over REST: a user of the directory, or a campus system with a service token.
public struct NewsCaller: Sendable, Equatable {
    public var id: String
    public var service: Bool
    /// The token's roles; they add to the directory's (a school admin's token may name a user the directory lacks).
    public var roles: Set<SchoolRole>

    public static func user(_ id: UserID, roles: Set<SchoolRole> = []) -> NewsCaller {
        NewsCaller(id: id, service: false, roles: roles)
    }

    public static func service(_ name: String) -> NewsCaller { NewsCaller(id: name, service: true, roles: []) }
}

/// One REST request to the news center, decoded from path and query by the gateway; bodies are validated here.
public enum NewsRequest: Sendable {
    case listColumns
    case column(String)
    case createColumn(JSONValue)
    case updateColumn(String, JSONValue, ifMatch: Int64?)
    case columnArticles(String, cursor: String?, limit: Int)
    case subscriptions
    case setSubscriptions(JSONValue)
    case subscribe(String)
    case unsubscribe(String)
    case feed(cursor: String?, limit: Int, unreadOnly: Bool)
    case readAll
    case search(String, limit: Int)
    case hot(limit: Int)
    case mustRead
    case createArticle(JSONValue)
    case article(Int64)
    case updateArticle(Int64, JSONValue, ifMatch: Int64?)
    case publish(Int64)
    case retract(Int64)
    case markRead(Int64)
    case remind(Int64)
    case readers(Int64)
    case stats
    case upsertExternal(String, JSONValue)
    case retractExternal(String)
    case deadLetters
    case retryDeadLetter(String)
}

/// A JSON answer, or a table for CSV/JSON export.
public enum NewsResponse: Sendable, Equatable {
    /// `created`: 201 rather than 200. `version`: the ETag of the resource.
    case json([UInt8], created: Bool = false, version: Int64? = nil)
    case table(TableExport)
}
