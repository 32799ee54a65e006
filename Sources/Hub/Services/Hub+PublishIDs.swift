import JSON

/// The `clientMsgId` of `card.publish` and `task.publish`. A card or task is announced by a message that carries
/// the id, and the store keeps one message per (sender, clientMsgId): cards, tasks and messages share the
/// publisher's one space of ids. A retried publish returns the original; an id already used for another kind of
/// thing is refused with `invalid_request` and changes nothing.
extension Hub {
    /// Answers a publish whose `clientMsgId` memory knows: replies with the original (true) when it is a retry of
    /// the same kind, throws when the id names something else. False: go on and publish.
    func answerRepeatedPublish(
        _ kind: MessageKind,
        clientMsgID: String,
        id requestID: String,
        session: Session
    ) throws(HubError) -> Bool {
        let key = session.user + "\u{0}" + clientMsgID
        // Card and task ids both count from 1, so the key's id is only the original if the record says so.
        if let id = publishedByClientID[key] {
            if let card = cards[id], card.publisher == session.user, card.clientMsgID == clientMsgID {
                guard kind == .card else { throw Self.reused(clientMsgID, for: .card) }
                output.send(duplicateReply(kind, id, requestID), to: session)
                return true
            }
            if let task = tasks[id], task.publisher == session.user, task.clientMsgID == clientMsgID {
                guard kind == .task else { throw Self.reused(clientMsgID, for: .task) }
                output.send(duplicateReply(kind, id, requestID), to: session)
                return true
            }
        }
        if recentAcks[key] != nil { throw Self.reused(clientMsgID, for: .text) }
        return false
    }

    /// A publish whose message the store already had (an id memory no longer knows). The same batch stored the
    /// record and its reminder jobs, so they are withdrawn: from memory by `undo`, from the store by a closed,
    /// empty record that start-up skips and the retention purge deletes. The attachments' shares stay, in memory
    /// as in the store (the publisher meant them for this group; the purge withdraws what nothing refers to).
    /// The stored message then decides the answer: the original of a retry, or `invalid_request`.
    func publishFoundDuplicate(
        _ kind: MessageKind,
        clientMsgID: String,
        record: ServiceRecord,
        jobs: [JobRecord],
        undo: () -> Void,
        original: (group: GroupID, seq: Int64),
        id requestID: String,
        session: Session
    ) {
        undo()
        let withdrawn = ServiceRecord(
            kind: record.kind,
            id: record.id,
            group: record.group,
            body: Array(#"{"withdrawn":true}"#.utf8),
            createdAt: record.createdAt,
            closedAt: clock()
        )
        write([.upsertRecord(withdrawn)] + jobs.map { .deleteJob($0.id) }) { _ in }
        announcement(in: original.group, seq: original.seq) { [self] result in
            switch result {
            case .success(let found):
                if let found, found.kind == kind, let id = found.id {
                    output.send(duplicateReply(kind, id, requestID), to: session)
                } else {
                    output.send(Wire.error(Self.reused(clientMsgID, for: found?.kind), id: requestID), to: session)
                }
            case .failure:
                output.send(Wire.error(.storage, id: requestID), to: session)
            }
        }
    }

    private func duplicateReply(_ kind: MessageKind, _ id: Int64, _ requestID: String) -> [UInt8] {
        Wire.reply(requestID) {
            $0.key(kind.rawValue)
            $0.int(id)
            $0.key("duplicate")
            $0.bool(true)
        }
    }

    static func reused(_ clientMsgID: String, for kind: MessageKind?) -> HubError {
        let what =
            switch kind {
            case .card: "a card"
            case .task: "a task"
            default: "a message"
            }
        return .invalid(
            "clientMsgId '\(clientMsgID)' already names \(what) of yours; every message, card and task needs its own id."
        )
    }

    /// The kind of message `seq` of `group` and the card or task it announces, from the recent ring or the store.
    private func announcement(
        in group: GroupID,
        seq: Int64,
        completion: @escaping (Result<(kind: MessageKind, id: Int64?)?, HubError>) -> Void
    ) {
        if let entry = groups[group]?.recent.entry(seq: seq) {
            let body = (try? JSONParser.parse(entry.encoded))?["body"]
            return completion(.success((entry.kind, body?[entry.kind.rawValue]?.int64Value)))
        }
        let completion = HubConfined(completion)
        store.readMessages([MessageQuery(group: group, after: seq - 1, limit: 1)]) { [self] result in
            queue.async {
                guard case .success(let pages) = result else { return completion.value(.failure(.storage)) }
                guard let stored = pages.first?.first, stored.seq == seq else { return completion.value(.success(nil)) }
                let kind = stored.message.kind
                let body = try? JSONParser.parse(stored.message.body)
                completion.value(.success((kind, body?[kind.rawValue]?.int64Value)))
            }
        }
    }

    /// Writes a card or task publish — `ops` hold its record and jobs and end with `message`, which announces it —
    /// then answers: `{"card"|"task": id, "seq": seq}` and the message delivered once durable (and the jobs
    /// scheduled), or the original when the store already had the `clientMsgId`.
    func commitPublish(
        record: ServiceRecord,
        jobs scheduled: [JobRecord],
        message: NewMessage,
        ops: [WriteOp],
        undo: @escaping () -> Void,
        id requestID: String,
        session: Session
    ) {
        write(ops, undo: [undo]) { [self] result in
            guard case .success(let outcomes) = result, let outcome = outcomes.first else {
                return output.send(Wire.error(.storage, id: requestID), to: session)
            }
            applyShares(ops)
            switch outcome {
            case .appended(let seq):
                for job in scheduled { jobs.insert(job) }
                output.send(
                    Wire.reply(requestID) { writer in
                        writer.key(record.kind.rawValue)
                        writer.int(record.id)
                        writer.key("seq")
                        writer.int(seq)
                    },
                    to: session
                )
                deliver(StoredMessage(seq: seq, message: message))
            case .duplicate(let originalGroup, let seq, _):
                publishFoundDuplicate(
                    message.kind,
                    clientMsgID: message.clientMsgID ?? "",
                    record: record,
                    jobs: scheduled,
                    undo: undo,
                    original: (originalGroup, seq),
                    id: requestID,
                    session: session
                )
            }
        }
    }
}
