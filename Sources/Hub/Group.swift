/// One group's live state on the hub queue: its record, members, newest messages and who receives its pushes.
/// Confined to the hub queue (hence unchecked: it only crosses threads inside store completions that hop back).
final class Group: @unchecked Sendable {
    var record: GroupRecord
    var members: [UserID: MemberRecord]
    /// Highest committed seq.
    var lastSeq: Int64
    /// Appends queued or in the store and not yet committed: `lastSeq + pendingAppends` is where the next message
    /// will land at most, which is what a member joining now must not see before.
    var pendingAppends = 0
    var recent: RecentMessages
    /// Sessions that receive this group's messages as they commit, by session id.
    private(set) var liveSessions: [UInt64: Session] = [:]
    private var bucketCache: [[Session]]?
    /// Read cursors moved since the last receipt push: the lowest old cursor among them.
    var receiptsDirtyFrom: Int64?

    init(record: GroupRecord, members: [MemberRecord], lastSeq: Int64, recentCapacity: Int) {
        self.record = record
        self.members = Dictionary(uniqueKeysWithValues: members.map { ($0.user, $0) })
        self.lastSeq = lastSeq
        self.recent = RecentMessages(capacity: recentCapacity)
    }

    var id: GroupID { record.id }

    func isAdmin(_ user: UserID) -> Bool {
        guard let role = members[user]?.role else { return false }
        return role == .owner || role == .admin
    }

    func addLive(_ session: Session) {
        guard liveSessions.updateValue(session, forKey: session.id) == nil else { return }
        bucketCache = nil
        session.live.insert(id)
    }

    func removeLive(_ session: Session) {
        guard liveSessions.removeValue(forKey: session.id) != nil else { return }
        bucketCache = nil
        session.live.remove(id)
    }

    /// Drops every live session of `user` (they left the group).
    func removeLive(user: UserID) {
        for session in liveSessions.values where session.user == user { removeLive(session) }
    }

    /// Live sessions grouped by event loop, rebuilt only when the set changed: fan-out of a message costs the
    /// hub one array reference per loop, not one operation per recipient.
    func buckets(loops: Int) -> [[Session]] {
        if let bucketCache { return bucketCache }
        var buckets = [[Session]](repeating: [], count: loops)
        for session in liveSessions.values where session.loopIndex < loops {
            buckets[session.loopIndex].append(session)
        }
        bucketCache = buckets
        return buckets
    }

    /// Members who can see `seq` (joined before it).
    func audience(of seq: Int64) -> Int {
        members.values.reduce(0) { $0 + ($1.joinedSeq < seq ? 1 : 0) }
    }
}
