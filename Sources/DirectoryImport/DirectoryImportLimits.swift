/// Bounds that a directory import enforces on untrusted files. Exceeding one is a problem in the
/// ``DirectoryImportError``, never a crash.
public struct DirectoryImportLimits: Sendable, Equatable {
    /// The largest accepted file in bytes. Default 64 MiB (67_108_864), room for well over a million rows.
    public var maxBytes: Int

    /// The most records one file may hold: CSV data rows, or in JSON the org units, users and courses plus
    /// every entry of the course rosters (one CSV row each). Default 500_000.
    public var maxRecords: Int

    /// The longest accepted CSV cell or JSON string that is not an id or a name (role lists, counselor lists),
    /// in UTF-8 bytes. Default 1024.
    public var maxFieldBytes: Int

    /// The longest accepted id (user, org unit, course), in UTF-8 bytes. Default 128.
    public var maxIDBytes: Int

    /// The longest accepted name, in UTF-8 bytes (a Chinese character takes three). Default 256.
    public var maxNameBytes: Int

    /// How many problems are collected before the import stops looking for more. Default 50.
    public var maxProblems: Int

    /// Creates limits; every parameter defaults to the value documented on its property.
    public init(
        maxBytes: Int = 64 << 20,
        maxRecords: Int = 500_000,
        maxFieldBytes: Int = 1024,
        maxIDBytes: Int = 128,
        maxNameBytes: Int = 256,
        maxProblems: Int = 50
    ) {
        self.maxBytes = maxBytes
        self.maxRecords = maxRecords
        self.maxFieldBytes = maxFieldBytes
        self.maxIDBytes = maxIDBytes
        self.maxNameBytes = maxNameBytes
        self.maxProblems = maxProblems
    }
}
