import Testing

@testable import DirectoryImport

@Suite struct CSVReaderTests {
    private func records(_ text: String) throws(CSVReader.SyntaxError) -> [CSVReader.Record] {
        try records(bytes(text))
    }

    private func records(_ input: [UInt8]) throws(CSVReader.SyntaxError) -> [CSVReader.Record] {
        var reader = CSVReader(input)
        var result: [CSVReader.Record] = []
        while let record = try reader.next() {
            result.append(record)
        }
        return result
    }

    private func fields(_ text: String) throws -> [[String]] {
        try records(text).map(\.fields)
    }

    private func syntaxError(_ text: String) -> CSVReader.SyntaxError? {
        do {
            _ = try records(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func plainRecordsWithLFAndCRLF() throws {
        #expect(try fields("a,b\nc,d\n") == [["a", "b"], ["c", "d"]])
        #expect(try fields("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try fields("a,b\rc,d") == [["a", "b"], ["c", "d"]])
        #expect(try fields("a,b\nc,d") == [["a", "b"], ["c", "d"]])
    }

    @Test func emptyFieldsAndTrailingCommas() throws {
        #expect(try fields(",\n") == [["", ""]])
        #expect(try fields("a,,c,\n") == [["a", "", "c", ""]])
        #expect(try fields("a,") == [["a", ""]])
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"\"\r\nnext,\"x\r\ny\"\r\n"
        #expect(try fields(text) == [["a,b", "say \"hi\"", "line1\nline2", ""], ["next", "x\r\ny"]])
    }

    @Test func spacesAroundQuotedFieldsAreIgnored() throws {
        #expect(try fields("a, \"b\" ,c\n") == [["a", "b", "c"]])
        #expect(try fields(" a ,b\n") == [[" a ", "b"]])
    }

    @Test func lineNumbersCountPhysicalLines() throws {
        let result = try records("h1,h2\n\"multi\nline\",x\r\nafter,y\n\nlast,z")
        #expect(result.map(\.line) == [1, 2, 4, 5, 6])
        #expect(result[3].isBlank)
        #expect(!result[4].isBlank)
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try records([0xEF, 0xBB, 0xBF] + bytes("id,name\n")).map(\.fields) == [["id", "name"]])
        #expect(try records([0xEF, 0xBB, 0xBF]).isEmpty)
    }

    @Test func chineseTextIsKept() throws {
        #expect(try fields("张三,\"计算机学院，软件工程\"\n") == [["张三", "计算机学院，软件工程"]])
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try records("").isEmpty)
        #expect(try fields("\n") == [[""]])
    }

    @Test func malformedQuotesAreErrorsWithTheirLine() {
        #expect(syntaxError("a\n\"open,b\nc\n") == CSVReader.SyntaxError(kind: .unterminatedQuote, line: 2))
        #expect(syntaxError("a\nb\"c,d\n") == CSVReader.SyntaxError(kind: .quoteInUnquotedField, line: 2))
        #expect(syntaxError("a\n\"x\ny\"z,d\n") == CSVReader.SyntaxError(kind: .textAfterClosingQuote, line: 3))
    }
}
