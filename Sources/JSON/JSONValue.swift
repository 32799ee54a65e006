/// A JSON value as defined by RFC 8259.
///
/// Numbers are split by their literal form: an integer literal (no fraction, no exponent) that fits in `Int64`
/// is `.int`; every other number is `.double`. Objects keep their keys in insertion order (see ``JSONObject``).
///
/// Equality compares objects without regard to key order (RFC 8259 section 4 calls objects unordered), arrays
/// element by element, and numbers by case: `.int(1)` is not equal to `.double(1)`.
///
/// Trees produced by ``JSONParser`` are at most ``JSONLimits/maxDepth`` deep. Destroying, comparing and encoding
/// a tree recurses once per nesting level, so code that builds trees by hand should keep them similarly shallow.
public enum JSONValue: Equatable, Sendable {
    /// The literal `null`.
    case null
    /// The literal `true` or `false`.
    case bool(Bool)
    /// An integer literal that fits in `Int64`.
    case int(Int64)
    /// A number with a fraction or exponent, or an integer literal outside the `Int64` range.
    case double(Double)
    /// A string, already unescaped.
    case string(String)
    /// An array of values.
    case array([JSONValue])
    /// An object with insertion-ordered, unique keys.
    case object(JSONObject)
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of this value, as produced by ``encoded()``.
    public var description: String { jsonString }
}
