/// An ordered list of header fields (name, value), as received or to be sent.
///
/// Names keep their original spelling; every lookup compares names ignoring ASCII case (RFC 9110 §5.1). Repeated
/// fields stay separate entries in arrival order.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One field line.
    public typealias Element = (name: String, value: String)

    private struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    /// Creates an empty header list.
    public init() {
        fields = []
    }

    /// Creates a header list from (name, value) pairs, keeping their order and duplicates.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates a header list from a literal such as `["Allow": "GET"]`, keeping order and duplicates.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    // Used by the parser: one allocation for a typical request instead of several regrowths.
    init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// The number of field lines.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The value of the first field named `name` (ignoring case), or nil.
    public subscript(name: String) -> String? {
        for field in fields where ASCII.equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// The values of every field named `name` (ignoring case), in order.
    public func values(for name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` (ignoring case) is present.
    public func contains(name: String) -> Bool {
        fields.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Whether any field named `name` holds `token` in its comma-separated list, ignoring case and whitespace, e.g.
    /// `contains(name: "Connection", token: "upgrade")` for `Connection: keep-alive, Upgrade`.
    public func contains(name: String, token: String) -> Bool {
        for field in fields where ASCII.equalsIgnoringCase(field.name, name) {
            for element in field.value.split(separator: ",", omittingEmptySubsequences: true) {
                if ASCII.equalsIgnoringCase(ASCII.trimmingWhitespace(element), token) { return true }
            }
        }
        return false
    }

    /// Appends a field, keeping any existing fields with the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the first field named `name` (ignoring case) and removes any later ones; appends when absent.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = fields.firstIndex(where: { ASCII.equalsIgnoringCase($0.name, name) }) else {
            fields.append(Field(name: name, value: value))
            return
        }
        fields[first] = Field(name: name, value: value)
        var index = first + 1
        while index < fields.count {
            if ASCII.equalsIgnoringCase(fields[index].name, name) {
                fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// Removes every field named `name` (ignoring case).
    public mutating func remove(name: String) {
        fields.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        fields.lazy.map { (name: $0.name, value: $0.value) }.makeIterator()
    }

    /// The fields as `Name: value` lines.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}
