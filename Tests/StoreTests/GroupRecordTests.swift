import Hub
import Store
import Testing

@Suite struct GroupRecordTests {
    @Test func groupsRoundTripAndUpsertsReplace() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let course = GroupRecord(
                id: GroupID(7),
                kind: .course,
                name: "数据结构",
                externalKey: "course:CS101-2025",
                owner: "T1",
                muteAll: true,
                frozen: false,
                dissolved: false,
                createdAt: 1_700_000_000_123
            )
            let office = GroupRecord(id: GroupID(3), kind: .office, name: "教务处", createdAt: 5)
            try await store.committed([.upsertGroup(course), .upsertGroup(office)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups.map(\.record) == [office, course])

            var changed = course
            changed.name = "数据结构（已结课）"
            changed.muteAll = false
            changed.frozen = true
            changed.dissolved = true
            changed.owner = nil
            changed.externalKey = nil
            try await store.committed([.upsertGroup(changed)])
            let groups = try store.loadSnapshot(recentPerGroup: 0).groups
            #expect(groups.map(\.record) == [office, changed])
            #expect(groups.map(\.lastSeq) == [0, 0])
        }
    }

    @Test func upsertingAGroupKeepsItsSeqs() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 2))
            try await store.committed([.upsertGroup(Fixture.group(1, name: "renamed"))] + Fixture.texts(1, count: 1))
            let group = try store.loadSnapshot(recentPerGroup: 5).groups[0]
            #expect(group.record.name == "renamed")
            #expect(group.lastSeq == 3)
            #expect(seqs(group.recent) == [1, 2, 3])
        }
    }

    @Test func membersRoundTripReplaceAndRemove() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let owner = MemberRecord(user: "T1", role: .owner, source: .directory, joinedSeq: 0, readSeq: 0)
            let admin = MemberRecord(
                user: "T2",
                role: .admin,
                source: .manual,
                joinedSeq: 4,
                mutedUntil: 1_700_000_999_000,
                readSeq: 9
            )
            let student = MemberRecord(user: "S1", role: .member, source: .directory, joinedSeq: 2, readSeq: 3)
            let group = GroupID(1)
            try await store.committed([
                .upsertGroup(Fixture.group(1)), .upsertMember(group, owner), .upsertMember(group, admin),
                .upsertMember(group, student),
            ])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups[0].members == [student, owner, admin])

            var unmuted = admin
            unmuted.mutedUntil = nil
            unmuted.role = .member
            unmuted.joinedSeq = 1
            unmuted.readSeq = 2  // an upsert replaces the whole record
            try await store.committed([
                .upsertMember(group, unmuted), .removeMember(group, "S1"), .removeMember(group, "nobody"),
            ])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups[0].members == [owner, unmuted])
        }
    }

    @Test func readSeqNeverGoesBackwards() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let group = GroupID(1)
            try await store.committed([
                .upsertGroup(Fixture.group(1)), .upsertMember(group, Fixture.member("S1", readSeq: 5)),
            ])
            func readSeq() throws -> Int64? {
                try store.loadSnapshot(recentPerGroup: 0).groups[0].members.first { $0.user == "S1" }?.readSeq
            }
            try await store.committed([.setReadSeq(group, "S1", 8)])
            #expect(try readSeq() == 8)
            try await store.committed([.setReadSeq(group, "S1", 3)])
            #expect(try readSeq() == 8)
            try await store.committed([.setReadSeq(group, "S1", 12), .setReadSeq(group, "S1", 10)])
            #expect(try readSeq() == 12)
            // A cursor for someone who is not (or no longer) a member changes nothing and is no error.
            try await store.committed([.setReadSeq(group, "ghost", 4), .setReadSeq(GroupID(99), "S1", 4)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).groups[0].members.map(\.user) == ["S1"])
        }
    }
}
