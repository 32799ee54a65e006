/// What ``RequestParser/next()`` produced from the bytes fed so far.
///
/// Every request yields exactly one `.head`, zero or more `.body`, then `.end`.
public enum RequestEvent: Sendable, Equatable {
    /// The request line and headers, validated; the body (if any) follows.
    case head(RequestHead)
    /// The next slice of the body, as it arrived (de-chunked; never empty).
    case body([UInt8])
    /// The request is complete.
    case end
}
