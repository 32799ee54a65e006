/// Builds compact JSON text directly into a byte buffer, without an intermediate ``JSONValue`` tree.
///
/// Commas are inserted automatically. The writer does not validate structure: calls must be balanced, and
/// `key(_:)` must precede every value inside an object and appear nowhere else (debug builds assert on unbalanced
/// `end` calls only).
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("type")
/// writer.string("message")
/// writer.key("body")
/// writer.raw(cachedBody)
/// writer.endObject()
/// socket.send(writer.bytes)
/// ```
///
/// Strings are escaped per RFC 8259 section 7 (`"`, `\`, and control characters, using the short forms `\n`,
/// `\r`, `\t`, `\b`, `\f` where they exist and `\u00XX` otherwise); in addition U+2028 and U+2029 are written as
/// `\u2028` and `\u2029` so the output is also valid JavaScript and safe to embed in a script. All other
/// non-ASCII text is written as raw UTF-8, which keeps Chinese text readable and compact.
public struct JSONWriter: Sendable {
    /// The encoded output so far.
    public var bytes: [UInt8]

    // One flag is enough for comma placement, no per-level stack: a container that closes is itself a value,
    // so its parent needs a comma before its next entry no matter what the parent's flag was before it opened.
    var needsComma = false

    /// The number of currently open arrays and objects.
    public private(set) var depth = 0

    /// Creates a writer with an empty buffer that has room for `capacity` bytes (default 256).
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Creates a writer that appends to existing bytes, for example after a frame header. The existing bytes are
    /// treated as a prefix, not as a preceding JSON value: the first value written gets no comma.
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Empties the buffer (keeping its storage by default) so the writer can be reused for the next document.
    public mutating func reset(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        needsComma = false
        depth = 0
    }

    /// Opens an object (`{`).
    public mutating func beginObject() {
        appendSeparated(UInt8(ascii: "{"))
        needsComma = false
        depth += 1
    }

    /// Closes the innermost object (`}`).
    public mutating func endObject() {
        assert(depth > 0, "endObject() without a matching beginObject()")
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
        depth -= 1
    }

    /// Opens an array (`[`).
    public mutating func beginArray() {
        appendSeparated(UInt8(ascii: "["))
        needsComma = false
        depth += 1
    }

    /// Closes the innermost array (`]`).
    public mutating func endArray() {
        assert(depth > 0, "endArray() without a matching beginArray()")
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
        depth -= 1
    }

    /// Writes an object key and the colon; the next call must write its value.
    public mutating func key(_ key: String) {
        appendString(key, isKey: true)
        needsComma = false
    }

    /// Writes a string value, escaped as described on ``JSONWriter``.
    public mutating func string(_ value: String) {
        appendString(value, isKey: false)
        needsComma = true
    }

    /// Writes an integer value.
    public mutating func int(_ value: Int64) {
        appendSeparated(value)
        needsComma = true
    }

    /// Writes an integer value.
    public mutating func int(_ value: Int) {
        int(Int64(value))
    }

    /// Writes a floating-point value in its shortest form that reads back as the same `Double` (Swift's
    /// `description`, e.g. `0.1`, `1.0`, `1e-05`, `1e+16`). JSON has no representation for infinities and NaN;
    /// they are written as `null`, like JavaScript's `JSON.stringify` does.
    public mutating func double(_ value: Double) {
        if value.isFinite {
            var text = value.description
            text.withUTF8 { appendSeparated($0) }
        } else {
            appendLiteral("null")
        }
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        appendLiteral(value ? "true" : "false")
        needsComma = true
    }

    /// Writes `null`.
    public mutating func null() {
        appendLiteral("null")
        needsComma = true
    }

    /// Splices an already-encoded JSON value, such as a cached message body, as the next value. The bytes are
    /// copied verbatim and not validated; they must hold exactly one well-formed JSON value.
    public mutating func raw(_ encoded: [UInt8]) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Splices an already-encoded JSON value from a buffer; see the `[UInt8]` overload.
    public mutating func raw(_ encoded: UnsafeRawBufferPointer) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Splices an already-encoded JSON value from any byte sequence; see the `[UInt8]` overload.
    public mutating func raw(_ encoded: some Sequence<UInt8>) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Writes a whole value tree, with object keys in insertion order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null:
            null()
        case .bool(let flag):
            bool(flag)
        case .int(let number):
            int(number)
        case .double(let number):
            double(number)
        case .string(let text):
            string(text)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for (name, member) in object.pairs {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendLiteral(_ word: StaticString) {
        appendSeparated(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}
