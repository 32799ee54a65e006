import JSON

/// A published card and its responses, on the hub queue.
final class Card: @unchecked Sendable {
    let id: Int64
    let group: GroupID
    let definition: CardDefinition
    let publisher: UserID
    let createdAt: Timestamp
    var closedAt: Timestamp?
    /// Members when it was published (the publisher excluded): who is asked to respond.
    let recipients: [UserID]
    /// Who responded, when, and — unless anonymous — what.
    var responses: [UserID: Response] = [:]
    /// Answers of an anonymous card, by random key: never linked to a member, not even in the store.
    var anonymousAnswers: [String: CardAnswer] = [:]
    /// The publisher's idempotency key (a retried publish returns this card).
    var clientMsgID: String?

    struct Response: Equatable {
        var answer: CardAnswer?
        var submittedAt: Timestamp
        var updatedAt: Timestamp
        var late = false
    }

    init(
        id: Int64,
        group: GroupID,
        definition: CardDefinition,
        publisher: UserID,
        createdAt: Timestamp,
        closedAt: Timestamp?,
        recipients: [UserID]
    ) {
        self.id = id
        self.group = group
        self.definition = definition
        self.publisher = publisher
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.recipients = recipients
    }

    /// Whether responses are accepted at `now`.
    func isOpen(at now: Timestamp) -> Bool {
        closedAt == nil && (definition.closesAt.map { now <= $0 } ?? true)
    }

    // MARK: Storage

    var record: ServiceRecord {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("definition")
        writer.beginObject()
        definition.write(to: &writer, includeSecrets: true)
        writer.endObject()
        writer.key("publisher")
        writer.string(publisher)
        writer.users("recipients", recipients)
        if let clientMsgID {
            writer.key("clientMsgId")
            writer.string(clientMsgID)
        }
        writer.endObject()
        return ServiceRecord(
            kind: .card,
            id: id,
            group: group,
            body: writer.bytes,
            createdAt: createdAt,
            closedAt: closedAt
        )
    }

    /// The store entry of `user`'s response (an anonymous card stores only the time).
    func entry(for user: UserID) -> RecordEntry? {
        guard let response = responses[user] else { return nil }
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.key("submittedAt")
        writer.int(response.submittedAt)
        if response.late {
            writer.key("late")
            writer.bool(true)
        }
        if let answer = response.answer {
            writer.key("answer")
            writer.beginObject()
            answer.write(to: &writer)
            writer.endObject()
        }
        writer.endObject()
        return RecordEntry(kind: .card, record: id, user: user, body: writer.bytes, updatedAt: response.updatedAt)
    }

    /// The store entry of an anonymous answer, keyed by its random key.
    /// An anonymous answer's row. It carries no time: any time could be matched with the respondent's own row
    /// (written in the same batch with the time of the answer) and link the two.
    static func anonymousEntry(card: Int64, key: String, answer: CardAnswer) -> RecordEntry {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.key("answer")
        writer.beginObject()
        answer.write(to: &writer)
        writer.endObject()
        writer.endObject()
        return RecordEntry(kind: .card, record: card, user: "anon:" + key, body: writer.bytes, updatedAt: 0)
    }

    /// Rebuilds a card from the store.
    static func restore(_ stored: RecordWithEntries) -> Card? {
        guard let value = try? JSONParser.parse(stored.record.body), let definitionValue = value["definition"],
            let definition = try? CardDefinition.decode(definitionValue, now: nil),
            let publisher = value["publisher"]?.stringValue
        else { return nil }
        let card = Card(
            id: stored.record.id,
            group: stored.record.group,
            definition: definition,
            publisher: publisher,
            createdAt: stored.record.createdAt,
            closedAt: stored.record.closedAt,
            recipients: value["recipients"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
        card.clientMsgID = value["clientMsgId"]?.stringValue
        for entry in stored.entries {
            guard let body = try? JSONParser.parse(entry.body) else { continue }
            let answer = body["answer"].flatMap { CardAnswer.stored($0, for: definition) }
            if entry.user.hasPrefix("anon:") {
                if let answer { card.anonymousAnswers[String(entry.user.dropFirst(5))] = answer }
            } else {
                card.responses[entry.user] = Response(
                    answer: answer,
                    submittedAt: body["submittedAt"]?.int64Value ?? entry.updatedAt,
                    updatedAt: entry.updatedAt,
                    late: body["late"]?.boolValue ?? false
                )
            }
        }
        return card
    }

    // MARK: Results

    /// Every answer, with who gave it (nil for anonymous cards).
    var answers: [(user: UserID?, answer: CardAnswer)] {
        if definition.anonymous { return anonymousAnswers.sorted { $0.key < $1.key }.map { (nil, $0.value) } }
        return responses.sorted { $0.key < $1.key }.compactMap { user, response in response.answer.map { (user, $0) } }
    }

    /// Aggregate results: counts per option, rating averages, text answers. Names appear only when the card is not
    /// anonymous and `withNames` is set.
    func writeResults(to writer: inout JSONWriter, withNames: Bool) {
        let answers = self.answers
        switch definition.type {
        case .vote:
            var counts = [Int](repeating: 0, count: definition.options.count)
            var voters = [[UserID]](repeating: [], count: definition.options.count)
            for (user, answer) in answers {
                guard case .choices(let choices) = answer else { continue }
                for choice in choices where choice < counts.count {
                    counts[choice] += 1
                    if let user { voters[choice].append(user) }
                }
            }
            writer.key("counts")
            writer.beginArray()
            for count in counts { writer.int(count) }
            writer.endArray()
            if withNames, !definition.anonymous {
                writer.key("voters")
                writer.beginArray()
                for list in voters { writer.users("", list, inArray: true) }
                writer.endArray()
            }
        case .questionnaire:
            writer.key("questions")
            writer.beginArray()
            for (index, question) in definition.questions.enumerated() {
                writer.beginObject()
                let values = answers.compactMap { user, answer -> (UserID?, CardAnswer.QuestionAnswer)? in
                    guard case .answers(let list) = answer, index < list.count, let value = list[index] else {
                        return nil
                    }
                    return (user, value)
                }
                writer.key("answered")
                writer.int(values.count)
                switch question.kind {
                case .single, .multiple:
                    var counts = [Int](repeating: 0, count: question.options.count)
                    for (_, value) in values {
                        switch value {
                        case .option(let option) where option < counts.count: counts[option] += 1
                        case .options(let options):
                            for option in options where option < counts.count { counts[option] += 1 }
                        default: break
                        }
                    }
                    writer.key("counts")
                    writer.beginArray()
                    for count in counts { writer.int(count) }
                    writer.endArray()
                case .rating:
                    var distribution = [Int](repeating: 0, count: question.scale)
                    var total = 0
                    for (_, value) in values {
                        if case .rating(let rating) = value, rating >= 1, rating <= question.scale {
                            distribution[rating - 1] += 1
                            total += rating
                        }
                    }
                    writer.key("distribution")
                    writer.beginArray()
                    for count in distribution { writer.int(count) }
                    writer.endArray()
                    writer.key("average")
                    if values.isEmpty {
                        writer.null()
                    } else {
                        writer.double((Double(total) / Double(values.count) * 100).rounded() / 100)
                    }
                case .text:
                    writer.key("texts")
                    writer.beginArray()
                    for (user, value) in values {
                        guard case .text(let text) = value else { continue }
                        if withNames, let user {
                            writer.beginObject()
                            writer.key("user")
                            writer.string(user)
                            writer.key("text")
                            writer.string(text)
                            writer.endObject()
                        } else {
                            writer.string(text)
                        }
                    }
                    writer.endArray()
                }
                writer.endObject()
            }
            writer.endArray()
        case .notice, .checkin:
            break
        }
    }

    /// Participation: who responded (on time, late) and who did not.
    func writeParticipation(to writer: inout JSONWriter) {
        let responded = recipients.filter { responses[$0] != nil }
        let missing = recipients.filter { responses[$0] == nil }
        writer.key("recipients")
        writer.int(recipients.count)
        writer.key("responded")
        writer.int(responded.count)
        writer.users("respondents", responded.filter { responses[$0]?.late != true })
        if definition.type == .checkin { writer.users("late", responded.filter { responses[$0]?.late == true }) }
        writer.users("missing", missing)
    }
}

extension JSONWriter {
    /// Writes an array of strings as an array element (no key) when `inArray` is set.
    mutating func users(_ key: String, _ users: [UserID], inArray: Bool) {
        if !inArray { self.key(key) }
        beginArray()
        for user in users { string(user) }
        endArray()
    }
}
