extension JSONWriter {
    /// Appends, in a single `Array.append`, the bytes that `fill` writes into a stack buffer of `capacity` bytes
    /// and reports as written. Every append checks uniqueness and capacity, so a whole token (comma included)
    /// costs one check instead of one per byte.
    mutating func appendToken(capacity: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let length = fill(buffer.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress!, count: length))
        }
    }

    /// Appends a comma if needed, then `byte`.
    mutating func appendSeparated(_ byte: UInt8) {
        if needsComma {
            appendToken(capacity: 2) { token in
                token[0] = UInt8(ascii: ",")
                token[1] = byte
                return 2
            }
        } else {
            bytes.append(byte)
        }
    }

    /// Appends a comma if needed, then the ASCII text of `word` (a literal or a formatted number).
    mutating func appendSeparated(_ word: UnsafeBufferPointer<UInt8>) {
        let comma = needsComma
        appendToken(capacity: word.count + 1) { token in
            var length = 0
            if comma {
                token[0] = UInt8(ascii: ",")
                length = 1
            }
            if let base = word.baseAddress {
                (token + length).initialize(from: base, count: word.count)
            }
            return length + word.count
        }
    }

    /// Appends a comma if needed, then the decimal digits of `value`.
    mutating func appendSeparated(_ value: Int64) {
        let comma = needsComma
        appendToken(capacity: 21) { token in
            var length = 0
            if comma {
                token[0] = UInt8(ascii: ",")
                length = 1
            }
            if value < 0 {
                token[length] = UInt8(ascii: "-")
                length += 1
            }
            var magnitude = value.magnitude
            var digitCount = 1
            var bound: UInt64 = 10
            while digitCount < 20 && magnitude >= bound {
                digitCount += 1
                bound = bound &* 10
            }
            length += digitCount
            var index = length
            repeat {
                index -= 1
                token[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return length
        }
    }
}
