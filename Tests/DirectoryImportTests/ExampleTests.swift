import DirectoryImport
import Hub
import Testing

@Suite struct ExampleTests {
    static let exampleJSON = """
        {
          "orgUnits": [
            {"id": "school", "kind": "school", "name": "示范大学"},
            {"id": "cs", "kind": "college", "name": "计算机学院", "parent": "school"},
            {"id": "cs-se", "kind": "major", "name": "软件工程", "parent": "cs"},
            {"id": "se2301", "kind": "class", "name": "软件2301班", "parent": "cs-se", "counselors": ["T1001"]}
          ],
          "users": [
            {"id": "2023010101", "name": "张三", "roles": ["student"], "class": "se2301"},
            {"id": "T1001", "name": "李老师", "roles": ["counselor", "teacher"], "orgUnit": "cs"},
            {"id": "2019010101", "name": "王五", "roles": ["student"], "class": "se1901", "active": false}
          ],
          "courses": [
            {"id": "CS101-2026A", "name": "数据结构", "teachers": ["T2001"], "students": ["2023010101"]}
          ]
        }
        """

    static let exampleOrgUnitsCSV = """
        id,kind,name,parent,counselors
        school,school,示范大学,,
        cs,college,计算机学院,school,
        cs-se,major,软件工程,cs,
        se2301,class,软件2301班,cs-se,T1001

        """

    static let exampleUsersCSV = """
        id,name,roles,class,org_unit,active
        2023010101,张三,student,se2301,,
        T1001,李老师,counselor;teacher,,cs,
        2019010101,王五,student,se1901,,false

        """

    static let exampleCoursesCSV = """
        course_id,course_name,user_id,role
        CS101-2026A,数据结构,T2001,teacher
        CS101-2026A,数据结构,2023010101,student

        """

    static let expected = Directory(
        orgUnits: [
            OrgUnitRecord(id: "school", kind: .school, name: "示范大学"),
            OrgUnitRecord(id: "cs", kind: .college, name: "计算机学院", parentID: "school"),
            OrgUnitRecord(id: "cs-se", kind: .major, name: "软件工程", parentID: "cs"),
            OrgUnitRecord(id: "se2301", kind: .class, name: "软件2301班", parentID: "cs-se", counselors: ["T1001"]),
        ],
        users: [
            UserRecord(id: "2023010101", name: "张三", roles: [.student], classID: "se2301"),
            UserRecord(id: "T1001", name: "李老师", roles: [.teacher, .counselor], orgUnitID: "cs"),
            UserRecord(id: "2019010101", name: "王五", roles: [.student], classID: "se1901", active: false),
        ],
        courses: [
            CourseRecord(id: "CS101-2026A", name: "数据结构", teachers: ["T2001"], students: ["2023010101"])
        ]
    )

    @Test func theJSONExampleParses() throws {
        let directory = try parsed(Self.exampleJSON, fileName: "directory.json")
        #expect(directory == Self.expected)
        #expect(directory.users[1].roles == [.counselor, .teacher])
    }

    @Test func theThreeCSVFilesGiveTheSameDirectory() throws {
        let orgUnits = try parsed(Self.exampleOrgUnitsCSV, fileName: "org-units.csv")
        let users = try parsed(Self.exampleUsersCSV, fileName: "users.csv")
        let courses = try parsed(Self.exampleCoursesCSV, fileName: "courses.csv")
        #expect(orgUnits == Directory(orgUnits: Self.expected.orgUnits))
        #expect(users == Directory(users: Self.expected.users))
        #expect(courses == Directory(courses: Self.expected.courses))
        let merged = Directory(orgUnits: orgUnits.orgUnits, users: users.users, courses: courses.courses)
        #expect(merged == Self.expected)
    }

    @Test func theCSVFilesCanBeImportedTogether() throws {
        let files = [
            DirectoryImportFile(name: "org-units.csv", bytes: bytes(Self.exampleOrgUnitsCSV)),
            DirectoryImportFile(name: "users.csv", bytes: bytes(Self.exampleUsersCSV)),
            DirectoryImportFile(name: "courses.csv", bytes: bytes(Self.exampleCoursesCSV)),
        ]
        #expect(try DirectoryImportParser.parse(files: files) == Self.expected)
    }

    @Test func theFormatIsDetectedFromTheContent() {
        #expect(DirectoryFormat.detect(bytes(Self.exampleJSON)) == .json)
        #expect(DirectoryFormat.detect(bytes(" \r\n\t{}")) == .json)
        #expect(DirectoryFormat.detect([0xEF, 0xBB, 0xBF] + bytes("{}")) == .json)
        #expect(DirectoryFormat.detect(bytes(Self.exampleUsersCSV)) == .csv)
        #expect(DirectoryFormat.detect([]) == .csv)
    }

    @Test func anExplicitFormatOverridesDetection() {
        let error = importErrorWithFormat(bytes(Self.exampleUsersCSV), format: .json, fileName: "users.json")
        #expect(error?.code == "invalid_json")
        #expect(error?.location == "line 1, column 1")
    }

    @Test func theSampleFilesDescribeTheSameDirectory() throws {
        let json = try DirectoryImportParser.parse(fixture("sample-directory.json"), fileName: "sample-directory.json")
        #expect(json.orgUnits.count == 5)
        #expect(json.users.count == 12)
        #expect(json.users.filter { $0.roles.contains(.student) }.count == 8)
        #expect(json.users.filter { $0.roles.contains(.teacher) }.count == 3)
        #expect(json.users.filter { $0.roles.contains(.counselor) }.count == 2)
        #expect(json.courses.count == 1)
        #expect(json.courses[0].teachers == ["T2001", "T2002"])
        #expect(json.courses[0].students.count == 7)

        let files = ["sample-org-units.csv", "sample-users.csv", "sample-courses.csv"].map {
            DirectoryImportFile(name: $0, bytes: fixture($0))
        }
        #expect(try DirectoryImportParser.parse(files: files) == json)
        var separately = Directory()
        for file in files {
            let part = try DirectoryImportParser.parse(file.bytes, fileName: file.name)
            separately.orgUnits += part.orgUnits
            separately.users += part.users
            separately.courses += part.courses
        }
        #expect(separately == json)
    }

    private func importErrorWithFormat(
        _ input: [UInt8],
        format: DirectoryFormat,
        fileName: String
    ) -> DirectoryImportError? {
        do {
            _ = try DirectoryImportParser.parse(input, format: format, fileName: fileName)
            return nil
        } catch {
            return error
        }
    }
}
