import JSON

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
