/// Detects a file's media type from its bytes. What the client claims (its `Content-Type`, the name's extension) is
/// never trusted; the name only picks between the legacy Office formats, which share one container.
///
/// Recognized: JPEG, PNG, GIF, WebP, BMP, HEIC/HEIF/AVIF and MP4/MOV/M4A/3GP (ISO base media `ftyp` brands),
/// WebM/Matroska, AVI, WAV, MP3 (ID3 tag or two consecutive MPEG audio frames), AAC (ADTS), OGG, FLAC, PDF, ZIP and the
/// OOXML formats inside it (docx/xlsx/pptx by their entries), OLE2 (doc/xls/ppt), RAR, 7z, gzip, and text: valid UTF-8
/// with no NUL or other binary control bytes (`text/plain; charset=utf-8`). Anything else, and the empty file, is
/// `application/octet-stream`. Nothing is ever detected as HTML, SVG or script: such files are text.
public enum MimeSniffer {
    public static let octetStream = "application/octet-stream"
    public static let plainText = "text/plain; charset=utf-8"
    static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

    /// The type of a whole file held in memory.
    public static func sniff(_ bytes: [UInt8], name: String? = nil) -> String {
        sniff(prefix: bytes, size: Int64(bytes.count), name: name) { offset, count in
            guard offset >= 0, offset + Int64(count) <= Int64(bytes.count) else { return nil }
            return Array(bytes[Int(offset)..<Int(offset) + count])
        }
    }

    /// The type of a file of `size` bytes whose first bytes are `prefix` (64 KiB is plenty); `read(offset, count)`
    /// returns other parts of it (a ZIP's central directory is at its end), or nil.
    public static func sniff(
        prefix: [UInt8],
        size: Int64,
        name: String?,
        read: (Int64, Int) -> [UInt8]?
    ) -> String {
        let b = prefix
        if b.isEmpty { return octetStream }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if b.starts(with: Array("RIFF".utf8)), b.count >= 12 {
            switch ascii(b, 8, 4) {
            case "WEBP": return "image/webp"
            case "WAVE": return "audio/wav"
            case "AVI ": return "video/x-msvideo"
            default: break
            }
        }
        if isBMP(b) { return "image/bmp" }
        if let type = isoMedia(b) { return type }
        if b.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return matroska(b) }
        if b.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if b.starts(with: Array("OggS".utf8)) { return ogg(b) }
        if b.starts(with: Array("fLaC".utf8)) { return "audio/flac" }
        if b.starts(with: Array("ID3".utf8)), b.count >= 10, b[3] < 0xFF, b[4] < 0xFF { return "audio/mpeg" }
        if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) || b.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return zip(prefix: b, size: size, read: read)
        }
        if b.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return ole2(name: name) }
        if b.starts(with: Array("Rar!\u{1A}\u{07}".utf8)), b.count >= 7, b[6] == 0x00 || b[6] == 0x01 {
            return "application/vnd.rar"
        }
        if b.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "application/x-7z-compressed" }
        if b.starts(with: [0x1F, 0x8B, 0x08]) { return "application/gzip" }
        if let type = mpegAudio(b) { return type }
        if isText(b, complete: Int64(b.count) >= size) { return plainText }
        return octetStream
    }

    // MARK: Images

    /// `BM`, then reserved zeros and a known DIB header size: "BM" alone would catch text starting with "BM".
    static func isBMP(_ b: [UInt8]) -> Bool {
        guard b.count >= 18, b[0] == 0x42, b[1] == 0x4D, b[6] == 0, b[7] == 0, b[8] == 0, b[9] == 0 else {
            return false
        }
        return [12, 40, 52, 56, 64, 108, 124].contains(le32(b, 14))
    }

    // MARK: ISO base media (MP4, MOV, M4A, HEIF)

    static func isoMedia(_ b: [UInt8]) -> String? {
        guard b.count >= 12 else { return nil }
        let boxType = ascii(b, 4, 4)
        if boxType != "ftyp" {
            // QuickTime files from older cameras may start with other top-level atoms.
            let boxSize = be32(b, 0)
            if ["moov", "mdat", "wide", "free", "skip", "pnot"].contains(boxType), boxSize == 1 || boxSize >= 8 {
                return boxType == "pnot" || boxType == "wide" || boxType == "moov" ? "video/quicktime" : nil
            }
            return nil
        }
        let boxSize = Int(be32(b, 0))
        guard boxSize >= 16, boxSize % 4 == 0 else { return nil }
        var brands = [ascii(b, 8, 4)]
        var offset = 16
        while offset + 4 <= min(boxSize, b.count) {
            brands.append(ascii(b, offset, 4))
            offset += 4
        }
        let major = brands[0]
        if let type = isoBrand(major) { return type }
        for brand in brands.dropFirst() {
            if let type = isoBrand(brand), !type.hasPrefix("video/mp4") { return type }
        }
        for brand in brands.dropFirst() {
            if let type = isoBrand(brand) { return type }
        }
        return nil
    }

    private static func isoBrand(_ brand: String) -> String? {
        switch brand {
        case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs": "image/heic"
        case "mif1", "msf1", "heif": "image/heif"
        case "avif", "avis": "image/avif"
        case "M4A ", "M4B ", "M4P ", "F4A ": "audio/mp4"
        case "qt  ": "video/quicktime"
        case "3gp4", "3gp5", "3gp6", "3gp7", "3gs7", "3ge6", "3ge7", "3gg6": "video/3gpp"
        case "3g2a", "3g2b", "3g2c": "video/3gpp2"
        case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "mp71", "avc1", "dash", "mmp4", "MSNV",
            "M4V ", "M4VH", "M4VP", "F4V ", "NDAS", "XAVC", "f4v ":
            "video/mp4"
        default: nil
        }
    }

    // MARK: Matroska, OGG

    /// EBML: the DocType element (0x42 0x82) says `webm` or `matroska`.
    static func matroska(_ b: [UInt8]) -> String {
        let window = b.prefix(4096)
        var index = window.startIndex
        while index + 3 < window.endIndex {
            if window[index] == 0x42, window[index + 1] == 0x82 {
                let size = Int(window[index + 2] & 0x7F)
                let start = index + 3
                if window[index + 2] & 0x80 != 0, start + size <= window.endIndex {
                    let docType = String(decoding: window[start..<start + size], as: UTF8.self)
                    if docType == "webm" { return "video/webm" }
                    if docType == "matroska" { return "video/x-matroska" }
                }
            }
            index += 1
        }
        return "video/x-matroska"
    }

    static func ogg(_ b: [UInt8]) -> String {
        // The first page's packet names the codec.
        let head = Array(b.prefix(64))
        if contains(head, [0x80] + Array("theora".utf8)) { return "video/ogg" }
        return "audio/ogg"
    }

    // MARK: MPEG audio

    /// MP3 without an ID3 tag (two frame headers in a row, so random bytes rarely pass), or AAC in ADTS frames.
    static func mpegAudio(_ b: [UInt8]) -> String? {
        guard b.count >= 4, b[0] == 0xFF, b[1] & 0xE0 == 0xE0 else { return nil }
        if b[1] & 0xF6 == 0xF0 {
            // ADTS: sync 12 bits, layer 00; frame length in 13 bits.
            guard b.count >= 7 else { return nil }
            let length = (Int(b[3] & 0x03) << 11) | (Int(b[4]) << 3) | (Int(b[5]) >> 5)
            guard length >= 7 else { return nil }
            if length + 2 <= b.count { return b[length] == 0xFF && b[length + 1] & 0xF6 == 0xF0 ? "audio/aac" : nil }
            // A file holding a single frame.
            return b.count == length ? "audio/aac" : nil
        }
        guard let length = mp3FrameLength(b, 0) else { return nil }
        if length + 4 <= b.count { return mp3FrameLength(b, length) != nil ? "audio/mpeg" : nil }
        // A file holding a single frame.
        return b.count == length ? "audio/mpeg" : nil
    }

    /// The length of the MPEG audio frame whose header starts at `offset`, or nil when it is not one.
    static func mp3FrameLength(_ b: [UInt8], _ offset: Int) -> Int? {
        guard offset + 4 <= b.count, b[offset] == 0xFF, b[offset + 1] & 0xE0 == 0xE0 else { return nil }
        let version = (b[offset + 1] >> 3) & 0x03  // 0: 2.5, 2: 2, 3: 1
        let layer = (b[offset + 1] >> 1) & 0x03  // 1: III, 2: II, 3: I
        let bitrateIndex = Int(b[offset + 2] >> 4)
        let rateIndex = Int((b[offset + 2] >> 2) & 0x03)
        let padding = Int((b[offset + 2] >> 1) & 0x01)
        guard version != 1, layer != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let mpeg1 = version == 3
        let bitrates: [Int]
        switch (mpeg1, layer) {
        case (true, 3): bitrates = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (true, 2): bitrates = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (true, _): bitrates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (false, 3): bitrates = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        case (false, _): bitrates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        let rates = [44100, 48000, 32000]
        let rate = rates[rateIndex] / (version == 3 ? 1 : version == 2 ? 2 : 4)
        let bitrate = bitrates[bitrateIndex] * 1000
        if layer == 3 { return (12 * bitrate / rate + padding) * 4 }
        let samples = layer == 1 && !mpeg1 ? 576 : 1152
        return samples / 8 * bitrate / rate + padding
    }

    // MARK: Containers

    static func ole2(name: String?) -> String {
        switch fileExtension(name) {
        case "doc", "dot": "application/msword"
        case "xls", "xlt": "application/vnd.ms-excel"
        case "ppt", "pps", "pot": "application/vnd.ms-powerpoint"
        default: "application/vnd.ms-office"
        }
    }

    /// A ZIP, or an OOXML document when its entries say so (`word/`, `xl/`, `ppt/` next to `[Content_Types].xml`).
    /// The entry names come from the central directory at the end of the file, or, failing that, from the local
    /// headers in `prefix`.
    static func zip(prefix: [UInt8], size: Int64, read: (Int64, Int) -> [UInt8]?) -> String {
        var names = zipCentralDirectoryNames(size: size, read: read) ?? []
        if names.isEmpty { names = zipLocalNames(prefix) }
        let hasContentTypes = names.contains("[Content_Types].xml")
        if hasContentTypes {
            if names.contains(where: { $0.hasPrefix("word/") }) { return docx }
            if names.contains(where: { $0.hasPrefix("xl/") }) { return xlsx }
            if names.contains(where: { $0.hasPrefix("ppt/") }) { return pptx }
        }
        return "application/zip"
    }

    /// Entry names from the local file headers found in `b`, following their sizes (stops at a data descriptor).
    static func zipLocalNames(_ b: [UInt8]) -> [String] {
        var names: [String] = []
        var offset = 0
        while offset + 30 <= b.count, le32(b, offset) == 0x0403_4B50, names.count < 1000 {
            let flags = le16(b, offset + 6)
            let compressed = Int(le32(b, offset + 18))
            let nameLength = Int(le16(b, offset + 26))
            let extraLength = Int(le16(b, offset + 28))
            let nameStart = offset + 30
            guard nameStart + nameLength <= b.count else { break }
            names.append(String(decoding: b[nameStart..<nameStart + nameLength], as: UTF8.self))
            if flags & 0x08 != 0 { break }  // sizes follow the data; the next header cannot be found cheaply
            offset = nameStart + nameLength + extraLength + compressed
        }
        return names
    }

    /// Entry names from the central directory (at most 4 MiB of it), or nil when there is none to read.
    static func zipCentralDirectoryNames(size: Int64, read: (Int64, Int) -> [UInt8]?) -> [String]? {
        // End of central directory: 22 bytes plus a comment of up to 65,535 bytes, at the end of the file.
        let tailLength = Int(min(size, 22 + 65_535))
        guard tailLength >= 22, let tail = read(size - Int64(tailLength), tailLength) else { return nil }
        var eocd = tail.count - 22
        while eocd >= 0, le32(tail, eocd) != 0x0605_4B50 { eocd -= 1 }
        guard eocd >= 0 else { return nil }
        let entries = Int(le16(tail, eocd + 10))
        let directorySize = Int(le32(tail, eocd + 12))
        let directoryOffset = Int64(le32(tail, eocd + 16))
        guard directorySize > 0, directorySize <= 4 << 20, directoryOffset + Int64(directorySize) <= size,
            let directory = read(directoryOffset, directorySize)
        else { return nil }
        var names: [String] = []
        var offset = 0
        while offset + 46 <= directory.count, le32(directory, offset) == 0x0201_4B50, names.count < entries {
            let nameLength = Int(le16(directory, offset + 28))
            let extraLength = Int(le16(directory, offset + 30))
            let commentLength = Int(le16(directory, offset + 32))
            let nameStart = offset + 46
            guard nameStart + nameLength <= directory.count else { break }
            names.append(String(decoding: directory[nameStart..<nameStart + nameLength], as: UTF8.self))
            offset = nameStart + nameLength + extraLength + commentLength
        }
        return names
    }

    // MARK: Text

    /// Valid UTF-8 without binary control bytes (NUL, and C0 controls other than tab, LF, VT, FF, CR, ESC). When
    /// the prefix is not the whole file, a multi-byte character cut at its end is allowed.
    static func isText(_ b: [UInt8], complete: Bool) -> Bool {
        var bytes = b[...]
        if !complete {
            // Drop a trailing incomplete sequence: up to 3 bytes after the last lead byte.
            var cut = bytes.endIndex
            var back = 0
            while cut > bytes.startIndex, back < 4 {
                let byte = bytes[cut - 1]
                if byte & 0xC0 != 0x80 {
                    let need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                    if need > back + 1 { bytes = bytes[..<(cut - 1)] }
                    break
                }
                cut -= 1
                back += 1
            }
        }
        for byte in bytes where byte < 0x20 {
            switch byte {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B: continue
            default: return false
            }
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    // MARK: Helpers

    /// The lowercased extension of a display name, or "".
    static func fileExtension(_ name: String?) -> String {
        guard let name, let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    private static func ascii(_ b: [UInt8], _ offset: Int, _ count: Int) -> String {
        guard offset + count <= b.count else { return "" }
        return String(decoding: b[offset..<offset + count], as: UTF8.self)
    }

    private static func be32(_ b: [UInt8], _ offset: Int) -> UInt32 {
        guard offset + 4 <= b.count else { return 0 }
        return UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8
            | UInt32(b[offset + 3])
    }

    private static func le32(_ b: [UInt8], _ offset: Int) -> UInt32 {
        guard offset + 4 <= b.count else { return 0 }
        return UInt32(b[offset + 3]) << 24 | UInt32(b[offset + 2]) << 16 | UInt32(b[offset + 1]) << 8
            | UInt32(b[offset])
    }

    private static func le16(_ b: [UInt8], _ offset: Int) -> UInt16 {
        guard offset + 2 <= b.count else { return 0 }
        return UInt16(b[offset + 1]) << 8 | UInt16(b[offset])
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
