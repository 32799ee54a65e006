import DirectoryImport
import Hub
import Testing

@Suite struct CSVImportTests {
    @Test func headersIgnoreCaseSpacesAndColumnOrder() throws {
        let directory = try parsed(" Roles , ID ,Name\nstudent,2023010101,张三\n")
        #expect(directory.users == [UserRecord(id: "2023010101", name: "张三", roles: [.student])])
    }

    @Test func aByteOrderMarkAndCRLFAreAccepted() throws {
        let input = [0xEF, 0xBB, 0xBF] + bytes("id,name,roles\r\nT1,李老师,teacher\r\n\r\n\r\n")
        let directory = try DirectoryImportParser.parse(input, fileName: "users.csv")
        #expect(directory.users == [UserRecord(id: "T1", name: "李老师", roles: [.teacher])])
    }

    @Test func quotedFieldsWithCommasQuotesAndLineBreaks() throws {
        let text = "id,kind,name\nx1,department,\"后勤处, \"\"总务\"\"\"\n"
        let directory = try parsed(text)
        #expect(directory.orgUnits == [OrgUnitRecord(id: "x1", kind: .department, name: "后勤处, \"总务\"")])
        // A line break inside a name is a control character, reported at the line where the row starts.
        let error = importError("id,name,roles\nS1,\"张\n三\",student\nS2,李四,student\n", fileName: "users.csv")
        #expect(error?.code == "invalid_value")
        #expect(error?.message == "users.csv line 2, column name: name '张\\n三' contains the control character \\n.")
    }

    @Test func blankRowsAnywhereAreSkipped() throws {
        let directory = try parsed("\n\nid,name,roles\n\nS1,张三,student\n,,\n\nS2,李四,student\n\n")
        #expect(directory.users.map(\.id) == ["S1", "S2"])
    }

    @Test func aHeaderWithoutRowsIsAnEmptyImport() throws {
        #expect(try parsed("id,name,roles\n") == Directory())
    }

    @Test func listsAcceptSemicolonsBarsAndFullWidthSemicolons() throws {
        let text = """
            id,name,roles,org_unit
            T1,李老师,counselor; teacher,cs
            T2,王老师,teacher|admin|,cs
            T3,赵老师,辅导员；教师,cs

            """
        let users = try parsed(text).users
        #expect(users.map(\.roles) == [[.counselor, .teacher], [.teacher, .admin], [.counselor, .teacher]])
        let units = try parsed("id,kind,name,counselors\nc1,班级,软件2301班,T1 | T2;\n").orgUnits
        #expect(units == [OrgUnitRecord(id: "c1", kind: .class, name: "软件2301班", counselors: ["T1", "T2"])])
    }

    @Test func activeAcceptsTheDocumentedSpellings() throws {
        let text =
            "id,name,roles,active\n1,a,student,true\n2,b,student,FALSE\n3,c,student,1\n4,d,student,0\n"
            + "5,e,student,是\n6,f,student,否\n7,g,student,\n"
        let active = try parsed(text).users.map(\.active)
        #expect(active == [true, false, true, false, true, false, true])
        let error = importError("id,name,roles,active\n1,a,student,yes\n", fileName: "users.csv")
        #expect(
            error?.message
                == "users.csv line 2, column active: active 'yes' is not one of true, false, 1, 0, 是, 否 "
                + "(empty means true)."
        )
    }

    @Test func rolesAndKindsAcceptChineseAndAnyCase() throws {
        let users = try parsed("id,name,roles\n1,a,Student\n2,b,学生;管理员\n3,c,老师;职工\n").users
        #expect(users.map(\.roles) == [[.student], [.student, .admin], [.teacher, .staff]])
        let units = try parsed("id,kind,name\na,学校,A\nb,College,B\nc,专业,C\nd,部门,D\n").orgUnits
        #expect(units.map(\.kind) == [.school, .college, .major, .department])
    }

    @Test func aBadRoleNamesTheLineColumnAndAllowedValues() {
        let text = "id,name,roles\n" + String(repeating: "S0,张三,student\n", count: 0) + "S1,张三,studnet\n"
        let error = importError(text, fileName: "users.csv")
        #expect(error?.code == "invalid_value")
        #expect(error?.location == "line 2")
        #expect(error?.problems.first?.field == "roles")
        #expect(
            error?.message
                == "users.csv line 2, column roles: role 'studnet' is not one of student, counselor, teacher, "
                + "staff, admin."
        )
    }

    @Test func emptyRolesAreMissing() {
        let error = importError("id,name,roles\nS1,张三,;\n", fileName: "users.csv")
        #expect(error?.code == "missing_field")
        #expect(
            error?.message
                == "users.csv line 2, column roles: roles is empty; give at least one of student, counselor, "
                + "teacher, staff, admin, separated by ';'."
        )
    }

    @Test func gbkBytesAreNotUTF8() {
        // "张三" in GBK is D5 C5 C8 FD.
        let input = bytes("id,name,roles\n") + bytes("S1,") + [0xD5, 0xC5, 0xC8, 0xFD] + bytes(",student\n")
        let error = importError(input, fileName: "users.csv")
        #expect(error?.code == "not_utf8")
        #expect(error?.location == "line 2")
        #expect(
            error?.message
                == "users.csv line 2: the file is not UTF-8 (byte 0xD5 is not valid UTF-8 here; Excel's plain 'CSV' "
                + "format writes GBK); save it as 'CSV UTF-8' (in Excel: 另存为, 保存类型 CSV UTF-8(逗号分隔))."
        )
    }

    @Test func anUnknownHeaderListsTheKnownFiles() {
        let error = importError("学号,姓名\n1,张三\n", fileName: "users.csv")
        #expect(error?.code == "unknown_header")
        #expect(error?.location == "line 1")
        #expect(
            error?.message
                == "users.csv line 1: the header row '学号,姓名' does not match any known file; the first row must "
                + "name the columns of users (id,name,roles[,class][,org_unit][,active]), org units "
                + "(id,kind,name[,parent][,counselors]) or course rosters (course_id,course_name,user_id,role)."
        )
    }

    @Test func anUnknownColumnIsNamedWithASuggestion() {
        let error = importError("id,name,roles,clas\nS1,张三,student,se2301\n", fileName: "users.csv")
        #expect(error?.code == "unknown_header")
        #expect(
            error?.message
                == "users.csv line 1: column 'clas' is not a column of a users file, which has "
                + "id,name,roles[,class][,org_unit][,active]. Did you mean 'class'?"
        )
    }

    @Test func repeatedAndMissingColumnsAreReportedTogether() {
        let error = importError("id,name,kind,name\n", fileName: "org-units.csv")
        #expect(error?.problems.map(\.code) == ["unknown_header"])
        #expect(
            error?.problems.first?.message == "org-units.csv line 1: column 'name' appears twice, as columns 2 and 4."
        )
        let missing = importError("course_id,user_id,role\nC1,S1,student\n", fileName: "courses.csv")
        #expect(missing?.code == "missing_field")
        #expect(
            missing?.message
                == "courses.csv line 1: the header has no 'course_name' column; a course rosters file has "
                + "course_id,course_name,user_id,role."
        )
    }

    @Test func unnamedColumnsMayOnlyHoldEmptyCells() throws {
        #expect(try parsed("id,name,roles,\nS1,张三,student,\n").users.count == 1)
        let error = importError("id,name,roles,\nS1,张三,student,x\n", fileName: "users.csv")
        #expect(error?.code == "unknown_header")
        #expect(
            error?.message
                == "users.csv line 2: column 4 has no name in the header row but holds 'x' here; name the column "
                + "or delete it."
        )
    }

    @Test func aRowWithTheWrongNumberOfFieldsNamesItsLine() {
        let text = "id,name,roles\nS1,张三,student\nS2,李四,student,extra\nS3,王五\n"
        let error = importError(text, fileName: "users.csv")
        #expect(error?.problems.map(\.code) == ["invalid_csv", "invalid_csv"])
        #expect(error?.problems.map(\.location) == ["line 3", "line 4"])
        #expect(
            error?.problems.first?.message
                == "users.csv line 3: the row has 4 fields but the header has 3 columns. A value that contains a "
                + "comma must be enclosed in double quotes."
        )
        #expect(
            error?.problems.last?.message
                == "users.csv line 4: the row has 2 fields but the header has 3 columns. Every row needs a value "
                + "(possibly empty) for every column."
        )
    }

    @Test func quoteErrorsStopTheFileWithTheirLine() {
        let unterminated = importError("id,name,roles\nS1,\"张三,student\nS2,李四,student\n", fileName: "u.csv")
        #expect(unterminated?.code == "invalid_csv")
        #expect(unterminated?.location == "line 2")
        let stray = importError("id,name,roles\nS1,张\"三,student\n", fileName: "u.csv")
        #expect(
            stray?.message
                == "u.csv line 2: a double quote (\") appears inside a value that does not start with one; enclose "
                + "the value in double quotes and write the quote twice (\"\")."
        )
    }

    @Test func idsMustBeTrimmedVisibleAndShort() {
        let text =
            "id,name,roles\n S1,张三,student\nS\u{200B}2,李四,student\n,王五,student\n"
            + String(repeating: "9", count: 129) + ",赵六,student\n"
        let error = importError(text, fileName: "users.csv")
        #expect(error?.problems.map(\.code) == ["invalid_value", "invalid_value", "missing_field", "too_long"])
        #expect(
            error?.problems.map(\.message) == [
                "users.csv line 2, column id: id ' S1' has spaces at the start or end.",
                "users.csv line 3, column id: id 'S\\u{200B}2' contains the invisible character \\u{200B}; retype it.",
                "users.csv line 4, column id: id is empty.",
                "users.csv line 5, column id: id '\(String(repeating: "9", count: 60))…' is 129 bytes long; at most "
                    + "128 are allowed.",
            ]
        )
    }

    @Test func namesAreTrimmedButNotEmpty() throws {
        #expect(try parsed("id,name,roles\nS1,\u{3000}张三 ,student\n").users[0].name == "张三")
        let error = importError("id,name,roles\nS1,  ,student\n", fileName: "users.csv")
        #expect(error?.message == "users.csv line 2, column name: name is empty.")
    }

    @Test func cellsOverTheFieldLimitAreTooLong() {
        let limits = DirectoryImportLimits(maxFieldBytes: 10)
        let error = importError("id,name,roles\nS1,张三,student;teacher\n", fileName: "u.csv", limits: limits)
        #expect(error?.code == "too_long")
        #expect(
            error?.message
                == "u.csv line 2, column roles: roles 'student;teacher' is 15 bytes long; at most 10 are allowed."
        )
    }

    @Test func courseRowsAreCollectedPerCourse() throws {
        let text = """
            course_id,course_name,user_id,role
            C1,数据结构,T1,teacher
            C2,操作系统,T2,教师
            C1,数据结构,S2,student
            C1,数据结构,S1,学生
            C2,操作系统,S1,Student
            C1,数据结构,S1,student

            """
        let courses = try parsed(text).courses
        #expect(
            courses == [
                CourseRecord(id: "C1", name: "数据结构", teachers: ["T1"], students: ["S1", "S2"]),
                CourseRecord(id: "C2", name: "操作系统", teachers: ["T2"], students: ["S1"]),
            ]
        )
    }

    @Test func theRowsOfACourseMustAgreeOnItsName() {
        let text = """
            course_id,course_name,user_id,role
            C1,数据结构,T1,teacher
            C1,数据结构,S1,student
            C1,数据结构（上）,S2,student

            """
        let error = importError(text, fileName: "courses.csv")
        #expect(error?.code == "invalid_value")
        #expect(error?.location == "line 4")
        #expect(
            error?.message
                == "courses.csv line 4, column course_name: course 'C1' is named '数据结构' on line 2 but "
                + "'数据结构（上）' here; every row of a course must have the same course_name."
        )
    }

    @Test func nobodyIsBothTeacherAndStudentOfACourse() {
        let text = "course_id,course_name,user_id,role\nC1,数据结构,T1,teacher\nC1,数据结构,T1,student\n"
        let error = importError(text, fileName: "courses.csv")
        #expect(
            error?.message
                == "courses.csv line 3, column role: user 'T1' is listed as a teacher of course 'C1' on line 2 and "
                + "as a student here; a person is either a teacher or a student of a course."
        )
    }

    @Test func aBadRosterRoleListsTheTwoRoles() {
        let error = importError("course_id,course_name,user_id,role\nC1,数据结构,T1,助教\n", fileName: "c.csv")
        #expect(error?.message == "c.csv line 2, column role: role '助教' is not one of teacher, student.")
    }

    @Test func tooManyRowsStopTheFile() {
        let limits = DirectoryImportLimits(maxRecords: 2)
        let error = importError("id,name,roles\n1,a,student\n2,b,student\n\n3,c,student\n", limits: limits)
        #expect(error?.code == "too_large")
        #expect(error?.message == "Line 5: the file has more than 2 rows; split it into several files.")
    }
}
