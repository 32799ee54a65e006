import JSON

/// One REST request to item borrowing (社区物资借用), decoded by the gateway; bodies are validated here.
public enum BorrowingRequest: Sendable {
    case items
    case createItem(JSONValue)
    case updateItem(String, JSONValue, ifMatch: Int64?)
    case submit(JSONValue)
    /// Newest first; `before` is the last id of the previous page.
    case list(state: String?, before: Int64?, limit: Int)
    case get(Int64)
    /// `approve`, `reject`, `cancel`, `pickup`, `return` with `comment` and `attachments`.
    case act(Int64, action: String, JSONValue, ifMatch: Int64?)
}
