import Testing

@testable import Gateway

/// Each format by its real leading bytes (and, for ZIP-based documents, by real archive structures).
@Suite struct MimeSnifferTests {
    static func bytes(_ parts: Any...) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case let text as String: out += Array(text.utf8)
            case let list as [UInt8]: out += list
            case let list as [Int]: out += list.map { UInt8($0) }
            case let byte as UInt8: out.append(byte)
            case let number as Int: out.append(UInt8(number))
            default: Issue.record("unsupported part \(part)")
            }
        }
        return out
    }

    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func be32(_ value: Int) -> [UInt8] { le32(value).reversed() }
    static let zeros = [UInt8](repeating: 0, count: 64)

    /// A stored (uncompressed) ZIP archive with a central directory.
    static func zip(_ entries: [(name: String, data: [UInt8])], dataDescriptors: Bool = false) -> [UInt8] {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let offset = archive.count
            let name = Array(entry.name.utf8)
            let flags = dataDescriptors ? 0x08 : 0
            let size = dataDescriptors ? 0 : entry.data.count
            archive +=
                le32(0x0403_4B50) + le16(20) + le16(flags) + le16(0) + le16(0) + le16(0) + le32(0) + le32(size)
                + le32(size) + le16(name.count) + le16(0) + name + entry.data
            if dataDescriptors {
                archive += le32(0x0807_4B50) + le32(0) + le32(entry.data.count) + le32(entry.data.count)
            }
            directory +=
                le32(0x0201_4B50) + le16(20) + le16(20) + le16(flags) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(entry.data.count) + le32(entry.data.count) + le16(name.count) + le16(0) + le16(0) + le16(0)
                + le16(0) + le32(0) + le32(offset) + name
        }
        let directoryOffset = archive.count
        archive += directory
        archive +=
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(directory.count) + le32(directoryOffset) + le16(0)
        return archive
    }

    static let contentTypes: (name: String, data: [UInt8]) = ("[Content_Types].xml", Array("<Types/>".utf8))

    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let bytes: [UInt8]
        let name: String?
        let expected: String
        var testDescription: String { label }
    }

    static let mp3Frame = bytes([0xFF, 0xFB, 0x90, 0x00]) + [UInt8](repeating: 0, count: 413)
    static let adtsFrame = bytes([0xFF, 0xF1, 0x50, 0x80, 0x0C, 0x9F, 0xFC]) + [UInt8](repeating: 0x21, count: 93)
    static let ole2 = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + [UInt8](repeating: 0, count: 504)

    static let cases: [Case] = [
        Case(
            label: "jpeg",
            bytes: bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10], "JFIF", 0, zeros),
            name: nil,
            expected: "image/jpeg"
        ),
        Case(
            label: "png",
            bytes: bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], be32(13), "IHDR", zeros),
            name: nil,
            expected: "image/png"
        ),
        Case(label: "gif87", bytes: bytes("GIF87a", zeros), name: nil, expected: "image/gif"),
        Case(
            label: "gif89",
            bytes: bytes("GIF89a", [0x01, 0x00, 0x01, 0x00], zeros),
            name: nil,
            expected: "image/gif"
        ),
        Case(label: "webp", bytes: bytes("RIFF", le32(100), "WEBPVP8 ", zeros), name: nil, expected: "image/webp"),
        Case(
            label: "bmp",
            bytes: bytes("BM", le32(70), le32(0), le32(54), le32(40), le32(1), le32(1), zeros),
            name: nil,
            expected: "image/bmp"
        ),
        Case(
            label: "heic",
            bytes: bytes(be32(24), "ftypheic", le32(0), "mif1heic", zeros),
            name: nil,
            expected: "image/heic"
        ),
        Case(
            label: "heif",
            bytes: bytes(be32(20), "ftypmif1", le32(0), "mif1", zeros),
            name: nil,
            expected: "image/heif"
        ),
        Case(
            label: "avif",
            bytes: bytes(be32(24), "ftypavif", le32(0), "avifmif1", zeros),
            name: nil,
            expected: "image/avif"
        ),
        Case(
            label: "mp4",
            bytes: bytes(be32(32), "ftypisom", be32(0x200), "isomiso2avc1mp41", be32(8), "free", zeros),
            name: nil,
            expected: "video/mp4"
        ),
        Case(
            label: "mov",
            bytes: bytes(be32(20), "ftypqt  ", be32(0x200), "qt  ", be32(8), "wide", zeros),
            name: nil,
            expected: "video/quicktime"
        ),
        Case(
            label: "m4a",
            bytes: bytes(be32(28), "ftypM4A ", le32(0), "M4A mp42isom", zeros),
            name: nil,
            expected: "audio/mp4"
        ),
        Case(
            label: "3gp",
            bytes: bytes(be32(20), "ftyp3gp5", le32(0), "3gp5", zeros),
            name: nil,
            expected: "video/3gpp"
        ),
        Case(
            label: "webm",
            bytes: bytes(
                [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04],
                [0x42, 0xF3, 0x81, 0x08, 0x42, 0x82, 0x84],
                "webm",
                [0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]
            ),
            name: nil,
            expected: "video/webm"
        ),
        Case(
            label: "mkv",
            bytes: bytes([0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88], "matroska", zeros),
            name: nil,
            expected: "video/x-matroska"
        ),
        Case(label: "avi", bytes: bytes("RIFF", le32(1000), "AVI LIST", zeros), name: nil, expected: "video/x-msvideo"),
        Case(
            label: "wav",
            bytes: bytes("RIFF", le32(1000), "WAVEfmt ", le32(16), zeros),
            name: nil,
            expected: "audio/wav"
        ),
        Case(
            label: "mp3 id3",
            bytes: bytes("ID3", [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A], zeros),
            name: nil,
            expected: "audio/mpeg"
        ),
        Case(label: "mp3 frames", bytes: mp3Frame + mp3Frame + mp3Frame, name: nil, expected: "audio/mpeg"),
        Case(label: "aac adts", bytes: adtsFrame + adtsFrame, name: nil, expected: "audio/aac"),
        Case(
            label: "ogg vorbis",
            bytes: bytes("OggS", 0, 2, Array(zeros.prefix(22)), 1, "\u{01}vorbis", zeros),
            name: nil,
            expected: "audio/ogg"
        ),
        Case(
            label: "ogg theora",
            bytes: bytes("OggS", 0, 2, Array(zeros.prefix(22)), 1, [0x80], "theora", zeros),
            name: nil,
            expected: "video/ogg"
        ),
        Case(label: "flac", bytes: bytes("fLaC", [0x00, 0x00, 0x00, 0x22], zeros), name: nil, expected: "audio/flac"),
        Case(label: "pdf", bytes: bytes("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n"), name: nil, expected: "application/pdf"),
        Case(label: "zip", bytes: zip([("notes.txt", Array("hi".utf8))]), name: "x.docx", expected: "application/zip"),
        Case(
            label: "empty zip",
            bytes: bytes(le32(0x0605_4B50), [UInt8](repeating: 0, count: 18)),
            name: nil,
            expected: "application/zip"
        ),
        Case(
            label: "docx",
            bytes: zip([contentTypes, ("_rels/.rels", []), ("word/document.xml", Array("<w:document/>".utf8))]),
            name: "x.zip",
            expected: MimeSniffer.docx
        ),
        Case(
            label: "xlsx",
            bytes: zip(
                [contentTypes, ("xl/workbook.xml", []), ("xl/worksheets/sheet1.xml", [])],
                dataDescriptors: true
            ),
            name: nil,
            expected: MimeSniffer.xlsx
        ),
        Case(
            label: "pptx",
            bytes: zip([contentTypes, ("ppt/presentation.xml", [])]),
            name: nil,
            expected: MimeSniffer.pptx
        ),
        Case(label: "doc", bytes: ole2, name: "报告.DOC", expected: "application/msword"),
        Case(label: "xls", bytes: ole2, name: "成绩.xls", expected: "application/vnd.ms-excel"),
        Case(label: "ppt", bytes: ole2, name: "slides.ppt", expected: "application/vnd.ms-powerpoint"),
        Case(label: "ole2 other name", bytes: ole2, name: "slides.pdf", expected: "application/vnd.ms-office"),
        Case(label: "ole2 no name", bytes: ole2, name: nil, expected: "application/vnd.ms-office"),
        Case(
            label: "rar4",
            bytes: bytes("Rar!", [0x1A, 0x07, 0x00, 0xCF, 0x90, 0x73], zeros),
            name: nil,
            expected: "application/vnd.rar"
        ),
        Case(
            label: "rar5",
            bytes: bytes("Rar!", [0x1A, 0x07, 0x01, 0x00], zeros),
            name: nil,
            expected: "application/vnd.rar"
        ),
        Case(
            label: "7z",
            bytes: bytes([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0x00, 0x04], zeros),
            name: nil,
            expected: "application/x-7z-compressed"
        ),
        Case(label: "gzip", bytes: bytes([0x1F, 0x8B, 0x08, 0x00], zeros), name: nil, expected: "application/gzip"),
        Case(
            label: "utf-8 text",
            bytes: bytes("明天上午九点开班会\r\n\tBring ID.\n"),
            name: "a.jpg",
            expected: MimeSniffer.plainText
        ),
        Case(label: "bom text", bytes: bytes([0xEF, 0xBB, 0xBF], "hello"), name: nil, expected: MimeSniffer.plainText),
        Case(
            label: "html is text",
            bytes: bytes("<!DOCTYPE html><script>x()</script>"),
            name: "a.html",
            expected: MimeSniffer.plainText
        ),
        Case(
            label: "svg is text",
            bytes: bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            name: nil,
            expected: MimeSniffer.plainText
        ),
        Case(
            label: "BM text",
            bytes: bytes("BMW is a car brand, not a bitmap."),
            name: nil,
            expected: MimeSniffer.plainText
        ),
        Case(label: "text with NUL", bytes: bytes("abc", 0, "def"), name: nil, expected: MimeSniffer.octetStream),
        Case(label: "binary control", bytes: bytes("abc", 1, "def"), name: nil, expected: MimeSniffer.octetStream),
        Case(label: "invalid utf-8", bytes: bytes("abc", [0xC3, 0x28]), name: nil, expected: MimeSniffer.octetStream),
        Case(
            label: "one mp3 sync is not enough",
            bytes: bytes([0xFF, 0xFB, 0x90, 0x00], zeros),
            name: nil,
            expected: MimeSniffer.octetStream
        ),
        Case(label: "empty", bytes: [], name: "a.png", expected: MimeSniffer.octetStream),
        Case(
            label: "random",
            bytes: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) },
            name: nil,
            expected: MimeSniffer.octetStream
        ),
    ]

    @Test(arguments: cases) func sniffs(_ example: Case) {
        #expect(MimeSniffer.sniff(example.bytes, name: example.name) == example.expected)
    }

    @Test func anOOXMLEntryBeyondThePrefixIsFoundInTheCentralDirectory() {
        // A 100 KiB first entry pushes word/ past the 64 KiB the upload keeps in memory.
        let archive = Self.zip([
            ("docProps/thumbnail.jpeg", [UInt8](repeating: 0xAB, count: 100_000)), Self.contentTypes,
            ("word/document.xml", []),
        ])
        var reads = 0
        let type = MimeSniffer.sniff(prefix: Array(archive.prefix(65_536)), size: Int64(archive.count), name: nil) {
            offset,
            count in
            reads += 1
            return Array(archive[Int(offset)..<Int(offset) + count])
        }
        #expect(type == MimeSniffer.docx)
        #expect(reads >= 1)
        #expect(MimeSniffer.zipLocalNames(Array(archive.prefix(65_536))) == ["docProps/thumbnail.jpeg"])
    }

    @Test func textCutInsideACharacterAtThePrefixEndIsStillText() {
        let text = Array(String(repeating: "班", count: 100).utf8)
        let cut = Array(text.prefix(200))  // 66 characters and 2 bytes of the next
        #expect(
            MimeSniffer.sniff(prefix: cut, size: Int64(text.count), name: nil) { _, _ in nil } == MimeSniffer.plainText
        )
        // A complete file may not end inside a character.
        #expect(MimeSniffer.sniff(cut) == MimeSniffer.octetStream)
    }
}
