import Hub
import Synchronization
import Transport

/// Per-client-IP limits shared by all event loops: token buckets for WebSocket handshakes and HTTP requests, and
/// the count of open WebSockets from clients behind trusted proxies (whose TCP connections the transport cannot
/// attribute). Entries that have refilled and hold no connections are swept, so memory follows active clients.
final class ClientLimiter: Sendable {
    fileprivate struct Entry {
        var handshakes: TokenBucket?
        var requests: TokenBucket?
        var webSockets = 0
    }

    fileprivate struct State {
        var entries: [String: Entry] = [:]
        var operationsSinceSweep = 0
    }

    enum Kind {
        case handshake
        case request
    }

    private let state = Mutex(State())
    let handshakeLimit: RateLimit
    let requestLimit: RateLimit
    let maxWebSocketsPerIP: Int
    /// Clients tracked at most; past it, refilled entries are swept, and if all are busy the oldest buckets are
    /// forgotten (a flood of distinct addresses then gets fresh buckets rather than unbounded memory).
    let maxEntries: Int
    private let clock: @Sendable () -> Int64

    init(
        handshakes: RateLimit,
        requests: RateLimit,
        maxWebSocketsPerIP: Int,
        maxEntries: Int = 200_000,
        clock: @escaping @Sendable () -> Int64 = { Int64(MonotonicClock.now() / 1_000_000) }
    ) {
        self.handshakeLimit = handshakes
        self.requestLimit = requests
        self.maxWebSocketsPerIP = maxWebSocketsPerIP
        self.maxEntries = maxEntries
        self.clock = clock
    }

    /// Takes a token for `ip`; returns nil if allowed, else the seconds to wait.
    func take(_ kind: Kind, for ip: String) -> Double? {
        let limit = kind == .handshake ? handshakeLimit : requestLimit
        guard !limit.isUnlimited else { return nil }
        let now = clock()
        return state.withLock { state in
            state.maintain(now: now, maxEntries: maxEntries, limits: (handshakeLimit, requestLimit))
            var entry = state.entries[ip] ?? Entry()
            var bucket = (kind == .handshake ? entry.handshakes : entry.requests) ?? TokenBucket(limit, now: now)
            let wait = bucket.take(limit, now: now)
            if kind == .handshake { entry.handshakes = bucket } else { entry.requests = bucket }
            state.entries[ip] = entry
            return wait
        }
    }

    /// Counts an open WebSocket from a proxied client; false when the client already has the most allowed.
    func openWebSocket(for ip: String) -> Bool {
        state.withLock { state in
            var entry = state.entries[ip] ?? Entry()
            guard entry.webSockets < maxWebSocketsPerIP else { return false }
            entry.webSockets += 1
            state.entries[ip] = entry
            return true
        }
    }

    func closeWebSocket(for ip: String) {
        state.withLock { state in
            guard var entry = state.entries[ip] else { return }
            entry.webSockets = max(0, entry.webSockets - 1)
            state.entries[ip] = entry
        }
    }

    var trackedClients: Int { state.withLock { $0.entries.count } }
}

extension ClientLimiter.State {
    /// Every few thousand operations, or when full, drops entries that have refilled and hold no connections.
    fileprivate mutating func maintain(now: Int64, maxEntries: Int, limits: (RateLimit, RateLimit)) {
        operationsSinceSweep += 1
        guard operationsSinceSweep >= 4096 || entries.count >= maxEntries else { return }
        operationsSinceSweep = 0
        entries = entries.filter { _, entry in
            guard entry.webSockets == 0 else { return true }
            var handshakes = entry.handshakes
            var requests = entry.requests
            let refilled =
                (handshakes?.isFull(limits.0, now: now) ?? true) && (requests?.isFull(limits.1, now: now) ?? true)
            return !refilled
        }
        if entries.count >= maxEntries {
            // Everyone is busy: keep connection counts, forget buckets.
            entries = entries.compactMapValues {
                $0.webSockets > 0 ? ClientLimiter.Entry(webSockets: $0.webSockets) : nil
            }
        }
    }
}
