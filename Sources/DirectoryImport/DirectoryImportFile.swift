/// One file of a multi-file import, such as the users, org units and course roster CSV files of one export.
public struct DirectoryImportFile: Sendable, Equatable {
    /// The name used in messages, e.g. `"users.csv"`.
    public var name: String
    /// The raw contents.
    public var bytes: [UInt8]
    /// The format, or `nil` to detect it from the content (see ``DirectoryFormat/detect(_:)``).
    public var format: DirectoryFormat?

    /// Creates a file to import.
    public init(name: String, bytes: [UInt8], format: DirectoryFormat? = nil) {
        self.name = name
        self.bytes = bytes
        self.format = format
    }
}
