import JSON

extension Hub {
    /// `file.list`: the group's library, newest first.
    func listFiles(_ id: GroupID, id requestID: String, session: Session) throws(HubError) {
        let (group, _) = try groupForMember(id, session)
        let files = groupFiles.values.filter { $0.group == group.id && $0.deletedAt == nil }.sorted { $0.id > $1.id }
        output.send(
            Wire.reply(requestID) { [self] writer in
                writer.key("files")
                writer.beginArray()
                for file in files { file.write(to: &writer, object: objects[file.object]) }
                writer.endArray()
            },
            to: session
        )
    }

    private func fileName(_ name: String) throws(HubError) -> String {
        let trimmed = String(name.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        guard !trimmed.isEmpty, trimmed.count <= 255,
            !trimmed.unicodeScalars.contains(where: {
                $0.properties.generalCategory == .control || $0 == "/" || $0 == "\\"
            })
        else {
            throw .invalid("A file name has 1 to 255 characters, without control characters or slashes.")
        }
        return trimmed
    }

    /// `file.add`: shares an uploaded object into the group's library. Adding is posting (it writes `file_added`
    /// for everyone): mutes apply as for `send`.
    func addFile(_ id: GroupID, object: String, name: String?, id requestID: String, session: Session) throws(HubError)
    {
        let (group, member) = try requireMember(id, session)
        try requireNotInbox(group)
        let now = clock()
        try requirePoster(group, member, now: now)
        var ops: [WriteOp] = []
        if let share = try shareable(object, by: session.user, in: group.id) { ops.append(share) }
        // Everything is checked before an id is taken.
        let name = try fileName(name ?? objects[object]?.name ?? object)
        let file = GroupFile(
            id: nextRecordID(.groupFile),
            group: group.id,
            object: object,
            name: name,
            uploader: session.user,
            createdAt: now
        )
        groupFiles[file.id] = file
        ops.append(.upsertRecord(file.record))
        ops.append(systemMessage(group, notice("file_added", file, by: session.user)))
        commitChange(
            group,
            ops: ops,
            undo: [{ [self] in groupFiles[file.id] = nil }],
            id: requestID,
            session: session,
            reply: {
                $0.key("file")
                $0.int(file.id)
            },
            after: { [self] in applyShares(ops) }
        )
    }

    /// The library file if the caller may change it: its uploader or the group's managers.
    private func editableFile(_ id: Int64, _ session: Session) throws(HubError) -> (Group, GroupFile) {
        guard let file = groupFiles[id], file.deletedAt == nil else {
            throw HubError(.fileNotFound, "File \(id) does not exist in any library.")
        }
        let (group, _) = try groupForMember(file.group, session)
        guard file.uploader == session.user || isManager(group, session) else {
            throw .forbidden("the file's uploader and the group's owner and admins")
        }
        try requireWritable(group)
        return (group, file)
    }

    func renameFile(_ id: Int64, name: String, id requestID: String, session: Session) throws(HubError) {
        var (group, file) = try editableFile(id, session)
        let previous = file
        file.name = try fileName(name)
        groupFiles[id] = file
        let ops: [WriteOp] = [
            .upsertRecord(file.record), systemMessage(group, notice("file_renamed", file, by: session.user)),
        ]
        commitChange(group, ops: ops, undo: [{ [self] in groupFiles[id] = previous }], id: requestID, session: session)
    }

    /// Takes the file out of the library and, unless something else in the group still shows its object, the
    /// object out of the group: members can no longer download it (as for a recalled message).
    func deleteFile(_ id: Int64, id requestID: String, session: Session) throws(HubError) {
        var (group, file) = try editableFile(id, session)
        let previous = file
        file.deletedAt = clock()
        groupFiles[id] = file
        let unshares = withdrawShares(of: [file.object], in: group)
        let ops: [WriteOp] =
            [.upsertRecord(file.record)] + unshares.ops
            + [systemMessage(group, notice("file_deleted", file, by: session.user))]
        commitChange(
            group,
            ops: ops,
            undo: [{ [self] in groupFiles[id] = previous }, unshares.undo],
            id: requestID,
            session: session
        )
    }

    private func notice(_ event: String, _ file: GroupFile, by user: UserID) -> [UInt8] {
        Wire.systemBody(event) { writer in
            writer.key("file")
            writer.int(file.id)
            writer.key("name")
            writer.string(file.name)
            writer.key("object")
            writer.string(file.object)
            writer.key("by")
            writer.string(user)
        }
    }
}
