import Testing

@testable import Gateway

@Suite struct FileNamesTests {
    @Test(arguments: [
        ("班会记录.docx", "班会记录.docx"),
        ("../../etc/passwd", "....etcpasswd"),
        ("../../", "file"),
        ("..\\..\\boot.ini", "....boot.ini"),
        ("/abs", "abs"),
        ("a\u{0}b", "ab"),
        ("line\r\nbreak\t.txt", "linebreak.txt"),
        ("  spaced name.pdf \n", "spaced name.pdf"),
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("\u{7F}\u{85}x", "x"),
        ("", "file"),
        ("   ", "file"),
        (".", "file"),
        ("...", "file"),
        (".hidden", ".hidden"),
    ])
    func sanitize(_ raw: String, _ expected: String) {
        #expect(DisplayName.sanitize(raw) == expected)
    }

    @Test func missingNameIsFile() {
        #expect(DisplayName.sanitize(nil) == "file")
    }

    @Test func longNamesAreCutAt255BytesOnACharacterBoundary() {
        let ascii = DisplayName.sanitize(String(repeating: "a", count: 400))
        #expect(ascii.utf8.count == 255)
        let chinese = DisplayName.sanitize(String(repeating: "班", count: 100))  // 3 bytes each
        #expect(chinese == String(repeating: "班", count: 85))
        let emoji = DisplayName.sanitize(String(repeating: "👨‍👩‍👧", count: 20))  // 18 bytes each
        #expect(emoji == String(repeating: "👨‍👩‍👧", count: 14))
    }

    @Test func contentDispositionHasAnASCIIFallbackAndTheExactName() {
        #expect(
            DisplayName.contentDisposition("班会 记录.pdf", inline: false)
                == "attachment; filename=\"__ __.pdf\"; filename*=UTF-8''%E7%8F%AD%E4%BC%9A%20%E8%AE%B0%E5%BD%95.pdf"
        )
        #expect(
            DisplayName.contentDisposition("say \"hi\"\\.png", inline: true)
                == "inline; filename=\"say hi.png\"; filename*=UTF-8''say%20%22hi%22%5C.png"
        )
        #expect(DisplayName.contentDisposition("a\r\nb", inline: false).contains("\r") == false)
        #expect(DisplayName.contentDisposition("数据", inline: false).hasPrefix("attachment; filename=\"__\";"))
    }

    @Test(arguments: [
        ("bytes=0-99", ByteRange.partial(offset: 0, length: 100)),
        ("bytes=-100", .partial(offset: 900, length: 100)),
        ("bytes=100-", .partial(offset: 100, length: 900)),
        ("bytes=999-999", .partial(offset: 999, length: 1)),
        ("bytes=990-5000", .partial(offset: 990, length: 10)),
        ("bytes=-5000", .partial(offset: 0, length: 1000)),
        ("Bytes = 0-0 ", .partial(offset: 0, length: 1)),
        ("bytes=0-99,", .partial(offset: 0, length: 100)),
        ("bytes=0-99999999999999999999999", .partial(offset: 0, length: 1000)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=1000-2000", .unsatisfiable),
        ("bytes=99999999999999999999999-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-2", .whole),
        ("bytes=0-1,5-6", .whole),
        ("bytes=abc", .whole),
        ("bytes=", .whole),
        ("bytes=-", .whole),
        ("bytes=1-2-3", .whole),
        ("bytes=+1-2", .whole),
        ("items=0-1", .whole),
        ("0-1", .whole),
    ])
    func range(_ header: String, _ expected: ByteRange) {
        #expect(ByteRange.parse(header, size: 1000) == expected)
    }

    @Test func rangesOfAnEmptyFileAreUnsatisfiable() {
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-1", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse(nil, size: 0) == .whole)
    }

    @Test func objectIDsAreRandom128BitBase32() {
        let ids = (0..<1000).map { _ in FilesRoute.newObjectID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 26 && FilesRoute.isObjectID($0) })
        #expect(!FilesRoute.isObjectID("../x"))
        #expect(!FilesRoute.isObjectID(""))
    }
}
