import JSON

/// One REST request to off-campus housing registration (校外住宿登记); bodies are validated by the hub.
public enum HousingRequest: Sendable {
    case register(JSONValue)
    /// Newest first; `before` is the last id of the previous page.
    case list(state: String?, before: Int64?, limit: Int)
    case get(Int64)
    /// `approve`, `return` (with `comment`) by counselors; `resubmit`, `renew` (with changed fields), `withdraw`,
    /// `end` by the student.
    case act(Int64, action: String, JSONValue, ifMatch: Int64?)
    case stats
}
