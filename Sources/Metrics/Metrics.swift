import Synchronization

/// Prometheus metrics: counters, gauges and histograms, rendered in the text exposition format (version 0.0.4).
///
/// Updates are single relaxed atomic operations, cheap enough for hot paths; label sets are small and fixed when a
/// series is created, so rendering needs no locking beyond reading the registry.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[Family]>([])
    private let collectors = Mutex<[@Sendable () -> [Sample]]>([])

    public init() {}

    /// A value computed at scrape time (gauges such as RSS or open connections).
    public struct Sample: Sendable {
        public var name: String
        public var help: String
        public var type: String
        public var labels: [(String, String)]
        public var value: Double

        public init(name: String, help: String, type: String = "gauge", labels: [(String, String)] = [], value: Double)
        {
            self.name = name
            self.help = help
            self.type = type
            self.labels = labels
            self.value = value
        }
    }

    final class Family: Sendable {
        let name: String
        let help: String
        let type: String
        let series = Mutex<[String: Series]>([:])

        init(name: String, help: String, type: String) {
            self.name = name
            self.help = help
            self.type = type
        }
    }

    enum Series: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
    }

    private func family(_ name: String, _ help: String, _ type: String) -> Family {
        families.withLock { families in
            if let existing = families.first(where: { $0.name == name }) { return existing }
            let created = Family(name: name, help: help, type: type)
            families.append(created)
            return created
        }
    }

    /// A monotonically increasing counter (`name` should end in `_total`).
    public func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Counter {
        let family = family(name, help, "counter")
        return family.series.withLock { series in
            let key = Self.labelText(labels)
            if case .counter(let existing)? = series[key] { return existing }
            let created = Counter(labels: key)
            series[key] = .counter(created)
            return created
        }
    }

    public func gauge(_ name: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
        let family = family(name, help, "gauge")
        return family.series.withLock { series in
            let key = Self.labelText(labels)
            if case .gauge(let existing)? = series[key] { return existing }
            let created = Gauge(labels: key)
            series[key] = .gauge(created)
            return created
        }
    }

    /// A histogram with cumulative buckets (upper bounds ascending; `+Inf` is added).
    public func histogram(
        _ name: String,
        _ help: String,
        buckets: [Double],
        labels: [(String, String)] = []
    ) -> Histogram {
        let family = family(name, help, "histogram")
        return family.series.withLock { series in
            let key = Self.labelText(labels)
            if case .histogram(let existing)? = series[key] { return existing }
            let created = Histogram(labels: key, bounds: buckets)
            series[key] = .histogram(created)
            return created
        }
    }

    /// Adds values computed at scrape time.
    public func collect(_ collector: @escaping @Sendable () -> [Sample]) {
        collectors.withLock { $0.append(collector) }
    }

    /// The exposition text.
    public func render() -> String {
        var out = ""
        for family in families.withLock({ $0 }) {
            out += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n# TYPE \(family.name) \(family.type)\n"
            for (labels, series) in family.series.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
                switch series {
                case .counter(let counter):
                    out += "\(family.name)\(Self.braced(labels)) \(counter.value)\n"
                case .gauge(let gauge):
                    out += "\(family.name)\(Self.braced(labels)) \(Self.number(gauge.value))\n"
                case .histogram(let histogram):
                    let (counts, sum, count) = histogram.snapshot()
                    var cumulative: UInt64 = 0
                    for (bound, bucketCount) in zip(histogram.bounds + [.infinity], counts) {
                        cumulative += bucketCount
                        let le = bound.isInfinite ? "+Inf" : Self.number(bound)
                        let joined = labels.isEmpty ? "le=\"\(le)\"" : "\(labels),le=\"\(le)\""
                        out += "\(family.name)_bucket{\(joined)} \(cumulative)\n"
                    }
                    out += "\(family.name)_sum\(Self.braced(labels)) \(Self.number(sum))\n"
                    out += "\(family.name)_count\(Self.braced(labels)) \(count)\n"
                }
            }
        }
        var seen: Set<String> = []
        for sample in collectors.withLock({ $0 }).flatMap({ $0() }) {
            if seen.insert(sample.name).inserted {
                out += "# HELP \(sample.name) \(Self.escapeHelp(sample.help))\n# TYPE \(sample.name) \(sample.type)\n"
            }
            out += "\(sample.name)\(Self.braced(Self.labelText(sample.labels))) \(Self.number(sample.value))\n"
        }
        return out
    }

    static func labelText(_ labels: [(String, String)]) -> String {
        labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",")
    }

    private static func braced(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }

    private static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    private static func escapeHelp(_ value: String) -> String {
        value.replacingBackslashesAndNewlines()
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension String {
    fileprivate func replacingBackslashesAndNewlines() -> String {
        var out = ""
        for character in self {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A counter: only goes up.
public final class Counter: Sendable {
    let labels: String
    private let atomic = Atomic<UInt64>(0)

    init(labels: String) { self.labels = labels }

    public func increment(by amount: UInt64 = 1) { atomic.add(amount, ordering: .relaxed) }
    public var value: UInt64 { atomic.load(ordering: .relaxed) }
}

/// A gauge: set, or moved up and down.
public final class Gauge: Sendable {
    let labels: String
    // The Double's bit pattern, so updates stay single atomic operations.
    private let bits = Atomic<UInt64>(0)

    init(labels: String) { self.labels = labels }

    public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }

    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// A histogram with fixed bucket bounds.
public final class Histogram: Sendable {
    let labels: String
    let bounds: [Double]
    private let buckets: [Counter]
    private let count = Atomic<UInt64>(0)
    private let sumMicros = Atomic<Int64>(0)

    init(labels: String, bounds: [Double]) {
        self.labels = labels
        self.bounds = bounds.sorted()
        self.buckets = (0...bounds.count).map { _ in Counter(labels: "") }
    }

    /// Records one observation (seconds, bytes, …). The sum is kept in millionths for atomicity.
    public func observe(_ value: Double) {
        var index = bounds.count
        for (position, bound) in bounds.enumerated() where value <= bound {
            index = position
            break
        }
        buckets[index].increment()
        count.add(1, ordering: .relaxed)
        sumMicros.add(Int64((value * 1e6).rounded()), ordering: .relaxed)
    }

    func snapshot() -> (counts: [UInt64], sum: Double, count: UInt64) {
        (buckets.map(\.value), Double(sumMicros.load(ordering: .relaxed)) / 1e6, count.load(ordering: .relaxed))
    }
}
