import Hub

/// Parses and validates the directory files schools export from their registrar and HR systems.
///
/// ```swift
/// do {
///     let directory = try DirectoryImportParser.parse(bytes, fileName: "users.csv")
///     hub.importDirectory(directory) { ... }
/// } catch {
///     // error.message: "users.csv has 2 problems:\nusers.csv line 14, column roles: role 'studnet' is not ..."
/// }
/// ```
///
/// Formats (see ``DirectoryFormat``):
/// - JSON: one document `{"orgUnits": [...], "users": [...], "courses": [...]}`, every section optional.
/// - CSV: one file per kind, recognised by its header row (case and surrounding spaces ignored, any column
///   order): users `id,name,roles[,class][,org_unit][,active]`; org units `id,kind,name[,parent][,counselors]`;
///   course rosters `course_id,course_name,user_id,role`, one row per person.
///
/// Files must be UTF-8; a file in another encoding (Excel in China saves GBK by default) is rejected with a
/// message saying how to save it as "CSV UTF-8". Parsing collects up to ``DirectoryImportLimits/maxProblems``
/// problems and throws them together as one ``DirectoryImportError``.
///
/// Validation covers each record and the references that resolve inside the parsed files (see the checks listed
/// on the multi-file ``parse(files:limits:)``); references to ids that are not in the files are accepted, as
/// partial imports refer to records the server already has.
public enum DirectoryImportParser {
    /// Detects the format (JSON when the first byte that is not whitespace is `{`, CSV otherwise), then parses
    /// and validates one file. `fileName` is only used in messages.
    public static func parse(
        _ bytes: [UInt8],
        fileName: String = "",
        limits: DirectoryImportLimits = DirectoryImportLimits()
    ) throws(DirectoryImportError) -> Directory {
        try parse(bytes, format: DirectoryFormat.detect(bytes), fileName: fileName, limits: limits)
    }

    /// Parses and validates one file in the given format. `fileName` is only used in messages.
    public static func parse(
        _ bytes: [UInt8],
        format: DirectoryFormat,
        fileName: String,
        limits: DirectoryImportLimits = DirectoryImportLimits()
    ) throws(DirectoryImportError) -> Directory {
        try parse(files: [DirectoryImportFile(name: fileName, bytes: bytes, format: format)], limits: limits)
    }

    /// Parses several files as one import, e.g. the org units, users and course roster CSV files of one export,
    /// and returns their records together, in file order.
    ///
    /// Duplicate ids and references are checked across all the files, so a user whose class is defined in
    /// another file is checked just as within one JSON document: the class must be of kind `class`, a
    /// counselor or course teacher present in the files must have that role, org unit parents must be of a
    /// fitting kind and form no loop. Limits apply to each file; the problem cap to the whole import.
    public static func parse(
        files: [DirectoryImportFile],
        limits: DirectoryImportLimits = DirectoryImportLimits()
    ) throws(DirectoryImportError) -> Directory {
        let problems = ProblemCollector(limit: limits.maxProblems)
        var draft = DirectoryDraft()
        for file in files where !problems.isFull {
            draft.append(contentsOf: decode(file, limits: limits, problems: problems))
        }
        if !problems.isFull {
            DirectoryValidator.validate(draft, problems: problems)
        }
        if let error = problems.error() { throw error }
        return draft.directory
    }

    private static func decode(
        _ file: DirectoryImportFile,
        limits: DirectoryImportLimits,
        problems: ProblemCollector
    ) -> DirectoryDraft {
        let format = file.format ?? DirectoryFormat.detect(file.bytes)
        let bytes = file.bytes
        guard bytes.count <= limits.maxBytes else {
            problems.report(
                DirectoryImportError.Code.tooLarge,
                at: .file(file.name, format: format),
                "the file is \(bytes.count) bytes; at most \(limits.maxBytes) are allowed. Split it into several "
                    + "files."
            )
            return DirectoryDraft()
        }
        if let offset = TextPosition.firstInvalidUTF8Offset(in: bytes) {
            let line = TextPosition.lineAndColumn(of: offset, in: bytes).line
            let advice =
                format == .csv
                ? "save it as 'CSV UTF-8' (in Excel: 另存为, 保存类型 CSV UTF-8(逗号分隔))" : "save it as UTF-8"
            let byte = "0x" + String(bytes[offset], radix: 16, uppercase: true)
            problems.report(
                DirectoryImportError.Code.notUTF8,
                at: .line(line, in: file.name, format: format),
                "the file is not UTF-8 (byte \(byte) is not valid UTF-8 here; Excel's plain 'CSV' format writes "
                    + "GBK); \(advice)."
            )
            return DirectoryDraft()
        }
        let start = ByteOrderMark.length(in: bytes)
        guard bytes[start...].contains(where: { !isBlankByte($0) }) else {
            problems.report(
                DirectoryImportError.Code.emptyFile,
                at: .file(file.name, format: format),
                "the file is empty."
            )
            return DirectoryDraft()
        }
        switch format {
        case .json:
            return DirectoryJSONDecoder.decode(bytes, fileName: file.name, limits: limits, problems: problems)
        case .csv:
            return DirectoryCSVDecoder.decode(bytes, fileName: file.name, limits: limits, problems: problems)
        }
    }

    private static func isBlankByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }
}
