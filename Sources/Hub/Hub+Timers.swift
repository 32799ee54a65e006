extension Hub {
    /// Periodic work; the gateway calls it on the hub queue a few times a second.
    /// Ends expired mutes (each with its system message), pushes coalesced receipts, writes idle read cursors.
    public func tick() {
        let now = clock()
        for (until, groupID, user) in muteExpiries.popDue(now) {
            // The entry is stale when the mute was lifted or changed since.
            guard let group = groups[groupID], var member = group.members[user], member.mutedUntil == until else {
                continue
            }
            let undo = restoringMembers(group, [user])
            member.mutedUntil = nil
            putMember(group, member)
            var ops: [WriteOp] = [.upsertMember(groupID, member)]
            // A frozen or dissolved group stays silent; the mute simply no longer applies.
            if !group.record.frozen, !group.record.dissolved {
                ops.append(
                    systemMessage(
                        group,
                        Wire.systemBody("member_unmuted") { writer in
                            writer.key("user")
                            writer.string(user)
                            writer.key("expired")
                            writer.bool(true)
                            writer.key("by")
                            writer.null()
                        }
                    )
                )
            }
            write(ops, undo: [undo], completion: deliverSystemMessages(ops))
        }
        runDueJobs()
        purgeIfDue(now: now)
        if now - lastRateSweep >= 60_000 {
            lastRateSweep = now
            sweepRateBuckets()
            news.recentReads = news.recentReads.filter { now - $0.value < 60_000 }
        }
        if Double(now - lastReceiptFlush) >= configuration.receiptInterval * 1000 {
            lastReceiptFlush = now
            flushReceipts()
            flushLiveStatistics()
            flush(includeIdleReads: true)
        }
    }
}
