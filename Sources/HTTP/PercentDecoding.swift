/// Percent-decoding (RFC 3986 §2.1) for paths and query strings.
public enum PercentDecoding {
    /// Decodes `%XX` escapes, and `+` as a space when `plusAsSpace` is set (form encoding).
    ///
    /// Returns nil when an escape is malformed (`%`, `%4`, `%zz`) or the decoded bytes are not valid UTF-8. Decoded
    /// NUL is returned as-is; callers that must exclude it (the router does) check for it.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        guard needsDecoding(text, plusAsSpace: plusAsSpace) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == ASCII.percent {
                guard let high = iterator.next().flatMap(ASCII.hexValue),
                    let low = iterator.next().flatMap(ASCII.hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(plusAsSpace && byte == 0x2B ? ASCII.space : byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Decodes like ``decode(_:plusAsSpace:)`` but never fails: a malformed escape is kept literally and invalid
    /// UTF-8 becomes U+FFFD, as browsers decode form data (WHATWG URL, application/x-www-form-urlencoded).
    public static func decodeLenient(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        guard needsDecoding(text, plusAsSpace: plusAsSpace) else { return String(text) }
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == ASCII.percent, index + 2 < input.count,
                let high = ASCII.hexValue(input[index + 1]), let low = ASCII.hexValue(input[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusAsSpace && byte == 0x2B ? ASCII.space : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func needsDecoding(_ text: some StringProtocol, plusAsSpace: Bool) -> Bool {
        text.utf8.contains { $0 == ASCII.percent || (plusAsSpace && $0 == 0x2B) }
    }
}
