import DirectoryImport
import Hub
import Testing

/// Seeded random mutations of valid files: whatever the bytes, parsing returns a directory or an error, never
/// crashes, and every message stays printable.
@Suite struct MutationFuzzTests {
    static let seeds: [(name: String, bytes: [UInt8])] = [
        ("example.json", bytes(ExampleTests.exampleJSON)),
        ("org-units.csv", bytes(ExampleTests.exampleOrgUnitsCSV)),
        ("users.csv", bytes(ExampleTests.exampleUsersCSV)),
        ("courses.csv", bytes(ExampleTests.exampleCoursesCSV)),
        ("quoted.csv", bytes("id,name,roles\r\n\"S1\",\"张, \"\"三\"\"\",\"student;teacher\"\r\n")),
        ("sample-directory.json", fixture("sample-directory.json")),
        ("sample-users.csv", fixture("sample-users.csv")),
    ]

    /// Bytes that matter to one of the grammars, plus BOM, GBK and invalid UTF-8 pieces.
    static let interesting: [UInt8] =
        Array("\"\\,;|:{}[]\n\r\t 0aZ-".utf8) + [0x00, 0x7F, 0xEF, 0xBB, 0xBF, 0xD5, 0xC0, 0xE5]

    @Test(arguments: 0..<seeds.count) func mutatedFilesNeverCrash(seedIndex: Int) {
        var random = SplitMix64(seed: 0xD1EC_7011 &+ UInt64(seedIndex))
        let original = Self.seeds[seedIndex].bytes
        for _ in 0..<1500 {
            var input = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutate(&input, using: &random)
            }
            check(input, fileName: Self.seeds[seedIndex].name)
        }
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let count = Int.random(in: 0...64, using: &random)
            let input = (0..<count).map { _ in
                Bool.random(using: &random)
                    ? Self.interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            check(input, fileName: "random")
        }
    }

    private func mutate(_ input: inout [UInt8], using random: inout SplitMix64) {
        let position = input.isEmpty ? 0 : Int.random(in: 0..<input.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where !input.isEmpty:
            input[position] = Self.interesting.randomElement(using: &random)!
        case 1:
            input.insert(Self.interesting.randomElement(using: &random)!, at: position)
        case 2 where !input.isEmpty:
            let end = min(input.count, position + Int.random(in: 1...8, using: &random))
            input.removeSubrange(position..<end)
        case 3 where !input.isEmpty:
            let end = min(input.count, position + Int.random(in: 1...40, using: &random))
            input.insert(contentsOf: input[position..<end], at: Int.random(in: 0...input.count, using: &random))
        case 4:
            input.removeSubrange(position..<input.count)
        default:
            if !input.isEmpty { input[position] = UInt8.random(in: 0...255, using: &random) }
        }
    }

    private func check(_ input: [UInt8], fileName: String) {
        do {
            let directory = try DirectoryImportParser.parse(input, fileName: fileName)
            for id in directory.users.map(\.id) + directory.orgUnits.map(\.id) + directory.courses.map(\.id) {
                #expect(!id.isEmpty && !id.unicodeScalars.contains { $0.value < 0x20 })
            }
            for name in directory.users.map(\.name) + directory.orgUnits.map(\.name) + directory.courses.map(\.name) {
                #expect(!name.isEmpty)
            }
        } catch {
            #expect(!error.problems.isEmpty && error.problems.count <= 50)
            for problem in error.problems {
                #expect(!problem.message.isEmpty)
                #expect(
                    !problem.message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                    "\(problem.message)"
                )
            }
        }
    }
}
