import Hub
import Store
import Testing

@Suite struct DirectoryRecordTests {
    @Test func usersRoundTripAndUpsertsReplace() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let student = UserRecord(id: "20230001", name: "李明", roles: [.student], classID: "C2023-01")
            let counselor = UserRecord(id: "T0042", name: "王老师", roles: [.teacher, .counselor], orgUnitID: "CS")
            let nobody = UserRecord(id: "X,1 \"q\"", name: "", roles: [], active: false)
            try await store.committed([.upsertUser(student), .upsertUser(counselor), .upsertUser(nobody)])
            #expect(
                try store.loadSnapshot(recentPerGroup: 0).users
                    == [student, counselor, nobody].sorted { $0.id < $1.id }
            )

            let graduated = UserRecord(id: "20230001", name: "李明", roles: [.student, .staff], active: false)
            try await store.committed([.upsertUser(graduated)])
            let users = try store.loadSnapshot(recentPerGroup: 0).users
            #expect(users.count == 3)
            #expect(users.first { $0.id == "20230001" } == graduated)
        }
    }

    @Test func orgUnitsRoundTripAndUpsertsReplace() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let school = OrgUnitRecord(id: "U", kind: .school, name: "示例大学")
            let college = OrgUnitRecord(id: "CS", kind: .college, name: "计算机学院", parentID: "U")
            let unit = OrgUnitRecord(
                id: "C2023-01",
                kind: .class,
                name: "软件 2023-1 班",
                parentID: "CS",
                counselors: ["T0042", "T\"odd\\id\n", "张"]
            )
            try await store.committed([.upsertOrgUnit(school), .upsertOrgUnit(college), .upsertOrgUnit(unit)])
            #expect(
                try store.loadSnapshot(recentPerGroup: 0).orgUnits == [college, unit, school].sorted { $0.id < $1.id }
            )

            let moved = OrgUnitRecord(id: "C2023-01", kind: .class, name: "软件 2023-1 班", parentID: "SE", counselors: [])
            try await store.committed([.upsertOrgUnit(moved)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).orgUnits.first { $0.id == "C2023-01" } == moved)
        }
    }

    @Test func courseUpsertReplacesTheWholeRoster() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let course = CourseRecord(
                id: "CS101-2025",
                name: "数据结构",
                teachers: ["T2", "T1"],
                students: ["S1", "S2", "S3"]
            )
            let other = CourseRecord(id: "MA201-2025", name: "线性代数", teachers: ["T3"], students: ["S1"])
            try await store.committed([.upsertCourse(course), .upsertCourse(other)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).courses == [course, other])

            // The imported roster replaces the stored one: S1 and T2 left, S4 joined, a TA is both.
            let updated = CourseRecord(
                id: "CS101-2025",
                name: "数据结构（荣誉）",
                teachers: ["T1", "TA"],
                students: ["S2", "S4", "TA"]
            )
            try await store.committed([.upsertCourse(updated)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).courses == [updated, other])

            let emptied = CourseRecord(id: "CS101-2025", name: "数据结构", teachers: [], students: [])
            try await store.committed([.upsertCourse(emptied)])
            #expect(try store.loadSnapshot(recentPerGroup: 0).courses == [emptied, other])
        }
    }
}
