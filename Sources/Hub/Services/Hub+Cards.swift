import JSON

extension Hub {
    /// `card.publish`: a card appears in the group as a message of kind `card`; the members of that moment are its
    /// recipients. Publishing is posting: mutes apply as for `send`.
    func publishCard(
        _ id: GroupID,
        clientMsgID: String,
        definition value: JSONValue,
        id requestID: String,
        session: Session
    ) throws(HubError) {
        // A retry gets the original even if the publisher was muted (or the group frozen) since, as for `send`.
        if try answerRepeatedPublish(.card, clientMsgID: clientMsgID, id: requestID, session: session) { return }
        let (group, member) = try requireMember(id, session)
        try requireNotInbox(group)
        guard member.role != .member || group.record.allowMemberCards else {
            throw .forbidden("the group's owner and admins (members too when the group allows member cards)")
        }
        let now = clock()
        try requirePoster(group, member, now: now)
        let definition = try CardDefinition.decode(value, now: now)
        var ops: [WriteOp] = []
        for object in definition.attachments {
            if let share = try shareable(object, by: session.user, in: group.id) { ops.append(share) }
        }
        let card = Card(
            id: nextRecordID(.card),
            group: group.id,
            definition: definition,
            publisher: session.user,
            createdAt: now,
            closedAt: nil,
            recipients: group.members.keys.filter { $0 != session.user }.sorted()
        )
        card.clientMsgID = clientMsgID
        let key = session.user + "\u{0}" + clientMsgID
        cards[card.id] = card
        publishedByClientID[key] = card.id
        var summary = JSONWriter(capacity: 128)
        summary.beginObject()
        summary.key("card")
        summary.int(card.id)
        summary.key("type")
        summary.string(definition.type.rawValue)
        summary.key("title")
        summary.string(definition.title)
        if let closesAt = definition.closesAt {
            summary.key("closesAt")
            summary.int(closesAt)
        }
        summary.endObject()
        let message = NewMessage(
            group: group.id,
            sender: session.user,
            clientMsgID: clientMsgID,
            kind: .card,
            body: summary.bytes,
            createdAt: now
        )
        ops += [.upsertRecord(card.record), .appendMessage(message)]
        let undo = { [self] in
            cards[card.id] = nil
            if publishedByClientID[key] == card.id { publishedByClientID[key] = nil }
        }
        commitPublish(
            record: card.record,
            jobs: [],
            message: message,
            ops: ops,
            undo: undo,
            id: requestID,
            session: session
        )
    }

    /// Runs `body` with the card, from memory or (for old cards) the store. The caller must be a member of the card's
    /// group, or a school admin.
    func withCard(
        _ id: Int64,
        id requestID: String,
        session: Session,
        _ body: @escaping (Card) throws(HubError) -> Void,
        onError: ((HubError) -> Void)? = nil
    ) throws(HubError) {
        try withRecord(
            .card,
            id,
            inMemory: cards[id],
            restore: Card.restore,
            group: \.group,
            notFound: HubError(.cardNotFound, "Card \(id) does not exist."),
            id: requestID,
            session: session,
            body,
            onError: onError
        )
    }

    /// `card.get`: the definition (the check-in code only for the publisher and managers), the caller's response,
    /// and vote results when the card lets members see them.
    func describeCard(_ card: Card, id: String, session: Session) {
        let group = groups[card.group]
        let manager = card.publisher == session.user || group.map { isManager($0, session) } ?? false
        let now = clock()
        let mine = card.responses[session.user]
        let reply = Wire.reply(id) { writer in
            writer.key("card")
            writer.int(card.id)
            writer.key("group")
            writer.int(card.group.rawValue)
            writer.key("publisher")
            writer.string(card.publisher)
            writer.key("createdAt")
            writer.int(card.createdAt)
            writer.key("open")
            writer.bool(card.isOpen(at: now))
            if let closedAt = card.closedAt {
                writer.key("closedAt")
                writer.int(closedAt)
            }
            writer.key("recipient")
            writer.bool(card.recipients.contains(session.user))
            writer.key("definition")
            writer.beginObject()
            card.definition.write(to: &writer, includeSecrets: manager)
            writer.endObject()
            writer.key("myResponse")
            if let mine {
                writer.beginObject()
                writer.key("submittedAt")
                writer.int(mine.submittedAt)
                if mine.late {
                    writer.key("late")
                    writer.bool(true)
                }
                if let answer = mine.answer {
                    answer.write(to: &writer)
                }
                writer.endObject()
            } else {
                writer.null()
            }
            if card.definition.type == .vote, manager || self.membersSeeResults(card, responded: mine != nil, now: now)
            {
                writer.key("results")
                writer.beginObject()
                card.writeResults(to: &writer, withNames: false)
                writer.endObject()
            }
        }
        output.send(reply, to: session)
    }

    private func membersSeeResults(_ card: Card, responded: Bool, now: Timestamp) -> Bool {
        switch card.definition.resultsVisibility {
        case .always: true
        case .afterVote: responded || !card.isOpen(at: now)
        case .afterClose: !card.isOpen(at: now)
        }
    }

    /// `card.respond`: validated against the card, the caller's eligibility and the clock.
    func respond(to id: Int64, response: JSONValue, id requestID: String, session: Session) throws(HubError) {
        guard let card = cards[id] else {
            // Memory holds every card that can still take responses; one only the store has ended long ago.
            return try withCard(id, id: requestID, session: session) { (card) throws(HubError) in
                _ = try self.requireMember(card.group, session)
                throw HubError(.cardClosed, "The card no longer accepts responses.")
            }
        }
        let (group, _) = try requireMember(card.group, session)
        // Responding writes into the group: a frozen group accepts nothing.
        try requireWritable(group)
        guard card.recipients.contains(session.user) else {
            throw HubError(.notRecipient, "This card was published before you joined the group (or by you).")
        }
        let now = clock()
        if card.definition.type == .checkin, now < card.definition.startsAt {
            throw HubError(.notOpenYet, "The check-in opens at \(card.definition.startsAt) (ms since 1970).")
        }
        guard card.isOpen(at: now) else { throw HubError(.cardClosed, "The card no longer accepts responses.") }
        if card.responses[session.user] != nil, !card.definition.allowEdit {
            throw HubError(.alreadyResponded, "You already responded, and this card does not allow changes.")
        }
        var answer = try CardAnswer.decode(response, for: card.definition)
        var late = false
        if card.definition.type == .checkin {
            (answer, late) = try checkIn(card.definition, response, now: now)
        }
        let previous = card.responses[session.user]
        let previousAnonymous = card.anonymousAnswers
        var ops: [WriteOp] = []
        if card.definition.anonymous {
            var generator = SystemRandomNumberGenerator()
            let key = (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
            card.anonymousAnswers[key] = answer
            card.responses[session.user] = Card.Response(answer: nil, submittedAt: now, updatedAt: now, late: late)
            ops.append(.upsertEntry(Card.anonymousEntry(card: card.id, key: key, answer: answer)))
        } else {
            card.responses[session.user] = Card.Response(
                answer: answer,
                submittedAt: previous?.submittedAt ?? now,
                updatedAt: now,
                late: late
            )
        }
        ops.append(.upsertEntry(card.entry(for: session.user)!))
        let undo = {
            card.responses[session.user] = previous
            card.anonymousAnswers = previousAnonymous
        }
        write(ops, undo: [undo]) { [self] result in
            guard case .success = result else { return output.send(Wire.error(.storage, id: requestID), to: session) }
            statsDirty.insert(card.id)
            output.send(
                Wire.reply(requestID) { writer in
                    writer.key("card")
                    writer.int(card.id)
                    writer.key("submittedAt")
                    writer.int(now)
                    writer.key("late")
                    writer.bool(late)
                },
                to: session
            )
        }
    }

    /// Checks a check-in's code and place; returns the answer (with the distance) and whether it is late.
    private func checkIn(
        _ card: CardDefinition,
        _ response: JSONValue,
        now: Timestamp
    ) throws(HubError) -> (CardAnswer, Bool) {
        if let code = card.code, response["code"]?.stringValue != code {
            throw HubError(.wrongCode, "The check-in code is wrong; ask the counselor for the code on the screen.")
        }
        var distanceMetres: Double?
        if let place = card.location {
            guard let latitude = response["location"]?["latitude"]?.doubleValue,
                let longitude = response["location"]?["longitude"]?.doubleValue,
                (-90...90).contains(latitude), (-180...180).contains(longitude)
            else {
                throw .invalid("This check-in needs your location: response.location with latitude and longitude.")
            }
            let metres = distance(
                latitude: latitude,
                longitude: longitude,
                toLatitude: place.latitude,
                longitude: place.longitude
            )
            guard metres <= place.radius else {
                throw HubError(
                    .tooFar,
                    "You are \(Int(metres)) m from the check-in place; it accepts \(Int(place.radius)) m."
                )
            }
            distanceMetres = metres
        }
        return (.checkin(distance: distanceMetres), now > card.endsAt)
    }

    /// `card.stats`: participation and full results, for the publisher, the group's managers and school admins.
    func cardStats(_ card: Card, id: String, session: Session) throws(HubError) {
        guard let group = groups[card.group], card.publisher == session.user || isManager(group, session) else {
            throw .forbidden("the card's publisher and the group's owner and admins")
        }
        let reply = Wire.reply(id) { writer in
            writer.key("card")
            writer.int(card.id)
            writer.key("type")
            writer.string(card.definition.type.rawValue)
            writer.key("anonymous")
            writer.bool(card.definition.anonymous)
            card.writeParticipation(to: &writer)
            writer.key("results")
            writer.beginObject()
            card.writeResults(to: &writer, withNames: !card.definition.anonymous)
            writer.endObject()
        }
        output.send(reply, to: session)
    }

    /// `card.close`: stops responses early.
    func closeCard(_ id: Int64, id requestID: String, session: Session) throws(HubError) {
        // A card only the store has ended long ago: after the checks there is nothing to close.
        let inMemory = cards[id] != nil
        try withCard(id, id: requestID, session: session) { (card) throws(HubError) in
            let group = try self.group(card.group)
            guard card.publisher == session.user || self.isManager(group, session) else {
                throw .forbidden("the card's publisher and the group's owner and admins")
            }
            try self.requireWritable(group)
            guard inMemory, card.closedAt == nil else { return self.output.send(Wire.reply(requestID), to: session) }
            self.close(card, in: group, id: requestID, session: session)
        }
    }

    private func close(_ card: Card, in group: Group, id requestID: String, session: Session) {
        card.closedAt = clock()
        let notice = systemMessage(
            group,
            Wire.systemBody("card_closed") { writer in
                writer.key("card")
                writer.int(card.id)
                writer.key("by")
                writer.string(session.user)
            }
        )
        commitChange(
            group,
            ops: [.upsertRecord(card.record), notice],
            undo: [{ card.closedAt = nil }],
            id: requestID,
            session: session
        )
    }
}
