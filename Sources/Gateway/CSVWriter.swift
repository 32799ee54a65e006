/// Writes CSV that Excel opens correctly with Chinese text: UTF-8 with a byte order mark, CRLF line ends, RFC 4180
/// quoting. Cells that Excel would run as formulas (starting with `=`, `+`, `-`, `@`, tab or CR) are prefixed with
/// `'`, so an answer like `=HYPERLINK(…)` stays text (CSV injection).
enum CSVWriter {
    static func render(columns: [String], rows: [[String]]) -> [UInt8] {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        for row in [columns] + rows {
            for (index, cell) in row.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += escape(cell)
            }
            bytes += [13, 10]
        }
        return bytes
    }

    static func escape(_ cell: String) -> [UInt8] {
        var text = cell
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return Array(text.utf8)
        }
        return Array(("\"" + text.replacingQuotes() + "\"").utf8)
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == "\"" { result += "\"\"" } else { result.append(character) }
        }
        return result
    }
}
