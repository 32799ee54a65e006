import DirectoryImport
import Hub
import Testing

@Suite struct ErrorReportingTests {
    @Test func allProblemsOfAFileAreReportedTogether() {
        let csv = "id,name,roles\nS1,张三,studnet\nS2,,student\nS3,王五,student\n"
        let error = importError(csv, fileName: "users.csv")
        #expect(error?.problems.count == 2)
        #expect(error?.hasMoreProblems == false)
        #expect(error?.code == "invalid_value")
        #expect(error?.location == "line 2")
        #expect(
            error?.message == """
                users.csv has 2 problems:
                users.csv line 2, column roles: role 'studnet' is not one of student, counselor, teacher, staff, admin.
                users.csv line 3, column name: name is empty.
                """
        )
        #expect(error?.description == error?.message)
        let second = error?.problems.last
        #expect(second?.code == "missing_field")
        #expect(second?.fileName == "users.csv")
        #expect(second?.line == 3)
        #expect(second?.field == "name")
        #expect(second?.location == "line 3")
    }

    @Test func atMostFiftyProblemsAreCollected() {
        var csv = "id,name,roles\n"
        for index in 0..<200 {
            csv += "S\(index),学生\(index),studnet\n"
        }
        let error = importError(csv, fileName: "users.csv")
        #expect(error?.problems.count == 50)
        #expect(error?.hasMoreProblems == true)
        #expect(error?.problems.last?.line == 51)
        let lines = error?.message.split(separator: "\n", omittingEmptySubsequences: false) ?? []
        #expect(lines.count == 52)
        #expect(lines.first == "users.csv has more than 50 problems; the first 50 are:")
        #expect(lines.last == "Fix these and import again to see the rest.")
    }

    @Test func theCapIsConfigurable() {
        let csv = "id,name,roles\nS1,a,x\nS2,b,y\nS3,c,z\n"
        let error = importError(csv, limits: DirectoryImportLimits(maxProblems: 2))
        #expect(error?.problems.count == 2)
        #expect(error?.hasMoreProblems == true)
        #expect(importError(csv, limits: DirectoryImportLimits(maxProblems: 3))?.hasMoreProblems == false)
    }

    @Test func aFileOverTheSizeLimitIsTooLarge() {
        let error = importError("id,name,roles\n", fileName: "users.csv", limits: DirectoryImportLimits(maxBytes: 10))
        #expect(error?.code == "too_large")
        #expect(error?.location == nil)
        #expect(
            error?.message == "users.csv: the file is 14 bytes; at most 10 are allowed. Split it into several files."
        )
    }

    @Test func anEmptyFileIsReported() {
        for input in [[], bytes(" \r\n\n"), [0xEF, 0xBB, 0xBF]] {
            let error = importError(input, fileName: "users.csv")
            #expect(error?.code == "empty_file")
            #expect(error?.message == "users.csv: the file is empty.")
        }
        #expect(importError(",,\n,,\n")?.message == "The file has no header row.")
    }

    @Test func messagesWithoutAFileNameStartWithTheirPlace() {
        #expect(
            importError("id,name,roles\nS1,张三,\n")?.message
                == "Line 2, column roles: roles is empty; give at least one of student, counselor, teacher, staff, admin, separated by ';'."
        )
        #expect(
            importError(#"{"users": [{"id": "S1", "name": "张三"}]}"#)?.message == "users[0].roles: roles is required."
        )
        #expect(
            importError(#"{"users": 1}"#)?.message == "users: users must be an array of objects, but it is an integer."
        )
    }

    @Test func notUTF8InJSON() {
        let input = bytes("{\n\"users\": [{\"id\": \"S1\", \"name\": \"") + [0xD5, 0xC5] + bytes("\"}]}")
        let error = importError(input, fileName: "d.json")
        #expect(error?.code == "not_utf8")
        #expect(error?.location == "line 2")
        #expect(
            error?.message
                == "d.json line 2: the file is not UTF-8 (byte 0xD5 is not valid UTF-8 here; Excel's plain 'CSV' "
                + "format writes GBK); save it as UTF-8."
        )
    }

    @Test func untrustedValuesAreShortenedAndMadeVisible() {
        let long = String(repeating: "学", count: 100)
        let error = importError("id,name,roles\nS1,张三,\(long)\u{7}\n", fileName: "u.csv")
        #expect(
            error?.message
                == "u.csv line 2, column roles: role '\(String(repeating: "学", count: 60))…' is not one of student, counselor, teacher, staff, admin."
        )
        let bell = importError("id,name,roles\nS1,张\u{7}三,student\n")
        #expect(bell?.message == "Line 2, column name: name '张\\u{7}三' contains the control character \\u{7}.")
    }

    @Test func everyCodeIsProduced() {
        let cases: [(String, [UInt8])] = [
            ("invalid_json", bytes("{\"users\": [}")),
            ("invalid_csv", bytes("id,name,roles\nS1,张三\n")),
            ("not_utf8", [0xC0, 0x80]),
            ("empty_file", []),
            ("unknown_header", bytes("a,b\n")),
            ("unknown_field", bytes(#"{"teachers": []}"#)),
            ("missing_field", bytes("id,roles\n")),
            ("invalid_value", bytes("id,kind,name\nx,campus,主校区\n")),
            ("too_long", bytes("id,kind,name\nx,school,\(String(repeating: "大", count: 100))\n")),
            ("too_large", bytes(#"{"users": [{}, {}]}"#)),
            ("duplicate_id", bytes("id,kind,name\nx,school,A\nx,school,B\n")),
            ("invalid_reference", bytes("id,kind,name,parent\nx,school,A,x\n")),
        ]
        for (code, input) in cases {
            let error = importError(input, limits: DirectoryImportLimits(maxRecords: code == "too_large" ? 1 : 10))
            #expect(error?.code == code, "\(code): \(error?.message ?? "no error")")
            #expect(error?.problems.allSatisfy { !$0.message.isEmpty } == true)
        }
    }

    @Test func problemsOfSeveralFilesAreReportedTogether() {
        let files = [
            DirectoryImportFile(name: "users.csv", bytes: [0xD5, 0xC5]),
            DirectoryImportFile(name: "org-units.csv", bytes: bytes("id,kind,name\nx,campus,主校区\n")),
        ]
        do {
            _ = try DirectoryImportParser.parse(files: files)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.fileName) == ["users.csv", "org-units.csv"])
            #expect(error.problems.map(\.code) == ["not_utf8", "invalid_value"])
            #expect(error.message.hasPrefix("The import has 2 problems:\nusers.csv line 1: the file is not UTF-8"))
        }
    }

    @Test func rowsBeforeAFatalCSVErrorAreStillChecked() {
        let error = importError("id,name,roles\nS1,张三,student\nS1,李四,student\nS2,\"王五,student\n")
        #expect(error?.problems.map(\.code) == ["invalid_csv", "duplicate_id"])
        #expect(error?.problems.map(\.location) == ["line 4", "line 3"])
    }

    @Test func callersCanBuildErrorsWithTheSameType() {
        let problem = DirectoryImportError.Problem(
            code: DirectoryImportError.Code.unknownReference,
            message: "users.csv line 3, column class: class 'se2399' does not exist.",
            location: "line 3",
            fileName: "users.csv",
            line: 3,
            field: "class"
        )
        let error = DirectoryImportError(problem)
        #expect(error.code == "unknown_reference")
        #expect(error.message == problem.message)
        #expect(error == DirectoryImportError([problem]))
    }
}
