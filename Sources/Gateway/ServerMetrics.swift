import Foundation
import Glibc
import Metrics
import Synchronization
import Transport

/// The server's Prometheus metrics (README "Metrics" lists them). One instance per process.
public final class ServerMetrics: Sendable {
    public let registry = MetricsRegistry()

    let connectionsAccepted: Counter
    let webSocketsOpen: Gauge
    let slowConsumerDisconnects: Counter
    let messagesIn: Counter
    let deliveries: Counter
    let storeCommitSeconds: Histogram
    let storeBatchOperations: Histogram
    let storeCommitFailures: Counter
    let schedulerLagSeconds: Histogram
    private let handshakes = Mutex<[String: Counter]>([:])
    private let httpRequests = Mutex<[String: (Counter, Histogram)]>([:])

    static let latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {
        connectionsAccepted = registry.counter("yizhan_connections_accepted_total", "TCP connections admitted.")
        webSocketsOpen = registry.gauge("yizhan_websocket_connections", "Open WebSocket connections.")
        slowConsumerDisconnects = registry.counter(
            "yizhan_slow_consumer_disconnects_total",
            "WebSocket clients disconnected because their outbound queue passed limits.max_outbound_bytes."
        )
        messagesIn = registry.counter("yizhan_hub_requests_total", "Hub requests received on WebSockets.")
        deliveries = registry.counter("yizhan_hub_deliveries_total", "Frames the hub handed to connections.")
        storeCommitSeconds = registry.histogram(
            "yizhan_store_commit_seconds",
            "Time from handing a batch to the store to its commit.",
            buckets: Self.latencyBuckets
        )
        storeBatchOperations = registry.histogram(
            "yizhan_store_batch_operations",
            "Write operations per committed batch (group commit).",
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        )
        storeCommitFailures = registry.counter(
            "yizhan_store_commit_failures_total",
            "Batches the store failed to commit."
        )
        schedulerLagSeconds = registry.histogram(
            "yizhan_scheduler_lag_seconds",
            "How late scheduled jobs (automatic reminders) ran.",
            buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]
        )
        registry.collect {
            let (cpu, rss) = Self.processUsage()
            return [
                .init(
                    name: "process_cpu_seconds_total",
                    help: "User and system CPU time.",
                    type: "counter",
                    value: cpu
                ),
                .init(name: "process_resident_memory_bytes", help: "Resident set size.", value: rss),
            ]
        }
    }

    /// A handshake's outcome: `ok`, or the refusal's code (`token_expired`, `origin_not_allowed`, …).
    func handshake(_ outcome: String) {
        let counter = handshakes.withLock { counters in
            if let existing = counters[outcome] { return existing }
            let created = registry.counter(
                "yizhan_websocket_handshakes_total",
                "WebSocket upgrade requests by outcome.",
                labels: [("outcome", outcome)]
            )
            counters[outcome] = created
            return created
        }
        counter.increment()
    }

    /// One HTTP request: its route pattern (`unmatched` when none), status and duration.
    func httpRequest(route: String, method: String, status: Int, seconds: Double) {
        let key = "\(method) \(route) \(status)"
        let (counter, histogram) = httpRequests.withLock { series in
            if let existing = series[key] { return existing }
            let created = (
                registry.counter(
                    "yizhan_http_requests_total",
                    "HTTP requests by route, method and status.",
                    labels: [("route", route), ("method", method), ("status", String(status))]
                ),
                registry.histogram(
                    "yizhan_http_request_duration_seconds",
                    "HTTP request duration from the full request to the response head, by route.",
                    buckets: Self.latencyBuckets,
                    labels: [("route", route), ("method", method)]
                )
            )
            series[key] = created
            return created
        }
        counter.increment()
        histogram.observe(seconds)
    }

    /// Gauges read from the transport at scrape time.
    func watch(_ server: Server) {
        registry.collect { [weak server] in
            guard let server else { return [] }
            var queued = 0
            for loop in server.group.loops {
                queued += loop.queue.sync { loop.openConnections.reduce(0) { $0 + $1.queuedOutputBytes } }
            }
            return [
                .init(name: "yizhan_connections", help: "Open TCP connections.", value: Double(server.connectionCount)),
                .init(
                    name: "yizhan_outbound_queued_bytes",
                    help: "Bytes queued for clients and not yet written.",
                    value: Double(queued)
                ),
            ]
        }
    }

    /// CPU seconds and RSS bytes of this process, from /proc.
    static func processUsage() -> (Double, Double) {
        var cpu = 0.0
        var rss = 0.0
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 21 {
                let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
                cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
                rss = (Double(fields[21]) ?? 0) * Double(sysconf(Int32(_SC_PAGESIZE)))
            }
        }
        return (cpu, rss)
    }
}
