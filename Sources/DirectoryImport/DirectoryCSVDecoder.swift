import Hub

/// Decodes one CSV file — users, org units or course rosters, recognised by the header row — into a draft,
/// reporting every problem with its line and column.
///
/// Blank rows (no text in any cell) are skipped wherever they are. Rows with problems are reported and left
/// out; their ids still take part in the duplicate check.
struct DirectoryCSVDecoder {
    private let fileName: String
    private let limits: DirectoryImportLimits
    private let problems: ProblemCollector

    private init(fileName: String, limits: DirectoryImportLimits, problems: ProblemCollector) {
        self.fileName = fileName
        self.limits = limits
        self.problems = problems
    }

    /// Decodes `bytes`, which must be valid UTF-8, reporting problems to `problems`.
    static func decode(
        _ bytes: [UInt8],
        fileName: String,
        limits: DirectoryImportLimits,
        problems: ProblemCollector
    ) -> DirectoryDraft {
        DirectoryCSVDecoder(fileName: fileName, limits: limits, problems: problems).decode(bytes)
    }

    private func decode(_ bytes: [UInt8]) -> DirectoryDraft {
        var reader = CSVReader(bytes)
        var rows: CSVRowDecoder?
        do {
            var header: CSVReader.Record?
            while header == nil, let record = try reader.next() {
                if !record.isBlank { header = record }
            }
            guard let header else {
                problems.report(
                    DirectoryImportError.Code.emptyFile,
                    at: .file(fileName, format: .csv),
                    "the file has no header row."
                )
                return DirectoryDraft()
            }
            guard let columns = recogniseHeader(header) else { return DirectoryDraft() }
            rows = CSVRowDecoder(columns: columns, fileName: fileName, limits: limits, problems: problems)
            var count = 0
            while !problems.isFull, let record = try reader.next() {
                if record.isBlank { continue }
                count += 1
                if count > limits.maxRecords {
                    problems.report(
                        DirectoryImportError.Code.tooLarge,
                        at: .line(record.line, in: fileName),
                        "the file has more than \(limits.maxRecords) rows; split it into several files."
                    )
                    break
                }
                guard record.fields.count == header.fields.count else {
                    reportFieldCount(record, expected: header.fields.count)
                    continue
                }
                rows?.decode(record)
            }
        } catch {
            reportSyntaxError(error)
        }
        // Rows read before a fatal problem still go to the duplicate check.
        return rows?.finish() ?? DirectoryDraft()
    }

    /// The kind and column positions of a header, or `nil` after reporting why it cannot be used.
    private func recogniseHeader(_ header: CSVReader.Record) -> CSVColumns? {
        let position = SourcePosition.line(header.line, in: fileName)
        let names = header.fields.map(CSVFileKind.normalised)
        guard let kind = CSVFileKind.recognise(names) else {
            let expected = CSVFileKind.allCases.map { "\($0.displayName) (\($0.headerSynopsis))" }
            problems.report(
                DirectoryImportError.Code.unknownHeader,
                at: position,
                "the header row \(MessageText.quoted(header.fields.joined(separator: ","))) does not match any "
                    + "known file; the first row must name the columns of \(MessageText.list(expected))."
            )
            return nil
        }
        var columns = CSVColumns(kind: kind)
        var usable = true
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                columns.unnamed.append(index)
            } else if !kind.columns.contains(name) {
                usable = false
                problems.report(
                    DirectoryImportError.Code.unknownHeader,
                    at: position,
                    "column \(MessageText.quoted(header.fields[index])) is not a column of a \(kind.displayName) "
                        + "file, which has \(kind.headerSynopsis).\(Suggestion.hint(for: name, among: kind.columns))"
                )
            } else if let first = columns.index[name] {
                usable = false
                problems.report(
                    DirectoryImportError.Code.unknownHeader,
                    at: position,
                    "column '\(name)' appears twice, as columns \(first + 1) and \(index + 1)."
                )
            } else {
                columns.index[name] = index
            }
        }
        for required in kind.requiredColumns where columns.index[required] == nil {
            usable = false
            problems.report(
                DirectoryImportError.Code.missingField,
                at: position,
                "the header has no '\(required)' column; a \(kind.displayName) file has \(kind.headerSynopsis)."
            )
        }
        return usable ? columns : nil
    }

    private func reportFieldCount(_ record: CSVReader.Record, expected: Int) {
        let hint =
            record.fields.count > expected
            ? " A value that contains a comma must be enclosed in double quotes."
            : " Every row needs a value (possibly empty) for every column."
        problems.report(
            DirectoryImportError.Code.invalidCSV,
            at: .line(record.line, in: fileName),
            "the row has \(record.fields.count) fields but the header has \(expected) columns.\(hint)"
        )
    }

    private func reportSyntaxError(_ error: CSVReader.SyntaxError) {
        let text =
            switch error.kind {
            case .unterminatedQuote:
                "a value that starts with a double quote (\") here is never closed; add the closing quote."
            case .quoteInUnquotedField:
                "a double quote (\") appears inside a value that does not start with one; enclose the value in "
                    + "double quotes and write the quote twice (\"\")."
            case .textAfterClosingQuote:
                "text follows the closing double quote of a value; inside a quoted value, write a quote twice (\"\")."
            }
        problems.report(DirectoryImportError.Code.invalidCSV, at: .line(error.line, in: fileName), text)
    }
}

/// Which column of the file holds which field.
struct CSVColumns {
    var kind: CSVFileKind
    /// Column positions by normalised name.
    var index: [String: Int] = [:]
    /// Columns with an empty header cell, which Excel writes for cells that once held something. Their cells
    /// must be empty.
    var unnamed: [Int] = []
}
