import JSON

/// One REST request to the suggestion box, decoded from path and query by the gateway; bodies are validated here.
public enum SuggestionRequest: Sendable {
    case settings
    case updateSettings(JSONValue, ifMatch: Int64?)
    case submit(JSONValue)
    /// Newest first; `before` is the last id of the previous page.
    case list(state: String?, category: String?, before: Int64?, limit: Int)
    case get(Int64)
    /// An action of the workflow (`dispatch`, `reply`, `satisfied`, …) with `comment`, `attachments` and, to
    /// dispatch, `department`.
    case act(Int64, action: String, JSONValue, ifMatch: Int64?)
    /// Who submitted an anonymous item: school admins only, audited.
    case reveal(Int64)
    case stats
}
