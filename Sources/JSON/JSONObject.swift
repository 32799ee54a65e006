/// A JSON object: unique string keys mapped to values, kept in insertion order.
///
/// Storage is a plain array of pairs and lookup is a linear scan, which beats hashing for the small objects
/// (a few dozen keys) that chat commands and REST bodies consist of. Keys are compared with Swift `String`
/// equality, so canonically equivalent spellings (for example a precomposed and a decomposed "é") are the same key.
///
/// Equality ignores key order: two objects are equal when they hold the same keys with equal values.
public struct JSONObject: Sendable {
    /// The members in insertion order.
    public private(set) var pairs: [(key: String, value: JSONValue)]

    /// Creates an empty object.
    public init() {
        pairs = []
    }

    /// Creates an object from key-value pairs. A key that appears more than once keeps its last value, at the
    /// position of its first occurrence. Each pair costs a lookup, so this is quadratic in the number of pairs;
    /// for large objects with keys known to be distinct, use ``append(_:_:)``.
    public init(_ pairs: some Sequence<(key: String, value: JSONValue)>) {
        self.pairs = []
        for pair in pairs {
            self[pair.key] = pair.value
        }
    }

    /// Creates an object from pairs whose keys are already known to be unique (the parser checks this itself).
    init(uniquePairs: [(key: String, value: JSONValue)]) {
        pairs = uniquePairs
    }

    /// The keys in insertion order.
    public var keys: [String] { pairs.map(\.key) }

    /// The values in insertion order.
    public var values: [JSONValue] { pairs.map(\.value) }

    /// Returns the position of `key` in ``pairs``, or `nil` if the object has no such key.
    public func index(forKey key: String) -> Int? {
        pairs.firstIndex { $0.key == key }
    }

    /// The value for `key`, or `nil` if absent. Setting a value replaces an existing member in place or appends
    /// a new one; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(forKey: key) else { return nil }
            return pairs[index].value
        }
        set {
            if let index = index(forKey: key) {
                if let newValue {
                    pairs[index].value = newValue
                } else {
                    pairs.remove(at: index)
                }
            } else if let newValue {
                pairs.append((key, newValue))
            }
        }
    }

    /// Sets `value` for `key`, replacing an existing member in place or appending a new one.
    public mutating func set(_ key: String, _ value: JSONValue) {
        self[key] = value
    }

    /// Appends a member without looking for an existing one. The caller guarantees that `key` is not present yet
    /// (checked only in debug builds); use it to build objects with known-distinct keys without the lookup cost.
    public mutating func append(_ key: String, _ value: JSONValue) {
        assert(index(forKey: key) == nil, "duplicate JSON object key '\(key)'")
        pairs.append((key, value))
    }

    /// Removes the member for `key` and returns its value, or returns `nil` if there was none.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return pairs.remove(at: index).value
    }

    /// Reserves storage for `capacity` members.
    public mutating func reserveCapacity(_ capacity: Int) {
        pairs.reserveCapacity(capacity)
    }
}

extension JSONObject: RandomAccessCollection {
    /// The position of the first member.
    public var startIndex: Int { 0 }

    /// The position one past the last member.
    public var endIndex: Int { pairs.count }

    /// The member at `position`, in insertion order.
    public subscript(position: Int) -> (key: String, value: JSONValue) { pairs[position] }
}

extension JSONObject: Equatable {
    /// Two objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.pairs.count == rhs.pairs.count else { return false }
        for index in lhs.pairs.indices {
            let pair = lhs.pairs[index]
            // Same order is the common case (round trips); only fall back to lookup when the orders differ.
            if rhs.pairs[index].key == pair.key {
                guard rhs.pairs[index].value == pair.value else { return false }
            } else {
                guard let other = rhs[pair.key], other == pair.value else { return false }
            }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object from a literal such as `["type": "send", "group": 12]`. Duplicate keys in the literal
    /// are a programming error and trap, as they do for `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        pairs = []
        pairs.reserveCapacity(elements.count)
        for (key, value) in elements {
            precondition(index(forKey: key) == nil, "duplicate key '\(key)' in JSON object literal")
            pairs.append((key, value))
        }
    }
}
