import JSON

/// The daily retention purge (RetentionPolicy.swift): once a day at the configured local time, the hub forgets what
/// expired from memory first (so nothing expired is served from the recent-message rings or the record maps), then
/// asks the store to delete it, then drops the objects the store deleted. The gateway removes their files.
extension Hub {
    /// From `tick`: starts a purge when the local time has passed the purge time and none ran today.
    func purgeIfDue(now: Timestamp) {
        guard let calendar, !purgeInFlight else { return }
        let today = (now / 1000 + Int64(calendar.utcOffsetSeconds)) / 86_400
        guard lastPurgeDay != today, calendar.minuteOfDay(now) >= configuration.retention.purgeMinuteOfDay else {
            return
        }
        lastPurgeDay = today
        purge { _ in }
    }

    /// Runs a purge now: of `plan`, or of the configured policy at the current time. Must be called on the hub
    /// queue; `completion` runs there.
    public func purge(plan: PurgePlan? = nil, completion: @escaping (Result<PurgeReport, StoreError>) -> Void) {
        guard !purgeInFlight else {
            return completion(.failure(StoreError(.failed, "A purge is already running.")))
        }
        let plan =
            plan ?? configuration.retention.plan(now: clock(), calendar: calendar ?? LocalCalendar(utcOffsetSeconds: 0))
        purgeInFlight = true
        sharesDuringPurge = []
        forgetExpired(plan)
        let completion = HubConfined(completion)
        store.purge(plan) { [self] result in
            queue.async {
                self.purgeInFlight = false
                let sharedMeanwhile = self.sharesDuringPurge ?? []
                self.sharesDuringPurge = nil
                if case .success(let report) = result { self.apply(report, sharedMeanwhile: sharedMeanwhile) }
                self.observer?.purgeFinished(result)
                completion.value(result)
            }
        }
    }

    /// Expires recent messages and drops ended records from memory.
    private func forgetExpired(_ plan: PurgePlan) {
        for group in groups.values {
            let kind = group.record.kind
            let id = group.id
            group.recent.updateEach { entry in
                guard !entry.expired, plan.expires(kind, entry.kind, createdAt: entry.createdAt) else { return }
                entry = Hub.entry(
                    for: .expired(seq: entry.seq, group: id, kind: entry.kind, createdAt: entry.createdAt)
                )
            }
        }
        guard let before = plan.recordsClosedBefore else { return }
        for (id, card) in cards where (card.closedAt ?? card.definition.closesAt ?? .max) < before {
            cards[id] = nil
            if let clientMsgID = card.clientMsgID { publishedByClientID[card.publisher + "\u{0}" + clientMsgID] = nil }
            expireAnnouncement(group: card.group, kind: .card, id: id, plan: plan)
        }
        for (id, task) in tasks where (task.closedAt ?? task.deadline ?? .max) < before {
            tasks[id] = nil
            if let clientMsgID = task.clientMsgID { publishedByClientID[task.publisher + "\u{0}" + clientMsgID] = nil }
            expireAnnouncement(group: task.group, kind: .task, id: id, plan: plan)
        }
        for (id, file) in groupFiles where (file.deletedAt ?? .max) < before { groupFiles[id] = nil }
    }

    /// The card or task message of a purged record, if it is still in the group's ring.
    private func expireAnnouncement(group: GroupID, kind: MessageKind, id: Int64, plan: PurgePlan) {
        guard let group = groups[group] else { return }
        let groupID = group.id
        group.recent.updateEach { entry in
            guard entry.kind == kind, !entry.expired,
                let value = try? JSONParser.parse(entry.encoded), value["body"]?[kind.rawValue]?.int64Value == id
            else { return }
            entry = Hub.entry(for: .expired(seq: entry.seq, group: groupID, kind: kind, createdAt: entry.createdAt))
        }
    }

    /// Drops withdrawn shares (unless written again meanwhile) and deleted objects from memory.
    private func apply(_ report: PurgeReport, sharedMeanwhile: Set<ObjectShare>) {
        for share in report.sharesRemoved where !sharedMeanwhile.contains(share) {
            objectGroups[share.object]?.remove(share.group)
            if objectGroups[share.object]?.isEmpty == true { objectGroups[share.object] = nil }
        }
        for object in report.objectsDeleted where objectGroups[object] == nil {
            objects[object] = nil
        }
    }
}
