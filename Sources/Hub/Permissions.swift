/// The permission rules, in one place (Protocol/README.md "Permission matrix" documents the same table and the
/// tests replay it). Every command calls these before it changes anything.
extension Hub {
    /// The caller is a member of the group (school admins are not implicitly members: they manage, not chat).
    func requireMember(_ id: GroupID, _ session: Session) throws(HubError) -> (Group, MemberRecord) {
        let group = try group(id)
        guard let member = group.members[session.user] else { throw .notMember }
        return (group, member)
    }

    /// The caller may manage the group: its owner or an admin, or a school admin.
    func requireManager(_ id: GroupID, _ session: Session) throws(HubError) -> (Group, MemberRecord?) {
        let (group, member) = try groupForMember(id, session)
        if let member, member.role == .owner || member.role == .admin { return (group, member) }
        if session.roles.contains(.admin) { return (group, member) }
        throw .forbidden("the group's owner and admins")
    }

    /// The caller owns the group, or is a school admin.
    func requireOwner(_ id: GroupID, _ session: Session) throws(HubError) -> (Group, MemberRecord?) {
        let (group, member) = try groupForMember(id, session)
        if member?.role == .owner || session.roles.contains(.admin) { return (group, member) }
        throw .forbidden("the group's owner")
    }

    /// The group accepts changes: not dissolved, not frozen, not an inbox (which only the server writes).
    func requireWritable(_ group: Group) throws(HubError) {
        if group.record.kind == .inbox { throw .forbidden("the server (an inbox is read-only)") }
        if group.record.dissolved { throw .dissolved }
        if group.record.frozen { throw .frozen }
    }

    /// The group still exists for reading (dissolved groups keep their history for members).
    func requireNotDissolved(_ group: Group) throws(HubError) {
        if group.record.dissolved { throw .dissolved }
    }

    /// A member may post: group writable, not muted by mute-all (unless owner/admin), not muted individually.
    func requirePoster(_ group: Group, _ member: MemberRecord, now: Timestamp) throws(HubError) {
        try requireWritable(group)
        let manager = member.role == .owner || member.role == .admin
        if group.record.muteAll && !manager {
            throw HubError(.groupMuted, "The group is muted: only its owner and admins may post.")
        }
        if let until = member.mutedUntil, until > now {
            throw HubError(.muted, "You are muted in this group until \(until) (ms since 1970).")
        }
    }
}
