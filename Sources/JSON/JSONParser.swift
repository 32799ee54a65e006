/// A strict RFC 8259 parser for untrusted input.
///
/// Beyond the grammar, it rejects what RFC 8259 leaves open but a server should not accept: duplicate object
/// keys, lone UTF-16 surrogate escapes, ill-formed UTF-8, a byte order mark, and anything past the configured
/// ``JSONLimits``. Every failure is a ``JSONError`` with a byte offset; no input can crash the parser or make it
/// recurse, because nesting is tracked on an explicit stack.
///
/// Numbers follow one documented rule: an integer literal (no fraction, no exponent) that fits in `Int64`
/// becomes ``JSONValue/int(_:)`` (so `-0` is `.int(0)`); every other number, including integer literals
/// outside the `Int64` range, becomes ``JSONValue/double(_:)``, correctly rounded to the nearest `Double`.
/// A number whose magnitude rounds to infinity (`1e400`) is rejected with ``JSONError/Kind/numberOutOfRange``;
/// one too small for the smallest subnormal `Double` (`1e-400`) rounds to zero, as IEEE 754 prescribes.
public enum JSONParser: Sendable {
    /// Parses one JSON value from raw bytes, optionally surrounded by whitespace. This is the fastest entry point;
    /// the other overloads forward to it.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.maxInputBytes else {
            throw JSONError(.sizeLimitExceeded, at: limits.maxInputBytes)
        }
        var parser = ByteParser(input: bytes, limits: limits)
        return try parser.parseDocument()
    }

    /// Parses one JSON value from a byte array.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in parseResult(buffer, limits: limits) }
        return try result.get()
    }

    /// Parses one JSON value from a slice of a byte array; offsets in errors are relative to the slice start.
    public static func parse(_ bytes: ArraySlice<UInt8>, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in parseResult(buffer, limits: limits) }
        return try result.get()
    }

    /// Parses one JSON value from a buffer of bytes.
    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue {
        try parse(UnsafeRawBufferPointer(bytes), limits: limits)
    }

    /// Parses one JSON value from any collection of bytes, copying it first if it is not contiguous.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue {
        if bytes.count > limits.maxInputBytes {
            throw JSONError(.sizeLimitExceeded, at: limits.maxInputBytes)
        }
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(UnsafeRawBufferPointer(buffer), limits: limits)
        }
        return try (contiguous ?? parseResult(Array(bytes), limits: limits)).get()
    }

    /// Parses one JSON value from the UTF-8 bytes of a string.
    public static func parse(_ string: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        let contiguous = string.utf8.withContiguousStorageIfAvailable { buffer in
            parseResult(UnsafeRawBufferPointer(buffer), limits: limits)
        }
        return try (contiguous ?? parseResult(Array(string.utf8), limits: limits)).get()
    }

    // The standard library's `withUnsafeBytes` does not forward typed errors, so results cross it as `Result`.
    private static func parseResult(_ bytes: UnsafeRawBufferPointer, limits: JSONLimits) -> Result<JSONValue, JSONError>
    {
        do {
            return .success(try parse(bytes, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    private static func parseResult(_ bytes: [UInt8], limits: JSONLimits) -> Result<JSONValue, JSONError> {
        bytes.withUnsafeBytes { buffer in parseResult(buffer, limits: limits) }
    }
}
