import DirectoryImport
import Hub

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny deterministic PRNG (SplitMix64) so randomized tests are reproducible from a seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Parses `text`, expecting success.
func parsed(
    _ text: String,
    fileName: String = "",
    limits: DirectoryImportLimits = DirectoryImportLimits()
) throws(DirectoryImportError) -> Directory {
    try DirectoryImportParser.parse(bytes(text), fileName: fileName, limits: limits)
}

/// The error parsing `input` throws, or `nil` if it parses.
func importError(
    _ input: [UInt8],
    fileName: String = "",
    limits: DirectoryImportLimits = DirectoryImportLimits()
) -> DirectoryImportError? {
    do {
        _ = try DirectoryImportParser.parse(input, fileName: fileName, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The error parsing `text` throws, or `nil` if it parses.
func importError(
    _ text: String,
    fileName: String = "",
    limits: DirectoryImportLimits = DirectoryImportLimits()
) -> DirectoryImportError? {
    importError(bytes(text), fileName: fileName, limits: limits)
}

/// The bytes of a file in `Fixtures`, next to this source file.
func fixture(_ name: String, filePath: String = #filePath) -> [UInt8] {
    let directory = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        .joined(separator: "/")
    return readFile(directory + "/Fixtures/" + name)
}

/// The contents of a file, read without Foundation.
func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        result += buffer[0..<count]
    }
    return result
}
