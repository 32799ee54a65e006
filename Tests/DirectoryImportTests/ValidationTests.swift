import DirectoryImport
import Hub
import Testing

@Suite struct ValidationTests {
    @Test func duplicateIdsNameBothPlaces() {
        let csv = "id,name,roles\nS1,张三,student\nS2,李四,student\nS1,王五,student\n"
        let error = importError(csv, fileName: "users.csv")
        #expect(error?.code == "duplicate_id")
        #expect(error?.location == "line 4")
        #expect(
            error?.message
                == "users.csv line 4, column id: user id 'S1' is already used on line 2; each user must appear once."
        )
        let json =
            #"{"orgUnits": [{"id": "c", "kind": "college", "name": "A"}, {"id": "c", "kind": "college", "name": "B"}]}"#
        let jsonError = importError(json, fileName: "d.json")
        #expect(jsonError?.location == "orgUnits[1].id")
        #expect(
            jsonError?.message
                == "d.json orgUnits[1].id: org unit id 'c' is already used on orgUnits[0]; each org unit must appear once."
        )
    }

    @Test func rowsWithOtherProblemsStillCountForDuplicates() {
        let error = importError("id,name,roles\nS1,张三,studnet\nS1,李四,student\n", fileName: "users.csv")
        #expect(error?.problems.map(\.code) == ["invalid_value", "duplicate_id"])
    }

    @Test func duplicatesAcrossFilesNameTheOtherFile() {
        let files = [
            DirectoryImportFile(name: "a.csv", bytes: bytes("id,name,roles\nS1,张三,student\n")),
            DirectoryImportFile(
                name: "b.json",
                bytes: bytes(#"{"users": [{"id": "S1", "name": "张三", "roles": ["student"]}]}"#)
            ),
        ]
        let error = importErrorForFiles(files)
        #expect(
            error?.message
                == "b.json users[0].id: user id 'S1' is already used on a.csv line 2; each user must appear once."
        )
    }

    @Test func referencesOutsideTheFileAreAllowed() throws {
        let json = """
            {"orgUnits": [{"id": "se2301", "kind": "class", "name": "软件2301班", "parent": "cs-se", "counselors": ["T9"]}],
             "users": [{"id": "S1", "name": "张三", "roles": ["student"], "class": "se1901", "orgUnit": "cs"}],
             "courses": [{"id": "C1", "name": "数据结构", "teachers": ["T8"], "students": ["S7"]}]}
            """
        #expect(try parsed(json).users.count == 1)
    }

    @Test func parentsMustBeOfAFittingKind() {
        let json = """
            {"orgUnits": [
              {"id": "school", "kind": "school", "name": "示范大学"},
              {"id": "cs", "kind": "college", "name": "计算机学院", "parent": "school"},
              {"id": "se", "kind": "major", "name": "软件工程", "parent": "cs"},
              {"id": "c1", "kind": "class", "name": "软件2301班", "parent": "se"},
              {"id": "c2", "kind": "class", "name": "软件2302班", "parent": "c1"},
              {"id": "ee", "kind": "college", "name": "电子学院", "parent": "se"},
              {"id": "top", "kind": "school", "name": "总校", "parent": "school"}
            ]}
            """
        let error = importError(json, fileName: "d.json")
        #expect(error?.problems.map(\.code) == ["invalid_reference", "invalid_reference", "invalid_reference"])
        #expect(
            error?.problems.map(\.message) == [
                "d.json orgUnits[4].parent: parent 'c1' is a class, but the parent of a class must be a school, "
                    + "college, department or major.",
                "d.json orgUnits[5].parent: parent 'se' is a major, but the parent of a college must be a school.",
                "d.json orgUnits[6].parent: parent 'school' is a school, but a school is the top of the tree and has "
                    + "no parent.",
            ]
        )
    }

    @Test func loopsOfParentsAreReportedOnce() {
        let csv = """
            id,kind,name,parent
            d1,department,教务处,d2
            d2,department,学籍科,d3
            d3,department,招生科,d1
            d4,department,后勤处,d4
            d5,department,保卫处,d1

            """
        let error = importError(csv, fileName: "org-units.csv")
        #expect(
            error?.problems.map(\.message) == [
                "org-units.csv line 2, column parent: the parents form a loop: 'd1' → 'd2' → 'd3' → 'd1'.",
                "org-units.csv line 5, column parent: org unit 'd4' is its own parent.",
            ]
        )
    }

    @Test func onlyClassesHaveCounselors() {
        let error = importError("id,kind,name,counselors\ncs,college,计算机学院,T1\n", fileName: "o.csv")
        #expect(error?.code == "invalid_value")
        #expect(
            error?.message == "o.csv line 2, column counselors: only classes have counselors, but 'cs' is a college."
        )
    }

    @Test func usersMustReferenceFittingUnits() {
        let json = """
            {"orgUnits": [{"id": "cs", "kind": "college", "name": "计算机学院"},
                          {"id": "c1", "kind": "class", "name": "软件2301班", "parent": "cs"}],
             "users": [{"id": "S1", "name": "张三", "roles": ["student"], "class": "cs"},
                       {"id": "T1", "name": "李老师", "roles": ["teacher"], "orgUnit": "c1"}]}
            """
        let error = importError(json, fileName: "d.json")
        #expect(
            error?.problems.map(\.message) == [
                "d.json users[0].class: class 'cs' is a college, not a class.",
                "d.json users[1].orgUnit: orgUnit 'c1' is a class; put a student's class in the class field and use "
                    + "orgUnit for the college or department of staff.",
            ]
        )
    }

    @Test func counselorsAndTeachersInTheFileNeedTheirRoles() {
        let json = """
            {"orgUnits": [{"id": "c1", "kind": "class", "name": "软件2301班", "counselors": ["2023010101"]}],
             "users": [{"id": "2023010101", "name": "张三", "roles": ["student"]},
                       {"id": "T1", "name": "李老师", "roles": ["counselor"]}],
             "courses": [{"id": "C1", "name": "数据结构", "teachers": ["T1"], "students": []}]}
            """
        let error = importError(json, fileName: "d.json")
        #expect(error?.problems.map(\.code) == ["invalid_reference", "invalid_reference"])
        #expect(
            error?.problems.map(\.message) == [
                "d.json orgUnits[0].counselors: counselor '2023010101' (张三) does not have the counselor role.",
                "d.json courses[0].teachers[0]: teacher 'T1' (李老师) of course 'C1' does not have the teacher role.",
            ]
        )
    }

    @Test func rolesAreCheckedAcrossFiles() {
        let files = [
            DirectoryImportFile(name: "users.csv", bytes: bytes("id,name,roles\nS1,张三,student\n")),
            DirectoryImportFile(
                name: "courses.csv",
                bytes: bytes("course_id,course_name,user_id,role\nC1,数据结构,S1,teacher\n")
            ),
        ]
        let error = importErrorForFiles(files)
        #expect(
            error?.message
                == "courses.csv line 2, column user_id: teacher 'S1' (张三) of course 'C1' does not have the teacher role."
        )
    }

    @Test func aCourseNeedsATeacher() {
        let csv = "course_id,course_name,user_id,role\nC1,数据结构,S1,student\n"
        let error = importError(csv, fileName: "courses.csv")
        #expect(error?.code == "missing_field")
        #expect(
            error?.message
                == "courses.csv line 2, column role: course 'C1' has no teacher; every course needs at least one, who "
                + "owns its group."
        )
        let json = #"{"courses": [{"id": "C1", "name": "数据结构", "teachers": [], "students": ["S1"]}]}"#
        #expect(importError(json)?.location == "courses[0].teachers")
    }

    private func importErrorForFiles(_ files: [DirectoryImportFile]) -> DirectoryImportError? {
        do {
            _ = try DirectoryImportParser.parse(files: files)
            return nil
        } catch {
            return error
        }
    }
}
