/// Bounds that ``JSONParser`` enforces while parsing untrusted input. Exceeding any of them is a ``JSONError``,
/// never a crash.
public struct JSONLimits: Equatable, Sendable {
    /// The deepest allowed nesting of arrays and objects; a scalar at the top level has depth 0 and `[[]]` has
    /// depth 2. Default 64.
    ///
    /// The parser itself never recurses, so any value is safe while parsing; keep it modest anyway (at most a few
    /// thousand), because destroying, comparing and encoding a ``JSONValue`` recurse once per level.
    public var maxDepth: Int

    /// The largest accepted input in bytes, checked before anything else. Default 1 MiB (1_048_576).
    public var maxInputBytes: Int

    /// The longest accepted string (keys included) in bytes of UTF-8 after unescaping. Default 256 KiB (262_144).
    public var maxStringBytes: Int

    /// The most elements one array, or members one object, may hold. Default 100_000.
    public var maxElements: Int

    /// The longest accepted number literal in bytes. Default 512, far beyond the 17 significant digits a `Double`
    /// can use; it keeps hostile megabyte-long literals away from the decimal-to-binary conversion.
    public var maxNumberBytes: Int

    /// Creates limits; every parameter defaults to the value documented on its property.
    public init(
        maxDepth: Int = 64,
        maxInputBytes: Int = 1_048_576,
        maxStringBytes: Int = 262_144,
        maxElements: Int = 100_000,
        maxNumberBytes: Int = 512
    ) {
        self.maxDepth = maxDepth
        self.maxInputBytes = maxInputBytes
        self.maxStringBytes = maxStringBytes
        self.maxElements = maxElements
        self.maxNumberBytes = maxNumberBytes
    }

    /// The default limits, suitable for client commands and REST bodies.
    public static let `default` = JSONLimits()
}
