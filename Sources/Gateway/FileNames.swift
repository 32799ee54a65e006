/// Display names of uploaded files. A name is only ever shown to people and put in `Content-Disposition`; it is
/// never part of a path on disk.
public enum DisplayName {
    /// Longest name kept, in UTF-8 bytes (what file systems and the message body's `name` field allow).
    public static let maxBytes = 255
    public static let fallback = "file"

    /// Cleans a client-supplied (already percent-decoded) name: removes control characters, bidirectional
    /// overrides, `/` and `\`; trims white space; cuts it to 255 UTF-8 bytes on a character boundary. An empty
    /// result, or one made only of dots, becomes `file`.
    public static func sanitize(_ raw: String?) -> String {
        guard let raw else { return fallback }
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars where !isRemoved(scalar) {
            scalars.append(scalar)
        }
        var name = trimmed(String(scalars))
        if name.utf8.count > maxBytes {
            var cut = ""
            for character in name {
                if cut.utf8.count + character.utf8.count > maxBytes { break }
                cut.append(character)
            }
            name = trimmed(cut)
        }
        if name.isEmpty || name.allSatisfy({ $0 == "." }) { return fallback }
        return name
    }

    private static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2F, 0x5C: return true  // / and \
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidi marks and overrides
        default: return scalar.properties.generalCategory == .control
        }
    }

    private static func trimmed(_ text: String) -> String {
        var characters = Substring(text)
        while let first = characters.first, first.isWhitespace { characters.removeFirst() }
        while let last = characters.last, last.isWhitespace { characters.removeLast() }
        return String(characters)
    }

    /// `Content-Disposition` (RFC 6266) for `name`: an ASCII `filename` for old clients and the exact name as
    /// `filename*=UTF-8''…` (RFC 8187, formerly 5987). `inline` lets a browser show it instead of saving it.
    public static func contentDisposition(_ name: String, inline: Bool) -> String {
        "\(inline ? "inline" : "attachment"); filename=\"\(asciiFallback(name))\"; filename*=UTF-8''\(encoded(name))"
    }

    /// The name with every non-ASCII character replaced by `_`, and quotes, backslashes and control characters
    /// dropped, so it fits a quoted-string.
    static func asciiFallback(_ name: String) -> String {
        var result = ""
        for character in name {
            guard character.isASCII, let byte = character.asciiValue else {
                result.append("_")
                continue
            }
            if byte < 0x20 || byte == 0x7F || byte == 0x22 || byte == 0x5C { continue }
            result.append(character)
        }
        return result.isEmpty ? fallback : result
    }

    /// RFC 8187 `value-chars`: attr-char as is, every other UTF-8 byte percent-encoded.
    static func encoded(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in name.utf8 {
            if isAttrChar(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$&+-.^_`|~".utf8).contains(byte)
        }
    }
}

/// The `Range` header of a download (RFC 9110 §14.2), for one representation of `size` bytes.
public enum ByteRange: Sendable, Equatable {
    /// Serve the whole file with 200: no `Range`, another unit, a malformed header, or several ranges (multipart
    /// responses are not supported; serving everything is what RFC 9110 allows).
    case whole
    /// Serve `length` bytes from `offset` with 206.
    case partial(offset: Int64, length: Int64)
    /// 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    /// Interprets a `Range` value: `bytes=a-b`, `bytes=a-` or `bytes=-n`.
    public static func parse(_ header: String?, size: Int64) -> ByteRange {
        guard let header else { return .whole }
        let trimmed = header.trimmingASCIIWhitespace
        guard let equals = trimmed.firstIndex(of: "="),
            trimmed[..<equals].trimmingASCIIWhitespace.lowercased() == "bytes"
        else { return .whole }
        let specs = trimmed[trimmed.index(after: equals)...].split(separator: ",").map(\.trimmingASCIIWhitespace)
            .filter { !$0.isEmpty }
        guard specs.count == 1, let dash = specs[0].firstIndex(of: "-") else { return .whole }
        let first = specs[0][..<dash]
        let last = specs[0][specs[0].index(after: dash)...]
        if first.isEmpty {
            // Suffix: the last n bytes.
            guard let n = number(last) else { return .whole }
            guard n > 0, size > 0 else { return .unsatisfiable }
            let length = min(n, size)
            return .partial(offset: size - length, length: length)
        }
        guard let start = number(first) else { return .whole }
        var end = size - 1
        if !last.isEmpty {
            guard let parsed = number(last) else { return .whole }
            guard parsed >= start else { return .whole }
            end = min(parsed, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .partial(offset: start, length: end - start + 1)
    }

    /// Decimal digits only; values past Int64 saturate (a huge offset is simply past the end).
    private static func number(_ text: some StringProtocol) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            if overflow1 || overflow2 { return .max }
            value = plus
        }
        return value
    }
}

extension StringProtocol {
    fileprivate var trimmingASCIIWhitespace: Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return Substring(text)
    }
}
