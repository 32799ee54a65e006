import JSON
import TestSupport

/// Generates random value trees for property tests, from a seeded generator.
struct RandomJSON {
    var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let maxKind = depth >= 5 ? 5 : 7
        switch Int.random(in: 0..<maxKind, using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(integer())
        case 3: return .double(double())
        case 4: return .string(string())
        case 5:
            let count = Int.random(in: 0...6, using: &generator)
            return .array((0..<count).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                object[string()] = value(depth: depth + 1)
            }
            return .object(object)
        }
    }

    mutating func integer() -> Int64 {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return [Int64.min, Int64.max, 0, -1, 1][Int.random(in: 0..<5, using: &generator)]
        case 1: return Int64.random(in: -1000...1000, using: &generator)
        default: return Int64(bitPattern: generator.next())
        }
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: return Double.random(in: -1e6...1e6, using: &generator)
        case 1:
            return [0.1, -0.0, 1.0, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 1e16, 1e-7][
                Int.random(in: 0..<7, using: &generator)
            ]
        default:
            // Any finite bit pattern: subnormals, huge exponents, long mantissas.
            while true {
                let candidate = Double(bitPattern: generator.next())
                if candidate.isFinite {
                    return candidate
                }
            }
        }
    }

    mutating func string() -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x00...0x1F, 0x4E00...0x9FFF, 0x1F600...0x1F64F, 0x80...0x7FF, 0x2020...0x202F,
            0xE000...0x10FFFF,
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            let pool = pools[Int.random(in: 0..<pools.count, using: &generator)]
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &generator)) {
                scalars.append(scalar)
            }
        }
        if Int.random(in: 0..<4, using: &generator) == 0 {
            scalars.append(contentsOf: "\"\\/".unicodeScalars)
        }
        return String(scalars)
    }
}
