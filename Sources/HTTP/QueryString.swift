/// The parameters of a query string such as `q=hello+world&tag=a&tag=b`, decoded.
///
/// Parsing follows application/x-www-form-urlencoded as browsers do: pairs split on `&`, name and value on the
/// first `=`, `+` means space, percent-escapes are decoded leniently (see ``PercentDecoding/decodeLenient(_:plusAsSpace:)``).
/// Empty pairs (`a=1&&b=2`) are skipped; a name without `=` has the value `""`.
public struct QueryString: Sendable, Equatable, Sequence {
    /// One decoded parameter.
    public typealias Element = (name: String, value: String)

    private struct Parameter: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var parameters: [Parameter]

    /// Parses a raw query (``RequestHead/query``); nil or empty gives no parameters.
    public init(_ raw: String?) {
        parameters = Self.parse(raw).map { Parameter(name: $0.0, value: $0.1) }
    }

    /// Parses a raw query into decoded (name, value) pairs, in order, keeping duplicates.
    public static func parse(_ raw: String?) -> [(String, String)] {
        guard let raw, !raw.isEmpty else { return [] }
        var result: [(String, String)] = []
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = pair.firstIndex(of: "=") {
                name = pair[..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                name = pair
                value = ""
            }
            result.append(
                (
                    PercentDecoding.decodeLenient(name, plusAsSpace: true),
                    PercentDecoding.decodeLenient(value, plusAsSpace: true)
                )
            )
        }
        return result
    }

    /// The number of parameters.
    public var count: Int { parameters.count }

    /// Whether there are no parameters.
    public var isEmpty: Bool { parameters.isEmpty }

    /// The value of the first parameter named `name` (case-sensitive), or nil.
    public subscript(name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// The values of every parameter named `name`, in order (`tag=a&tag=b` → `["a", "b"]`).
    public func values(for name: String) -> [String] {
        parameters.filter { $0.name == name }.map(\.value)
    }

    /// Whether a parameter named `name` is present (with or without a value).
    public func contains(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }

    /// Iterates the parameters in order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        parameters.lazy.map { (name: $0.name, value: $0.value) }.makeIterator()
    }
}
