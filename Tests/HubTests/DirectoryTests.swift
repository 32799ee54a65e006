import JSON
import Testing

@testable import Hub

@Suite struct DirectoryTests {
    @Test func classGroupsComeFromTheOrgStructure() {
        let h = HubHarness()
        let group = h.group("class:se2301")
        let members = h.hub.queue.sync { h.hub.groups[group]!.members }
        #expect(Set(members.keys) == ["T1", "S1", "S2", "S3"])
        #expect(members["T1"]?.role == .admin)
        #expect(members["S1"]?.role == .member)
        #expect(members["S1"]?.source == .directory)
        let course = h.group("course:DS")
        let courseMembers = h.hub.queue.sync { h.hub.groups[course]!.members }
        #expect(courseMembers["P1"]?.role == .owner)
        #expect(Set(courseMembers.keys) == ["P1", "S1", "S4"])
    }

    @Test func reimportingTheSameDataChangesNothing() {
        let h = HubHarness()
        let batches = h.store.committedBatches.count
        let report = try! h.importDirectory(.sample).get()
        #expect(!report.changedAnything)
        #expect(report.users.unchanged == Directory.sample.users.count)
        #expect(h.store.committedBatches.count == batches)
    }

    @Test func aStudentWhoChangesClassMovesGroups() {
        let h = HubHarness()
        var moved = Directory.sample.users.first { $0.id == "S3" }!
        moved.classID = "se2302"
        let report = try! h.importDirectory(Directory(users: [moved])).get()
        #expect(report.membersAdded == 1)
        #expect(report.membersRemoved == 1)
        let (old, new) = h.hub.queue.sync {
            (
                h.hub.groups[h.hub.groupByExternalKey["class:se2301"]!]!.members,
                h.hub.groups[h.hub.groupByExternalKey["class:se2302"]!]!.members
            )
        }
        #expect(old["S3"] == nil)
        #expect(new["S3"]?.role == .member)
        // Both changes are system messages in the groups.
        let notices = h.store.messages(of: h.group("class:se2301")).filter { $0.message.kind == .system }
        #expect(notices.contains { String(decoding: $0.message.body, as: UTF8.self).contains("members_removed") })
    }

    @Test func deactivatedUsersLeaveDirectoryGroupsAndAreDisconnected() {
        let h = HubHarness()
        let session = h.connect("S1")
        var gone = Directory.sample.users.first { $0.id == "S1" }!
        gone.active = false
        let report = try! h.importDirectory(Directory(users: [gone])).get()
        #expect(report.usersDeactivated == 1)
        #expect(h.output.closeCode(of: session) == CloseCodes.unknownUser)
        let groups = h.hub.queue.sync { h.hub.groupsOfUser["S1"] ?? [] }
        #expect(groups.isEmpty)
    }

    @Test func courseRosterChangesUpdateTheCourseGroup() {
        let h = HubHarness()
        let report = try! h.importDirectory(
            Directory(courses: [CourseRecord(id: "DS", name: "数据结构", teachers: ["P1"], students: ["S1", "S2"])])
        ).get()
        #expect(report.membersAdded == 1)
        #expect(report.membersRemoved == 1)
        let members = h.hub.queue.sync { h.hub.groups[h.hub.groupByExternalKey["course:DS"]!]!.members }
        #expect(Set(members.keys) == ["P1", "S1", "S2"])
    }

    @Test func manualMembersSurviveReimports() {
        let h = HubHarness()
        let counselor = h.connect("T1", roles: [.counselor])
        let group = h.group("class:se2301")
        #expect(
            h.request(counselor, ["type": "group.addMembers", "group": .int(group.rawValue), "users": ["S4"]]).isOK
        )
        _ = h.importDirectory(.sample)
        let members = h.hub.queue.sync { h.hub.groups[group]!.members }
        #expect(members["S4"]?.source == .manual)
    }
}
