/// The parsing state machine behind ``JSONParser``: a cursor over the input plus explicit stacks for the
/// containers being built, so nesting depth costs heap memory bounded by the limits, never call-stack frames.
struct ByteParser {
    /// An array or object that has been opened but not yet closed.
    struct Frame {
        /// Whether the container is an object (members live in `members`) or an array (elements in `values`).
        let isObject: Bool
        /// Index in `members` or `values` of the container's first entry.
        let start: Int
        /// The key this container will be stored under in its parent object; unused when the parent is an array.
        let key: String
        /// Keys of a large object, built lazily once linear duplicate checks would get expensive.
        var seenKeys: Set<String>?
    }

    // Objects with fewer members than this check for duplicate keys by linear scan; larger ones use a set, so a
    // hostile 100_000-key object costs O(n) rather than O(n^2).
    static let linearKeyCheckLimit = 16

    let input: UnsafeRawBufferPointer
    let limits: JSONLimits
    /// Offset of the next byte to read.
    var position = 0
    /// Finished elements of all open arrays, innermost last.
    var values: [JSONValue] = []
    /// Finished members of all open objects, innermost last.
    var members: [(key: String, value: JSONValue)] = []
    /// The open containers, innermost last; its count is the current depth.
    var frames: [Frame] = []
    /// Reused buffer for unescaping strings that contain backslashes.
    var scratch: [UInt8] = []

    init(input: UnsafeRawBufferPointer, limits: JSONLimits) {
        self.input = input
        self.limits = limits
    }

    /// Parses the whole input as one value surrounded by optional whitespace.
    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.emptyInput, at: 0) }
        // The key under which the value being parsed will be stored, when its parent is an object.
        var key = ""
        while true {
            var value: JSONValue
            skipWhitespace()
            guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = byte == UInt8(ascii: "{")
                guard frames.count < limits.maxDepth else { throw JSONError(.depthLimitExceeded, at: position) }
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == byte &+ 2 {
                    // `}` and `]` are two code points after `{` and `[`.
                    position += 1
                    value = isObject ? .object(JSONObject()) : .array([])
                } else {
                    openContainer(isObject: isObject, key: key)
                    guard limits.maxElements > 0 else { throw JSONError(.elementLimitExceeded, at: position) }
                    if isObject {
                        key = try parseMemberKey()
                    }
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            default:
                throw JSONError(.unexpectedByte(byte), at: position)
            }

            // Store the finished value in its parent, then close every container that ends right after it.
            attach: while true {
                guard let top = frames.indices.last else {
                    skipWhitespace()
                    guard position == input.count else { throw JSONError(.trailingData, at: position) }
                    return value
                }
                let isObject = frames[top].isObject
                if isObject {
                    members.append((key, value))
                } else {
                    values.append(value)
                }
                skipWhitespace()
                guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
                let byte = input[position]
                if byte == UInt8(ascii: ",") {
                    let count = (isObject ? members.count : values.count) - frames[top].start
                    guard count < limits.maxElements else { throw JSONError(.elementLimitExceeded, at: position) }
                    position += 1
                    if isObject {
                        key = try parseMemberKey()
                    }
                    break attach
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONError(.unexpectedByte(byte), at: position)
                }
                position += 1
                let frame = frames.removeLast()
                value =
                    isObject
                    ? .object(JSONObject(uniquePairs: takeMembers(from: frame.start)))
                    : .array(takeValues(from: frame.start))
                key = frame.key
            }
        }
    }

    private mutating func openContainer(isObject: Bool, key: String) {
        // Reserve once per parse so a typical command does not regrow its stacks element by element.
        if frames.isEmpty {
            frames.reserveCapacity(8)
        }
        if isObject {
            if members.capacity == 0 {
                members.reserveCapacity(16)
            }
            frames.append(Frame(isObject: true, start: members.count, key: key))
        } else {
            if values.capacity == 0 {
                values.reserveCapacity(16)
            }
            frames.append(Frame(isObject: false, start: values.count, key: key))
        }
    }

    // The outermost container owns the whole stack, so it takes the buffer as is. Inner ones copy their tail
    // into an exact-size array: sharing the stack's buffer would leave slack capacity in every small container
    // and force the stack to reallocate on its next append.
    private mutating func takeMembers(from start: Int) -> [(key: String, value: JSONValue)] {
        if frames.isEmpty {
            defer { members = [] }
            return members
        }
        let taken = members.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[start...])) }
        members.removeSubrange(start...)
        return taken
    }

    private mutating func takeValues(from start: Int) -> [JSONValue] {
        if frames.isEmpty {
            defer { values = [] }
            return values
        }
        let taken = values.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[start...])) }
        values.removeSubrange(start...)
        return taken
    }

    /// Parses `"key" :` inside the innermost object and rejects a key the object already has.
    private mutating func parseMemberKey() throws(JSONError) -> String {
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard input[position] == UInt8(ascii: "\"") else {
            throw JSONError(.unexpectedByte(input[position]), at: position)
        }
        let keyOffset = position
        let key = try parseString()
        try checkUniqueKey(key, at: keyOffset)
        skipWhitespace()
        guard position < input.count else { throw JSONError(.unexpectedEnd, at: position) }
        guard input[position] == UInt8(ascii: ":") else {
            throw JSONError(.unexpectedByte(input[position]), at: position)
        }
        position += 1
        return key
    }

    private mutating func checkUniqueKey(_ key: String, at offset: Int) throws(JSONError) {
        let top = frames.count - 1
        let start = frames[top].start
        if members.count - start < Self.linearKeyCheckLimit {
            for index in start..<members.count where members[index].key == key {
                throw JSONError(.duplicateKey(key), at: offset)
            }
            return
        }
        if frames[top].seenKeys == nil {
            frames[top].seenKeys = Set(members[start...].lazy.map(\.key))
        }
        guard frames[top].seenKeys!.insert(key).inserted else { throw JSONError(.duplicateKey(key), at: offset) }
    }

    /// Skips the four whitespace bytes RFC 8259 section 2 allows: space, tab, line feed, carriage return.
    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Consumes `word` (`true`, `false` or `null`), reporting the first byte that differs.
    private mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for index in expected.indices {
            let offset = position + index
            guard offset < input.count else { throw JSONError(.unexpectedEnd, at: offset) }
            guard input[offset] == expected[index] else { throw JSONError(.unexpectedByte(input[offset]), at: offset) }
        }
        position += expected.count
    }
}
