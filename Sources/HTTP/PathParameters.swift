/// The values a route pattern captured from a path, percent-decoded.
///
/// For `/v1/groups/:group/members/:user` and `/v1/groups/g%201/members/42`, `parameters["group"]` is `"g 1"`.
/// A trailing `*name` captures the remaining segments: `parameters["name"]` joins them with `/`, and
/// ``catchAllSegments`` keeps them apart (use it when a decoded `%2F` must not look like a separator).
public struct PathParameters: Sendable, Equatable, Sequence {
    /// One captured parameter.
    public typealias Element = (name: String, value: String)

    private var names: [String]
    private var values: [String]

    /// The decoded segments captured by a trailing `*name`, or empty.
    public private(set) var catchAllSegments: [String]

    /// Creates parameters from (name, value) pairs.
    public init(_ pairs: [(String, String)] = [], catchAllSegments: [String] = []) {
        names = pairs.map(\.0)
        values = pairs.map(\.1)
        self.catchAllSegments = catchAllSegments
    }

    init(names: [String], values: [String], catchAllSegments: [String]) {
        self.names = names
        self.values = values
        self.catchAllSegments = catchAllSegments
    }

    /// The value captured for `name`, or nil.
    public subscript(name: String) -> String? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// The number of parameters.
    public var count: Int { names.count }

    /// Whether nothing was captured.
    public var isEmpty: Bool { names.isEmpty }

    /// Iterates the parameters in pattern order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        zip(names, values).lazy.map { (name: $0, value: $1) }.makeIterator()
    }
}
