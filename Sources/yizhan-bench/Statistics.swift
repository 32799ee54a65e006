/// Medians and ranges over runs, percentiles over samples.
enum Statistics {
    /// The median (mean of the middle two for an even count); 0 for no values.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Smallest and largest value; (0, 0) for no values.
    static func range(_ values: [Double]) -> (min: Double, max: Double) {
        (values.min() ?? 0, values.max() ?? 0)
    }
}

/// A log-linear histogram of non-negative integers (nanoseconds, in practice): exact below 128, then 64 buckets
/// per power of two, so any percentile is within 1.6 % of the true value. Fixed size, no allocation per sample,
/// and mergeable, so each client thread keeps its own and they are added up at the end.
struct Histogram: Sendable {
    private static let linear = 128
    private static let perOctave = 64
    private static let bucketCount = linear + 57 * perOctave

    private(set) var counts = [UInt64](repeating: 0, count: bucketCount)
    private(set) var count: UInt64 = 0
    private(set) var sum: Double = 0
    private(set) var maximum: UInt64 = 0

    static func bucket(_ value: UInt64) -> Int {
        if value < UInt64(linear) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - 6
        let mantissa = Int(value >> UInt64(shift))
        return linear + (shift - 1) * perOctave + (mantissa - perOctave)
    }

    /// The middle of bucket `index`'s value range.
    static func value(ofBucket index: Int) -> Double {
        if index < linear { return Double(index) }
        let shift = (index - linear) / perOctave + 1
        let mantissa = (index - linear) % perOctave + perOctave
        let low = Double(mantissa) * Double(1 << shift)
        return low + Double(1 << shift) / 2
    }

    mutating func record(_ value: UInt64) {
        counts[Self.bucket(value)] &+= 1
        count &+= 1
        sum += Double(value)
        if value > maximum { maximum = value }
    }

    mutating func merge(_ other: Histogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        count &+= other.count
        sum += other.sum
        maximum = max(maximum, other.maximum)
    }

    /// The value below which `fraction` (0…1) of the samples fall; 0 when empty.
    func percentile(_ fraction: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((Double(count) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.value(ofBucket: index), Double(maximum)) }
        }
        return Double(maximum)
    }

    var mean: Double { count == 0 ? 0 : sum / Double(count) }
}
