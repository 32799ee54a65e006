import Synchronization

/// Counts open connections, in total and per remote IP, to enforce `TransportLimits`.
/// Accept checks and increments; connections decrement from their own loops when they close.
final class ConnectionCounter: Sendable {
    private struct Counts {
        var total = 0
        var perIP: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())
    let maxTotal: Int
    let maxPerIP: Int
    let exempt: [IPNetwork]

    init(maxTotal: Int, maxPerIP: Int, exempt: [IPNetwork] = []) {
        self.maxTotal = maxTotal
        self.maxPerIP = maxPerIP
        self.exempt = exempt
    }

    enum Admission {
        case admitted
        case tooManyConnections
        case tooManyFromIP
    }

    func admit(_ ip: String) -> Admission {
        counts.withLock { counts in
            if counts.total >= maxTotal { return .tooManyConnections }
            let current = counts.perIP[ip, default: 0]
            if current >= maxPerIP, !exempt.containsAddress(ip) { return .tooManyFromIP }
            counts.total += 1
            counts.perIP[ip] = current + 1
            return .admitted
        }
    }

    func release(_ ip: String) {
        counts.withLock { counts in
            counts.total -= 1
            let current = counts.perIP[ip, default: 1]
            counts.perIP[ip] = current > 1 ? current - 1 : nil
        }
    }

    var total: Int { counts.withLock { $0.total } }
}
