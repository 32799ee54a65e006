/// Minimal JSON string encoding for error bodies (RFC 8259 §7), so this target needs no JSON dependency.
enum JSONString {
    /// Appends `text` to `output` as a quoted JSON string.
    ///
    /// Escapes `"`, `\` and every control character below U+0020; everything else, including non-ASCII text, is
    /// copied as UTF-8, which RFC 8259 §8.1 requires JSON text to be anyway.
    static func append(_ text: String, to output: inout [UInt8]) {
        output.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: output.append(contentsOf: [0x5C, 0x72])
            case 0x09: output.append(contentsOf: [0x5C, 0x74])
            case 0x08: output.append(contentsOf: [0x5C, 0x62])
            case 0x0C: output.append(contentsOf: [0x5C, 0x66])
            case 0x00..<0x20:
                let low = byte & 0xF
                output.append(contentsOf: [
                    0x5C, 0x75, 0x30, 0x30, 0x30 + (byte >> 4), low < 10 ? 0x30 + low : 0x57 + low,
                ])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }
}
