import Synchronization

/// Counters the workers bump and the main thread watches.
final class Progress: Sendable {
    let opened = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let live = Atomic<Int>(0)
    /// Bench messages received (pushes and sync pages), in all.
    let deliveries = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let acked = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    /// Open connections the server closed (close frame or EOF).
    let dropped = Atomic<Int>(0)
    /// Deliveries owed for sent messages (fan-out backlog: owed − received).
    let owed = Atomic<Int>(0)
    let reads = Atomic<Int>(0)
    /// Card answers accepted.
    let answers = Atomic<Int>(0)
    /// Clients live again after a reconnect.
    let resumed = Atomic<Int>(0)
    /// Handshakes retried after a refusal or a socket error.
    let retries = Atomic<Int>(0)

    enum Counter {
        case opened, failed, live, deliveries, sent, acked, errors, dropped, owed, reads, answers, resumed, retries
    }

    /// The current value of a counter (atomics cannot be reached through key paths).
    func value(_ counter: Counter) -> Int {
        switch counter {
        case .opened: opened.load(ordering: .relaxed)
        case .failed: failed.load(ordering: .relaxed)
        case .live: live.load(ordering: .relaxed)
        case .deliveries: deliveries.load(ordering: .relaxed)
        case .sent: sent.load(ordering: .relaxed)
        case .acked: acked.load(ordering: .relaxed)
        case .errors: errors.load(ordering: .relaxed)
        case .dropped: dropped.load(ordering: .relaxed)
        case .owed: owed.load(ordering: .relaxed)
        case .reads: reads.load(ordering: .relaxed)
        case .answers: answers.load(ordering: .relaxed)
        case .resumed: resumed.load(ordering: .relaxed)
        case .retries: retries.load(ordering: .relaxed)
        }
    }
}

/// The client behaviour scenarios share: a connection opens, asks for its `conversations` to learn its group and
/// the group's head, `sync`s from there (or, after a reconnect, from the newest seq it holds, page by page) and is
/// then live; every message it gets, pushed or paged, is checked against the seqs it holds. Sends carry their send
/// time in the request id and in the text, so acks and deliveries measure latency without any table.
///
/// One instance per worker; subclasses add what their scenario does on top.
class GroupClient: ClientHandler {
    let progress: Progress
    /// Record delivery latencies (off during warm-up phases).
    var measuring = false
    /// Delivery latency: send to push (or to sync page, for messages a reconnecting client missed).
    var latency = Histogram()
    var resumedLatency = Histogram()
    var ackLatency = Histogram()
    /// The newest acked seq per group (the head every member must reach).
    var heads: [Int64: Int64] = [:]
    var errorCodes: [String: Int] = [:]
    /// Deliveries not yet added to `progress` (added once per loop turn).
    private var deliveriesThisTurn = 0
    private var counter: UInt64 = 0
    var random = SystemRandomNumberGenerator()
    let idKind: RequestWriter.MessageIDKind
    let textBytes: Int

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int) {
        self.progress = progress
        self.idKind = idKind
        self.textBytes = textBytes
    }

    // MARK: Hooks

    /// The connection synced its group and receives pushes.
    func wentLive(_ connection: ClientConnection, on worker: ClientWorker) {}
    /// A send of `connection` was acked (or refused).
    func acked(_ connection: ClientConnection, ok: Bool, on worker: ClientWorker) {}
    /// Other frames: receipts pushes, read replies.
    func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {}
    /// Whether a connection starts with `conversations` + `sync` when it opens.
    func syncs(_ connection: ClientConnection) -> Bool { true }
    /// `conversations` told the connection its group (`connection.group`, 0 when it has several) and head
    /// (`lastSeq`); the default syncs from there.
    func learnedGroup(_ connection: ClientConnection, heads: [Int64: Int64], on worker: ClientWorker) {
        if connection.group != 0 {
            worker.request.sync(group: connection.group, after: connection.lastSeq)
        } else {
            worker.request.sync()
        }
        worker.sendRequest(on: connection)
    }

    // MARK: ClientHandler

    func opened(_ connection: ClientConnection, on worker: ClientWorker) {
        progress.opened.add(1, ordering: .relaxed)
        guard syncs(connection) else { return }
        if connection.group != 0 {
            worker.request.sync(group: connection.group, after: connection.lastSeq)
        } else {
            worker.request.conversations()
        }
        worker.sendRequest(on: connection)
    }

    func failed(_ connection: ClientConnection, status: Int, error: Int32, on worker: ClientWorker) {
        progress.failed.add(1, ordering: .relaxed)
    }

    func closed(_ connection: ClientConnection, code: Int, on worker: ClientWorker) {
        progress.dropped.add(1, ordering: .relaxed)
        if connection.live { progress.live.subtract(1, ordering: .relaxed) }
        connection.live = false
        errorCodes["closed by server (\(code))", default: 0] += 1
    }

    func received(_ message: UnsafeRawBufferPointer, on connection: ClientConnection, worker: ClientWorker) {
        switch ServerMessage.kind(message) {
        case .message:
            guard let push = ServerMessage.push(message) else { return }
            // Only the group a client follows counts (a counselor in several groups is not checked).
            guard push.group == connection.group else { return }
            connection.accept(seq: push.seq)
            if let sentAt = push.sentAt {
                connection.received += 1
                deliveriesThisTurn += 1
                if measuring { latency.record(Clock.now() &- sentAt) }
            }
        case .reply:
            guard let reply = ServerMessage.reply(message) else { return }
            switch reply.idLetter {
            case UInt8(ascii: "s"): sendReply(reply, message, connection, worker)
            case UInt8(ascii: "c"): conversationsReply(reply, message, connection, worker)
            case UInt8(ascii: "y"): syncReply(reply, message, connection, worker)
            default:
                if !reply.ok { error(message) }
                other(message, connection, on: worker)
            }
        case .error:
            error(message)
        default:
            other(message, connection, on: worker)
        }
    }

    func tick(_ worker: ClientWorker, now: UInt64) {
        if deliveriesThisTurn > 0 {
            progress.deliveries.add(deliveriesThisTurn, ordering: .relaxed)
            deliveriesThisTurn = 0
        }
    }

    // MARK: Requests

    /// Queues a `send` to the connection's group.
    func send(on connection: ClientConnection, worker: ClientWorker, group: Int64? = nil) {
        counter &+= 1
        worker.request.send(
            group: group ?? connection.group,
            sentAt: Clock.now(),
            idKind: idKind,
            counter: counter,
            node: UInt64(connection.user),
            textBytes: textBytes,
            generator: &random
        )
        worker.sendRequest(on: connection)
        connection.outstanding += 1
        progress.sent.add(1, ordering: .relaxed)
    }

    func error(_ message: UnsafeRawBufferPointer) {
        errorCodes[ServerMessage.errorCode(message), default: 0] += 1
        progress.errors.add(1, ordering: .relaxed)
    }

    // MARK: Replies

    private func sendReply(
        _ reply: ServerMessage.Reply,
        _ message: UnsafeRawBufferPointer,
        _ connection: ClientConnection,
        _ worker: ClientWorker
    ) {
        connection.outstanding -= 1
        if reply.ok {
            ackLatency.record(Clock.now() &- reply.idNumber)
            progress.acked.add(1, ordering: .relaxed)
            if let group = ServerMessage.integer(after: #""group":"#, in: message, from: reply.rest),
                let seq = ServerMessage.integer(after: #""seq":"#, in: message, from: group.end)
            {
                heads[group.value] = max(heads[group.value] ?? 0, seq.value)
            }
        } else {
            error(message)
        }
        acked(connection, ok: reply.ok, on: worker)
    }

    private func conversationsReply(
        _ reply: ServerMessage.Reply,
        _ message: UnsafeRawBufferPointer,
        _ connection: ClientConnection,
        _ worker: ClientWorker
    ) {
        guard reply.ok else { return error(message) }
        let groups = ServerMessage.heads(message)
        // Students are in exactly one class group; a counselor following several is not loss-checked.
        if groups.count == 1, let (group, head) = groups.first {
            connection.group = group
            connection.lastSeq = head
        }
        learnedGroup(connection, heads: groups, on: worker)
    }

    private func syncReply(
        _ reply: ServerMessage.Reply,
        _ message: UnsafeRawBufferPointer,
        _ connection: ClientConnection,
        _ worker: ClientWorker
    ) {
        guard reply.ok, let pages = ServerMessage.syncPages(message) else { return error(message) }
        var more = false
        for page in pages where page.group == connection.group {
            if let problem = page.error {
                errorCodes["sync: \(problem)", default: 0] += 1
                progress.errors.add(1, ordering: .relaxed)
                continue
            }
            let now = Clock.now()
            for entry in page.messages {
                connection.accept(seq: entry.seq)
                if let sentAt = entry.sentAt {
                    connection.received += 1
                    deliveriesThisTurn += 1
                    if measuring { resumedLatency.record(now &- sentAt) }
                }
            }
            more = more || page.more
        }
        if more {
            worker.request.sync(group: connection.group, after: connection.lastSeq)
            worker.sendRequest(on: connection)
            return
        }
        connection.live = true
        progress.live.add(1, ordering: .relaxed)
        wentLive(connection, on: worker)
    }
}

/// What every worker's `GroupClient` measured, merged.
struct GroupClientTotals: Sendable {
    var latency = Histogram()
    var resumedLatency = Histogram()
    var ackLatency = Histogram()
    var heads: [Int64: Int64] = [:]
    var errorCodes: [String: Int] = [:]

    init(_ client: GroupClient) {
        latency = client.latency
        resumedLatency = client.resumedLatency
        ackLatency = client.ackLatency
        heads = client.heads
        errorCodes = client.errorCodes
    }

    init() {}

    mutating func merge(_ other: GroupClientTotals) {
        latency.merge(other.latency)
        resumedLatency.merge(other.resumedLatency)
        ackLatency.merge(other.ackLatency)
        heads.merge(other.heads) { max($0, $1) }
        errorCodes.merge(other.errorCodes, uniquingKeysWith: +)
    }
}
