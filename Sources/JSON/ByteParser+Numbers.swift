extension ByteParser {
    // Powers of ten that a Double represents exactly (10^22 is the largest).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a number starting at `position` (a `-` or a digit) per RFC 8259 section 6.
    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        let end = input.count
        var index = start
        let isNegative = input[index] == UInt8(ascii: "-")
        if isNegative {
            index += 1
        }

        // All significant digits (integer and fraction part) accumulate here until they no longer fit.
        var digits: UInt64 = 0
        var digitsOverflowed = false
        var fractionDigits = 0

        guard index < end, isDigit(input[index]) else { throw JSONError(.invalidNumber, at: start) }
        if input[index] == UInt8(ascii: "0") {
            index += 1
            // RFC 8259 forbids leading zeros: `0` must stand alone before the fraction or exponent.
            if index < end && isDigit(input[index]) {
                throw JSONError(.invalidNumber, at: start)
            }
        } else {
            while index < end && isDigit(input[index]) {
                accumulate(input[index], into: &digits, overflowed: &digitsOverflowed)
                index += 1
            }
        }

        var isInteger = true
        if index < end && input[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < end && isDigit(input[index]) {
                accumulate(input[index], into: &digits, overflowed: &digitsOverflowed)
                if !digitsOverflowed {
                    fractionDigits += 1
                }
                index += 1
            }
            guard index > fractionStart else { throw JSONError(.invalidNumber, at: start) }
        }

        var exponent = 0
        if index < end && input[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentIsNegative = false
            if index < end && (input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-")) {
                exponentIsNegative = input[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < end && isDigit(input[index]) {
                // Saturate: anything this large overflows or underflows a Double regardless of the digits.
                if exponent < 100_000 {
                    exponent = exponent * 10 + Int(input[index] &- UInt8(ascii: "0"))
                }
                index += 1
            }
            guard index > exponentStart else { throw JSONError(.invalidNumber, at: start) }
            if exponentIsNegative {
                exponent = -exponent
            }
        }

        guard index - start <= limits.maxNumberBytes else { throw JSONError(.numberLengthLimitExceeded, at: start) }
        position = index

        if isInteger && !digitsOverflowed {
            if isNegative {
                if digits <= UInt64(Int64.max) + 1 {
                    return .int(Int64(truncatingIfNeeded: 0 &- digits))
                }
            } else if digits <= UInt64(Int64.max) {
                return .int(Int64(digits))
            }
        }

        // Clinger's fast path: an exact significand below 2^53 and an exact power of ten need one correctly
        // rounded IEEE operation. Everything else goes through the standard library's correctly rounded parser.
        let decimalExponent = exponent - fractionDigits
        if !digitsOverflowed && digits <= 1 << 53 && (-22...22).contains(decimalExponent) {
            let significand = Double(digits)
            let magnitude =
                decimalExponent < 0
                ? significand / Self.exactPowersOfTen[-decimalExponent]
                : significand * Self.exactPowersOfTen[decimalExponent]
            return .double(isNegative ? -magnitude : magnitude)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw JSONError(.numberOutOfRange, at: start) }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private func accumulate(_ byte: UInt8, into digits: inout UInt64, overflowed: inout Bool) {
        guard !overflowed else { return }
        let (times10, overflow1) = digits.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
        if overflow1 || overflow2 {
            overflowed = true
        } else {
            digits = sum
        }
    }
}
