/// The outcome of ``Router/match(_:path:)``.
public enum RouteMatch<Handler> {
    /// A route accepts the method and path: its handler, the captured parameters and the pattern it was
    /// registered with (useful as a low-cardinality metrics label).
    case matched(Handler, PathParameters, pattern: String)
    /// Routes match the path but none accepts the method; `allowed` is what the `Allow` header of the 405 response
    /// should list (`HEAD` included wherever `GET` is). ``HTTPError/methodNotAllowed(allowed:)`` builds it.
    case methodNotAllowed(allowed: [HTTPMethod])
    /// No route matches the path.
    case notFound
}

extension RouteMatch: Sendable where Handler: Sendable {}
