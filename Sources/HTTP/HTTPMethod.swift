/// An HTTP request method (RFC 9110 §9).
///
/// The parser only produces the methods below; any other well-formed method token fails with 501 `not_implemented`.
/// Other values can still be built with ``init(rawValue:)`` (for example to register routes in tests).
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token exactly as it appears on the wire, e.g. `"GET"` (methods are case-sensitive).
    public let rawValue: String

    /// Creates a method from its case-sensitive token.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `GET`: transfer a representation of the target.
    public static let GET = HTTPMethod(rawValue: "GET")
    /// `HEAD`: like `GET` but without a response body.
    public static let HEAD = HTTPMethod(rawValue: "HEAD")
    /// `POST`: process the enclosed representation.
    public static let POST = HTTPMethod(rawValue: "POST")
    /// `PUT`: replace the target with the enclosed representation.
    public static let PUT = HTTPMethod(rawValue: "PUT")
    /// `PATCH`: apply partial modifications (RFC 5789).
    public static let PATCH = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`: remove the target.
    public static let DELETE = HTTPMethod(rawValue: "DELETE")
    /// `OPTIONS`: describe the communication options for the target.
    public static let OPTIONS = HTTPMethod(rawValue: "OPTIONS")

    /// The methods the parser accepts, in the canonical order used for `Allow` headers.
    public static let known: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS]

    /// The method token.
    public var description: String { rawValue }

    // Maps wire bytes to a known method without building a String; nil for anything else.
    static func fromWire(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod? {
        func equals(_ literal: StaticString) -> Bool {
            guard bytes.count == literal.utf8CodeUnitCount else { return false }
            let other = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            return bytes.elementsEqual(other)
        }
        switch bytes.count {
        case 3:
            if equals("GET") { return .GET }
            if equals("PUT") { return .PUT }
        case 4:
            if equals("POST") { return .POST }
            if equals("HEAD") { return .HEAD }
        case 5:
            if equals("PATCH") { return .PATCH }
        case 6:
            if equals("DELETE") { return .DELETE }
        case 7:
            if equals("OPTIONS") { return .OPTIONS }
        default:
            break
        }
        return nil
    }
}
