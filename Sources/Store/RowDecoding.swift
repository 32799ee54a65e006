import Hub

/// Decoding of rows into the hub's records. Values this build does not know (an enum raw value, a malformed list)
/// are corruption, not defaults.
extension SQLiteStatement {
    /// A raw-value enum stored as TEXT.
    func value<Value: RawRepresentable>(
        _ type: Value.Type,
        at column: Int32
    ) throws(SQLiteError) -> Value where Value.RawValue == String {
        let raw = text(at: column)
        guard let value = Value(rawValue: raw) else {
            throw .corrupt("unknown \(Value.self) '\(raw)' in the database")
        }
        return value
    }

    /// A message row selected as `group_id, seq, sender, client_msg_id, kind, body, reply_to, mentions, mention_all,
    /// created_at, recalled` (columns 0 to 10).
    func storedMessage() throws(SQLiteError) -> StoredMessage {
        let message = NewMessage(
            group: GroupID(int64(at: 0)),
            sender: optionalText(at: 2),
            clientMsgID: optionalText(at: 3),
            kind: try value(MessageKind.self, at: 4),
            body: blob(at: 5),
            replyTo: optionalInt64(at: 6),
            mentions: try StringList.decode(optionalText(at: 7)),
            mentionAll: bool(at: 8),
            createdAt: int64(at: 9)
        )
        // recalled: 0 no, 1 recalled, 2 expired by the retention policy.
        let state = int64(at: 10)
        return StoredMessage(seq: int64(at: 1), message: message, recalled: state == 1, expired: state == 2)
    }

    /// A member row selected as `group_id, user_id, role, source, joined_seq, muted_until, read_seq`.
    func member() throws(SQLiteError) -> MemberRecord {
        MemberRecord(
            user: text(at: 1),
            role: try value(MemberRole.self, at: 2),
            source: try value(MembershipSource.self, at: 3),
            joinedSeq: int64(at: 4),
            mutedUntil: optionalInt64(at: 5),
            readSeq: int64(at: 6)
        )
    }

    /// A group row selected as `id, kind, name, external_key, owner, mute_all, frozen, dissolved, created_at,
    /// last_seq, allow_member_cards`.
    func group() throws(SQLiteError) -> GroupRecord {
        GroupRecord(
            id: GroupID(int64(at: 0)),
            kind: try value(GroupKind.self, at: 1),
            name: text(at: 2),
            externalKey: optionalText(at: 3),
            owner: optionalText(at: 4),
            muteAll: bool(at: 5),
            frozen: bool(at: 6),
            dissolved: bool(at: 7),
            createdAt: int64(at: 8),
            allowMemberCards: bool(at: 10)
        )
    }

    /// An object row selected as `id, sha256, size, mime, name, owner, created_at`.
    func object() -> ObjectRecord {
        ObjectRecord(
            id: text(at: 0),
            sha256: text(at: 1),
            size: int64(at: 2),
            mime: text(at: 3),
            name: text(at: 4),
            owner: text(at: 5),
            createdAt: int64(at: 6)
        )
    }

    /// A record row selected as `kind, id, group_id, body, created_at, closed_at`.
    func record() throws(SQLiteError) -> ServiceRecord {
        ServiceRecord(
            kind: try value(RecordKind.self, at: 0),
            id: int64(at: 1),
            group: GroupID(int64(at: 2)),
            body: blob(at: 3),
            createdAt: int64(at: 4),
            closedAt: optionalInt64(at: 5)
        )
    }

    /// An entry row selected as `kind, record_id, user_id, body, updated_at`.
    func entry() throws(SQLiteError) -> RecordEntry {
        RecordEntry(
            kind: try value(RecordKind.self, at: 0),
            record: int64(at: 1),
            user: text(at: 2),
            body: blob(at: 3),
            updatedAt: int64(at: 4)
        )
    }

    /// A user row selected as `id, name, roles, class_id, org_unit_id, active`.
    func user() throws(SQLiteError) -> UserRecord {
        var roles: [SchoolRole] = []
        for raw in text(at: 2).split(separator: ",") {
            guard let role = SchoolRole(rawValue: String(raw)) else {
                throw .corrupt("unknown SchoolRole '\(raw)' in the database")
            }
            roles.append(role)
        }
        return UserRecord(
            id: text(at: 0),
            name: text(at: 1),
            roles: roles,
            classID: optionalText(at: 3),
            orgUnitID: optionalText(at: 4),
            active: bool(at: 5)
        )
    }

    /// An org unit row selected as `id, kind, name, parent_id, counselors`.
    func orgUnit() throws(SQLiteError) -> OrgUnitRecord {
        OrgUnitRecord(
            id: text(at: 0),
            kind: try value(OrgUnitKind.self, at: 1),
            name: text(at: 2),
            parentID: optionalText(at: 3),
            counselors: try StringList.decode(optionalText(at: 4))
        )
    }
}
