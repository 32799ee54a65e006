extension JSONWriter {
    // Strings up to this many bytes that need no escapes are written as one token through a stack buffer.
    private static let shortStringLimit = 256

    /// Appends `string` in quotes and escaped, preceded by a comma if needed and followed by a colon for keys.
    mutating func appendString(_ string: String, isKey: Bool) {
        var string = string
        string.withUTF8 { source in
            let comma = needsComma
            if source.count <= Self.shortStringLimit && Self.prefixWithoutEscapes(source) == source.count {
                appendToken(capacity: source.count + 4) { token in
                    var length = 0
                    if comma {
                        token[length] = UInt8(ascii: ",")
                        length += 1
                    }
                    token[length] = UInt8(ascii: "\"")
                    length += 1
                    if let base = source.baseAddress {
                        (token + length).initialize(from: base, count: source.count)
                    }
                    length += source.count
                    token[length] = UInt8(ascii: "\"")
                    length += 1
                    if isKey {
                        token[length] = UInt8(ascii: ":")
                        length += 1
                    }
                    return length
                }
                return
            }
            if comma {
                bytes.append(UInt8(ascii: ","))
            }
            bytes.append(UInt8(ascii: "\""))
            Self.appendEscaped(source, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
            if isKey {
                bytes.append(UInt8(ascii: ":"))
            }
        }
    }

    /// The length of the longest prefix of `source` that can be copied without escaping.
    static func prefixWithoutEscapes(_ source: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        let count = source.count
        let raw = UnsafeRawBufferPointer(source)
        while index + 8 <= count {
            let word = ByteScan.word(raw, at: index)
            if ByteScan.hasControl(word) || ByteScan.hasByte(word, UInt8(ascii: "\""))
                || ByteScan.hasByte(word, UInt8(ascii: "\\"))
                || ByteScan.hasByte(word, 0xE2)
            {
                break
            }
            index += 8
        }
        while index < count {
            let byte = source[index]
            // 0xE2 is the lead byte of U+2028 and U+2029 (E2 80 A8, E2 80 A9) but also of common punctuation such
            // as “ ” … — (U+201C, U+201D, U+2026, U+2014), which is copied as is.
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return index
            }
            if byte == 0xE2 && index + 2 < count && source[index + 1] == 0x80 && source[index + 2] & 0xFE == 0xA8 {
                return index
            }
            index += 1
        }
        return count
    }

    /// Appends UTF-8 text with the escapes described on ``JSONWriter``, copying runs of plain bytes in bulk.
    static func appendEscaped(_ source: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var start = 0
        while start < source.count {
            let rest = UnsafeBufferPointer(rebasing: source[start...])
            let run = prefixWithoutEscapes(rest)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: rest[..<run]))
            guard run < rest.count else { return }
            let byte = rest[run]
            start += run + 1
            switch byte {
            case UInt8(ascii: "\""): appendPair(UInt8(ascii: "\""), to: &output)
            case UInt8(ascii: "\\"): appendPair(UInt8(ascii: "\\"), to: &output)
            case 0x0A: appendPair(UInt8(ascii: "n"), to: &output)
            case 0x0D: appendPair(UInt8(ascii: "r"), to: &output)
            case 0x09: appendPair(UInt8(ascii: "t"), to: &output)
            case 0x08: appendPair(UInt8(ascii: "b"), to: &output)
            case 0x0C: appendPair(UInt8(ascii: "f"), to: &output)
            case 0xE2:
                appendUnicodeEscape(rest[run + 2] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                start += 2
            default: appendUnicodeEscape(UInt16(byte), to: &output)
            }
        }
    }

    private static func appendPair(_ letter: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
    }

    private static func appendUnicodeEscape(_ unit: UInt16, to output: inout [UInt8]) {
        let hexDigits: StaticString = "0123456789abcdef"
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits.utf8Start[Int(unit >> UInt16(shift) & 0xF)])
        }
    }
}
