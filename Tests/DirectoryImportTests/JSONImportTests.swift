import DirectoryImport
import Hub
import Testing

@Suite struct JSONImportTests {
    @Test func everySectionIsOptional() throws {
        #expect(try parsed("{}") == Directory())
        #expect(try parsed(#"{"users": null}"#) == Directory())
        let directory = try parsed(#"{"users": [{"id": "S1", "name": "张三", "roles": ["student"]}]}"#)
        #expect(directory == Directory(users: [UserRecord(id: "S1", name: "张三", roles: [.student])]))
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let input = [0xEF, 0xBB, 0xBF] + bytes(#"{"orgUnits": [{"id": "s", "kind": "school", "name": "示范大学"}]}"#)
        #expect(
            try DirectoryImportParser.parse(input).orgUnits == [OrgUnitRecord(id: "s", kind: .school, name: "示范大学")]
        )
    }

    @Test func syntaxErrorsGiveLineAndColumnInCharacters() {
        let error = importError(
            "{\n  \"users\": [\n    {\"id\": \"S1\", \"name\": \"张三\" \"roles\": []}\n  ]\n}",
            fileName: "d.json"
        )
        #expect(error?.code == "invalid_json")
        #expect(error?.location == "line 3, column 31")
        #expect(error?.message == "d.json line 3, column 31: unexpected character '\"'.")
    }

    @Test func fullWidthPunctuationGetsAHint() {
        let error = importError("{\"users\"：[]}", fileName: "d.json")
        #expect(
            error?.message
                == "d.json line 1, column 9: unexpected character '：'; JSON punctuation must be ASCII "
                + "(, : \" [ ] { }), not the full-width forms a Chinese input method types, and text must be in "
                + "double quotes."
        )
    }

    @Test func theTopLevelMustBeAnObject() {
        let error = importError(#"[{"id": "S1"}]"#, fileName: "d.json")
        #expect(error?.code == "invalid_json")
        #expect(error?.location == nil)
        #expect(
            error?.message
                == "d.json: the document must be an object with orgUnits, users and/or courses arrays, but it is "
                + "an array."
        )
    }

    @Test func unknownSectionsAndFieldsAreErrors() {
        let text = """
            {"user": [],
             "users": [{"id": "S1", "name": "张三", "roles": ["student"], "clas": "se2301", "phone": "123"}]}
            """
        let error = importError(text, fileName: "d.json")
        #expect(error?.problems.map(\.code) == ["unknown_field", "unknown_field", "unknown_field"])
        #expect(error?.problems.map(\.location) == ["user", "users[0].clas", "users[0].phone"])
        #expect(
            error?.problems.map(\.message) == [
                "d.json user: unknown section 'user'; the sections are orgUnits, users and courses. Did you mean "
                    + "'users'?",
                "d.json users[0].clas: unknown field 'clas'; the fields are id, name, roles, class, orgUnit, active. "
                    + "Did you mean 'class'?",
                "d.json users[0].phone: unknown field 'phone'; the fields are id, name, roles, class, orgUnit, "
                    + "active.",
            ]
        )
    }

    @Test func wrongTypesNameTheExpectedOne() {
        let text = """
            {"users": [{"id": 2023010101, "name": "张三", "roles": "student", "active": "false"}],
             "orgUnits": 5}
            """
        let error = importError(text, fileName: "d.json")
        #expect(error?.problems.map(\.code) == ["invalid_value", "invalid_value", "invalid_value", "invalid_value"])
        #expect(
            error?.problems.map(\.message) == [
                "d.json orgUnits: orgUnits must be an array of objects, but it is an integer.",
                "d.json users[0].id: id must be a string, but it is an integer; write ids in quotes, e.g. "
                    + "\"2023010101\".",
                "d.json users[0].roles: roles must be an array of strings, but it is a string.",
                "d.json users[0].active: active must be true or false, but it is a string.",
            ]
        )
    }

    @Test func recordsMustBeObjects() {
        let error = importError(#"{"users": ["S1"]}"#, fileName: "d.json")
        #expect(error?.message == "d.json users[0]: must be an object, but it is a string.")
    }

    @Test func missingAndEmptyFields() {
        let text =
            #"{"users": [{"id": "", "roles": []}], "courses": [{"id": "C1", "name": "数据结构", "teachers": ["T1"]}]}"#
        let error = importError(text, fileName: "d.json")
        #expect(error?.problems.map(\.code) == ["missing_field", "missing_field", "missing_field", "missing_field"])
        #expect(
            error?.problems.map(\.message) == [
                "d.json users[0].id: id is empty.",
                "d.json users[0].name: name is required.",
                "d.json users[0].roles: roles is empty; give at least one of student, counselor, teacher, staff, admin.",
                "d.json courses[0].students: students is required.",
            ]
        )
    }

    @Test func enumerationsAreStrictInJSON() {
        let text =
            #"{"orgUnits": [{"id": "c", "kind": "班级", "name": "软件2301班"}], "users": [{"id": "S1", "name": "张三", "roles": ["student", "Teacher", 3]}]}"#
        let error = importError(text, fileName: "d.json")
        #expect(
            error?.problems.map(\.message) == [
                "d.json orgUnits[0].kind: kind '班级' is not one of school, college, major, class, department.",
                "d.json users[0].roles[1]: role 'Teacher' is not one of student, counselor, teacher, staff, admin.",
                "d.json users[0].roles[2]: roles[2] must be a string, but it is an integer; write ids in quotes, "
                    + "e.g. \"3\".",
            ]
        )
    }

    @Test func nobodyIsBothTeacherAndStudentOfACourse() {
        let text = #"{"courses": [{"id": "C1", "name": "数据结构", "teachers": ["T1"], "students": ["S1", "T1"]}]}"#
        let error = importError(text, fileName: "d.json")
        #expect(error?.location == "courses[0].students[1]")
        #expect(
            error?.message
                == "d.json courses[0].students[1]: user 'T1' is also listed in courses[0].teachers[0]; a person is "
                + "either a teacher or a student of a course."
        )
    }

    @Test func duplicateKeysAreSyntaxErrors() {
        let error = importError(#"{"users": [], "users": []}"#, fileName: "d.json")
        #expect(error?.message == "d.json line 1, column 15: the field 'users' appears twice in the same object.")
    }

    @Test func tooManyRecordsCountRosterEntries() {
        let limits = DirectoryImportLimits(maxRecords: 3)
        let text = #"{"courses": [{"id": "C1", "name": "数据结构", "teachers": ["T1"], "students": ["S1", "S2"]}]}"#
        let error = importError(text, fileName: "d.json", limits: limits)
        #expect(error?.code == "too_large")
        #expect(
            error?.message
                == "d.json: the document has more than 3 records (org units, users, courses and course roster "
                + "entries); split it into several files."
        )
    }

    @Test func aHugeArrayIsTooLargeBeforeItIsDecoded() {
        // The parser stops at the first array with more elements than records are allowed (at least 64, so
        // that records themselves, objects of a few members, are never too large).
        let limits = DirectoryImportLimits(maxRecords: 2)
        let text = "{\"users\": [" + Array(repeating: "{}", count: 100).joined(separator: ",") + "]}"
        let error = importError(text, fileName: "d.json", limits: limits)
        #expect(error?.code == "too_large")
        #expect(error?.location?.hasPrefix("line 1, column ") == true)
        #expect(
            error?.message.hasSuffix(
                "an array has more elements than the 2 records a file may hold; split the file into several."
            )
                == true
        )
    }
}
