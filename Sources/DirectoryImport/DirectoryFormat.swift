/// The two file formats a directory import accepts.
public enum DirectoryFormat: Sendable, Equatable, CaseIterable {
    /// One JSON document with optional `orgUnits`, `users` and `courses` arrays.
    case json
    /// One CSV file of users, org units or course rosters, recognised by its header row.
    case csv

    /// Guesses the format from the content: JSON when the first byte that is not whitespace (after an optional
    /// UTF-8 byte order mark) is `{` or `[`, CSV otherwise. A CSV file always starts with a header such as `id`,
    /// so the two cannot be confused.
    public static func detect(_ bytes: [UInt8]) -> DirectoryFormat {
        var index = ByteOrderMark.length(in: bytes)
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return .json
            default:
                return .csv
            }
        }
        return .csv
    }
}

/// The UTF-8 byte order mark that Excel and Windows Notepad put at the start of files.
enum ByteOrderMark {
    /// 3 if `bytes` starts with EF BB BF, otherwise 0.
    static func length(in bytes: [UInt8]) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }
}
