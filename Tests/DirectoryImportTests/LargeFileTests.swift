import DirectoryImport
import Hub
import Testing

/// Large generated files: correctness here; speed is measured by hand in a release build (see the report).
@Suite struct LargeFileTests {
    /// A users CSV with `count` students in 30-person classes, Chinese names, one quoted field per row.
    static func usersCSV(count: Int) -> [UInt8] {
        let surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"]
        let givenNames = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛"]
        var text = "id,name,roles,class,org_unit,active\r\n"
        text.reserveCapacity(count * 48)
        for index in 0..<count {
            let name = surnames[index % surnames.count] + givenNames[(index / 10) % givenNames.count]
            let active = index % 97 == 0 ? "false" : "true"
            text += "\(2_023_000_000 + index),\(name),\"student\",se\(2301 + index / 30),,\(active)\r\n"
        }
        return Array(text.utf8)
    }

    @Test func thirtyThousandUsersParse() throws {
        let input = Self.usersCSV(count: 30_000)
        let clock = ContinuousClock()
        var directory = Directory()
        let elapsed = try clock.measure {
            directory = try DirectoryImportParser.parse(input, fileName: "users.csv")
        }
        #expect(directory.users.count == 30_000)
        #expect(directory.users[29_999].classID == "se3300")
        #expect(directory.users.filter { !$0.active }.count == 310)
        print("parsed 30,000 users (\(input.count) bytes) in \(elapsed) (debug build; see DirectoryBench for release)")
    }

    @Test func aLargeFileWithManyProblemsStopsAtTheCap() {
        var input = Self.usersCSV(count: 30_000)
        input += Array(" bad,名字,studnet,,,\r\n".utf8)
        let error = importError(input, fileName: "users.csv")
        #expect(error?.problems.count == 2)
        #expect(error?.problems.map(\.line) == [30_002, 30_002])
    }
}
