import Dispatch

/// The write pipeline: commands add units of write operations; one batch of units is in the store at a time and the
/// next collects meanwhile (group commit). A unit's completion runs on the hub queue once its batch is durable.
struct WriteUnit {
    var ops: [WriteOp]
    /// In-memory changes to revert if the batch fails, applied newest first.
    var undo: [() -> Void]
    var completion: (Result<[AppendOutcome], StoreError>) -> Void

    var appendCount: Int {
        ops.reduce(0) { count, op in
            if case .appendMessage = op { return count + 1 }
            return count
        }
    }
}

extension Hub {
    /// Queues `ops` as one unit. Commands change memory first (so the next command sees the change), record how to
    /// undo it, and reply in `completion`.
    func write(
        _ ops: [WriteOp],
        undo: [() -> Void] = [],
        completion: @escaping (Result<[AppendOutcome], StoreError>) -> Void
    ) {
        for op in ops {
            if case .appendMessage(let message) = op { groups[message.group]?.pendingAppends += 1 }
        }
        pendingUnits.append(WriteUnit(ops: ops, undo: undo, completion: completion))
        flush()
    }

    /// Sends the next batch if none is in flight. Read cursors ride along with other writes, or go alone when
    /// `includeIdleReads` (the timer) asks.
    func flush(includeIdleReads: Bool = false) {
        guard !commitInFlight else { return }
        var count = 0
        var taken = 0
        for unit in pendingUnits {
            if taken > 0, count + unit.ops.count > configuration.maxBatchOperations { break }
            count += unit.ops.count
            taken += 1
        }
        let units = Array(pendingUnits.prefix(taken))
        pendingUnits.removeFirst(taken)
        var ops = units.flatMap(\.ops)
        let reads = (!ops.isEmpty || includeIdleReads) ? takeDirtyReads() : [:]
        for (group, members) in reads {
            for (user, seq) in members { ops.append(.setReadSeq(group, user, seq)) }
        }
        guard !ops.isEmpty else { return }
        commitInFlight = true
        let carried = HubConfined((units, reads))
        let started = DispatchTime.now().uptimeNanoseconds
        let operations = ops.count
        store.commit(ops) { [self] result in
            queue.async {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                switch result {
                case .success:
                    self.storageHealthy = true
                    self.observer?.batchCommitted(operations: operations, seconds: seconds)
                case .failure:
                    self.storageHealthy = false
                    self.observer?.batchFailed(operations: operations)
                }
                self.committed(carried.value.0, reads: carried.value.1, result)
            }
        }
    }

    private func takeDirtyReads() -> [GroupID: [UserID: Int64]] {
        let reads = dirtyReadSeqs
        dirtyReadSeqs = [:]
        return reads
    }

    private func committed(
        _ units: [WriteUnit],
        reads: [GroupID: [UserID: Int64]],
        _ result: Result<[AppendOutcome], StoreError>
    ) {
        commitInFlight = false
        for unit in units {
            for op in unit.ops {
                if case .appendMessage(let message) = op { groups[message.group]?.pendingAppends -= 1 }
            }
        }
        switch result {
        case .success(let outcomes):
            var index = 0
            for unit in units {
                let count = unit.appendCount
                unit.completion(.success(Array(outcomes[index..<(index + count)])))
                index += count
            }
        case .failure(let error):
            // Later units may build on the failed ones (a message from a member the failed batch added), so they
            // fail too, and all in-memory changes are reverted newest first.
            let queued = pendingUnits
            pendingUnits = []
            for unit in queued {
                for op in unit.ops {
                    if case .appendMessage(let message) = op { groups[message.group]?.pendingAppends -= 1 }
                }
            }
            for unit in (units + queued).reversed() {
                for undo in unit.undo.reversed() { undo() }
            }
            for (group, members) in reads {
                for (user, seq) in members {
                    dirtyReadSeqs[group, default: [:]][user] = max(seq, dirtyReadSeqs[group]?[user] ?? 0)
                }
            }
            for unit in units + queued { unit.completion(.failure(error)) }
        }
        flush()
    }

    /// A system message for `group` (written by the server, no sender).
    func systemMessage(_ group: Group, _ body: [UInt8]) -> WriteOp {
        .appendMessage(
            NewMessage(group: group.id, sender: nil, clientMsgID: nil, kind: .system, body: body, createdAt: clock())
        )
    }

    /// Publishes a committed message: the group's head moves, it joins the recent ring, and every live session
    /// gets it — encoded once. `alsoTo` reaches users who are no longer live in the group (a removed member sees
    /// their removal).
    func deliver(_ stored: StoredMessage, alsoTo extraUsers: [UserID] = []) {
        guard let group = groups[stored.message.group] else { return }
        group.lastSeq = max(group.lastSeq, stored.seq)
        let entry = Self.entry(for: stored)
        group.recent.append(entry)
        let payload = Wire.messagePush(entry.encoded)
        output.broadcast(payload, to: group.buckets(loops: loops))
        for user in extraUsers {
            for session in sessionsOfUser[user]?.values ?? [:].values where !session.live.contains(group.id) {
                output.send(payload, to: session)
            }
        }
    }

    /// Completion for units whose appends are all system messages: runs `then` (the reply to whoever asked), then
    /// pushes the messages — a command's reply always comes before the notice it caused, as a send's ack comes before
    /// its push.
    func deliverSystemMessages(
        _ ops: [WriteOp],
        alsoTo extraUsers: [UserID] = [],
        then: @escaping (Result<Void, StoreError>) -> Void = { _ in },
        afterDelivery: @escaping () -> Void = {}
    ) -> (Result<[AppendOutcome], StoreError>) -> Void {
        let messages: [NewMessage] = ops.compactMap {
            if case .appendMessage(let message) = $0 { return message }
            return nil
        }
        return { [self] result in
            switch result {
            case .success(let outcomes):
                then(.success(()))
                for (message, outcome) in zip(messages, outcomes) {
                    if case .appended(let seq) = outcome {
                        deliver(StoredMessage(seq: seq, message: message), alsoTo: extraUsers)
                    }
                }
                afterDelivery()
            case .failure(let error):
                then(.failure(error))
            }
        }
    }
}

/// Carries hub-queue values through a store completion, which may run on another thread and hops straight back
/// to the hub queue before touching them.
struct HubConfined<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Hub {
    /// A store completion that runs `body` on the hub queue. `body` may capture hub-confined state: it is only
    /// ever called there.
    func hop<Value: Sendable>(
        _ body: @escaping (Result<Value, StoreError>) -> Void
    ) -> @Sendable (Result<Value, StoreError>) -> Void {
        let confined = HubConfined(body)
        return { [self] result in queue.async { confined.value(result) } }
    }
}
