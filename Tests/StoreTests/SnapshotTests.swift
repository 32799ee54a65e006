import Hub
import Store
import Testing

@Suite struct SnapshotTests {
    @Test func snapshotHoldsEverythingInIDOrder() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let user = UserRecord(id: "S1", name: "学生", roles: [.student], classID: "C1")
            let unit = OrgUnitRecord(id: "C1", kind: .class, name: "一班", counselors: ["T1"])
            let course = CourseRecord(id: "K1", name: "课程", teachers: ["T1"], students: ["S1"])
            var batch: [WriteOp] = [.upsertUser(user), .upsertOrgUnit(unit), .upsertCourse(course)]
            // Groups and members written out of order.
            for id: Int64 in [30, 10, 20] {
                batch.append(.upsertGroup(Fixture.group(id)))
                for user in ["U3", "U1", "U2"] {
                    batch.append(.upsertMember(GroupID(id), Fixture.member("\(user)-\(id)")))
                }
            }
            batch += Fixture.texts(20, count: 7) + Fixture.texts(10, count: 2)
            try await store.committed(batch)

            let snapshot = try store.loadSnapshot(recentPerGroup: 3)
            #expect(snapshot.users == [user])
            #expect(snapshot.orgUnits == [unit])
            #expect(snapshot.courses == [course])
            #expect(snapshot.groups.map(\.record.id) == [GroupID(10), GroupID(20), GroupID(30)])
            #expect(snapshot.groups.map(\.lastSeq) == [2, 7, 0])
            #expect(snapshot.groups.map { seqs($0.recent) } == [[1, 2], [5, 6, 7], []])
            for group in snapshot.groups {
                let id = group.record.id
                #expect(group.members.map(\.user) == ["U1-\(id)", "U2-\(id)", "U3-\(id)"])
            }
        }
    }

    @Test func recentPerGroupZeroReadsNoMessages() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1))] + Fixture.texts(1, count: 4))
            let group = try store.loadSnapshot(recentPerGroup: 0).groups[0]
            #expect(group.recent == [])
            #expect(group.lastSeq == 4)
        }
    }
}
