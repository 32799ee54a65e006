extension ByteParser {
    /// Parses a string whose opening quote is at `position`, leaving `position` after the closing quote.
    mutating func parseString() throws(JSONError) -> String {
        let quoteOffset = position
        let start = position + 1
        var index = start
        // Bitwise OR of all bytes seen: below 0x80 means pure ASCII, which needs no UTF-8 validation.
        var allBits: UInt8 = 0
        // Fast path: most strings have no escapes, so the decoded bytes are the raw bytes between the quotes.
        while index < input.count {
            while index + 8 <= input.count {
                let word = ByteScan.word(input, at: index)
                if ByteScan.hasByte(word, UInt8(ascii: "\"")) || ByteScan.hasByte(word, UInt8(ascii: "\\"))
                    || ByteScan.hasControl(word)
                {
                    break
                }
                allBits |= ByteScan.hasNonASCII(word) ? 0x80 : 0
                index += 8
            }
            guard index < input.count else { break }
            let byte = input[index]
            allBits |= byte
            if byte == UInt8(ascii: "\"") {
                guard index - start <= limits.maxStringBytes else {
                    throw JSONError(.stringLengthLimitExceeded, at: quoteOffset)
                }
                position = index + 1
                let raw = UnsafeRawBufferPointer(rebasing: input[start..<index])
                if allBits >= 0x80, let invalid = UTF8Validation.firstInvalidOffset(in: raw) {
                    throw JSONError(.invalidUTF8, at: start + invalid)
                }
                return Self.makeString(raw)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(quoteOffset: quoteOffset, firstEscape: index)
            }
            if byte < 0x20 {
                throw JSONError(.invalidString, at: index)
            }
            index += 1
        }
        throw JSONError(.unexpectedEnd, at: input.count)
    }

    /// Continues `parseString` from the first backslash, unescaping into `scratch`.
    private mutating func parseEscapedString(quoteOffset: Int, firstEscape: Int) throws(JSONError) -> String {
        let start = quoteOffset + 1
        scratch.removeAll(keepingCapacity: true)
        var runStart = start
        var index = firstEscape
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                scratch.append(contentsOf: input[runStart..<index])
                guard scratch.count <= limits.maxStringBytes else {
                    throw JSONError(.stringLengthLimitExceeded, at: quoteOffset)
                }
                position = index + 1
                // Escapes only produce well-formed UTF-8, so any ill-formed sequence is in a raw run of the input,
                // and the escapes (all ASCII) cannot hide it from a scan of the raw bytes.
                let raw = UnsafeRawBufferPointer(rebasing: input[start..<index])
                if let invalid = UTF8Validation.firstInvalidOffset(in: raw) {
                    throw JSONError(.invalidUTF8, at: start + invalid)
                }
                return scratch.withUnsafeBytes { Self.makeString($0) }
            }
            if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: input[runStart..<index])
                index = try unescape(at: index)
                runStart = index
                continue
            }
            if byte < 0x20 {
                throw JSONError(.invalidString, at: index)
            }
            index += 1
        }
        throw JSONError(.unexpectedEnd, at: input.count)
    }

    /// Decodes the escape sequence whose backslash is at `offset` into `scratch`; returns the offset after it.
    private mutating func unescape(at offset: Int) throws(JSONError) -> Int {
        guard offset + 1 < input.count else { throw JSONError(.unexpectedEnd, at: input.count) }
        let decoded: UInt8
        switch input[offset + 1] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try unescapeUnicode(at: offset)
        default: throw JSONError(.invalidEscape, at: offset)
        }
        scratch.append(decoded)
        return offset + 2
    }

    /// Decodes `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, at `offset` (RFC 8259 section 7).
    private mutating func unescapeUnicode(at offset: Int) throws(JSONError) -> Int {
        let unit = try hexQuad(at: offset + 2, escapeOffset: offset)
        switch unit {
        case 0xD800...0xDBFF:
            let next = offset + 6
            guard next + 1 < input.count, input[next] == UInt8(ascii: "\\"), input[next + 1] == UInt8(ascii: "u")
            else { throw JSONError(.loneSurrogate, at: offset) }
            let low = try hexQuad(at: next + 2, escapeOffset: next)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(.loneSurrogate, at: offset) }
            appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            return offset + 12
        case 0xDC00...0xDFFF:
            throw JSONError(.loneSurrogate, at: offset)
        default:
            appendUTF8(unit)
            return offset + 6
        }
    }

    /// Reads four hex digits at `offset`; errors point at the backslash of the escape.
    private func hexQuad(at offset: Int, escapeOffset: Int) throws(JSONError) -> UInt32 {
        var result: UInt32 = 0
        for index in offset..<offset + 4 {
            guard index < input.count else { throw JSONError(.unexpectedEnd, at: input.count) }
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw JSONError(.invalidEscape, at: escapeOffset)
            }
            result = result << 4 | UInt32(digit)
        }
        return result
    }

    /// Appends the UTF-8 encoding of a scalar value that is known not to be a surrogate.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x1_0000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Creates a `String` from bytes already checked to be well-formed UTF-8.
    private static func makeString(_ bytes: UnsafeRawBufferPointer) -> String {
        // `String(decoding:as:)` has a fast path for typed UInt8 buffers; it re-validates, but never repairs here.
        bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
    }
}
