/// An incremental UTF-8 validator: a deterministic finite automaton in the style of Björn Höhrmann's decoder, fed
/// in chunks of any size, with an 8-bytes-at-a-time fast path for ASCII.
///
/// It fails fast: ``validate(_:)-(UnsafeRawBufferPointer)`` returns `false` on the first byte that no well-formed
/// continuation could follow, not at the end of the sequence. `F4 90` fails at `90` (above U+10FFFF), `ED A0` at
/// `A0` (surrogate), `E0 80` and `C0` at once (overlong), `F5`–`FF` at once. A sequence cut off at the end of a
/// chunk is fine; ``isAtBoundary`` is `false` until it completes, so a message that ends there is invalid
/// (RFC 6455 §8.1, Autobahn 6.4.x).
public struct UTF8Validator: Hashable, Sendable {
    // States are pre-multiplied by the number of byte classes so that the next state is a single table lookup.
    private static let classCount: UInt8 = 12
    private static let accept: UInt8 = 0
    private static let reject: UInt8 = 1 * classCount

    private var state: UInt8 = UTF8Validator.accept

    /// Creates a validator at a character boundary.
    public init() {}

    /// Whether every byte so far ends a complete, well-formed character (and none was invalid).
    public var isAtBoundary: Bool {
        state == Self.accept
    }

    /// Whether an invalid byte has been seen. Once failed, the validator stays failed until ``reset()``.
    public var hasFailed: Bool {
        state == Self.reject
    }

    /// Returns to the initial state, ready for a new message.
    public mutating func reset() {
        state = Self.accept
    }

    /// Feeds the next chunk; returns `false` as soon as a byte makes the input invalid. A chunk that ends inside a
    /// multi-byte character is valid so far.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var state = self.state
        guard state != Self.reject else { return false }
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return true }
        let classes = Self.byteClasses
        let transitions = Self.transitions
        var index = 0
        while index < count {
            if state == Self.accept {
                while index + 8 <= count,
                    base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                guard index < count else { break }
            }
            let byteClass = classes[Int(base.load(fromByteOffset: index, as: UInt8.self))]
            state = transitions[Int(state &+ byteClass)]
            if state == Self.reject {
                self.state = state
                return false
            }
            index += 1
        }
        self.state = state
        return true
    }

    /// Feeds the next chunk from any collection of bytes. See ``validate(_:)-(UnsafeRawBufferPointer)``.
    public mutating func validate(_ bytes: some Collection<UInt8>) -> Bool {
        if let result = bytes.withContiguousStorageIfAvailable({ validate(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return validate(Array(bytes))
    }

    /// Whether `bytes` is a complete, well-formed UTF-8 string.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtBoundary
    }

    // Byte classes: 0 ASCII, 1 80–8F, 2 90–9F, 3 A0–BF, 4 C2–DF, 5 E0, 6 E1–EC EE–EF, 7 ED, 8 F0, 9 F1–F3, 10 F4,
    // 11 never valid (C0, C1, F5–FF). The continuation ranges are split where E0, ED, F0 and F4 restrict the second
    // byte (Unicode 15 Table 3-7), which is what makes the automaton reject at the first impossible byte.
    private static let byteClasses: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x00...0x7F: return 0
        case 0x80...0x8F: return 1
        case 0x90...0x9F: return 2
        case 0xA0...0xBF: return 3
        case 0xC2...0xDF: return 4
        case 0xE0: return 5
        case 0xE1...0xEC, 0xEE...0xEF: return 6
        case 0xED: return 7
        case 0xF0: return 8
        case 0xF1...0xF3: return 9
        case 0xF4: return 10
        default: return 11
        }
    }

    // States: 0 accept, 1 reject, 2 one continuation byte left, 3 two left, 4 three left, 5 after E0 (A0–BF next),
    // 6 after ED (80–9F next), 7 after F0 (90–BF next), 8 after F4 (80–8F next).
    private static let transitions: [UInt8] = {
        let rows: [[Int]] = [
            // ASCII 80-8F 90-9F A0-BF C2-DF E0 E1-EC/EE-EF ED F0 F1-F3 F4 bad
            [0, 1, 1, 1, 2, 5, 3, 6, 7, 4, 8, 1],  // 0 accept
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  // 1 reject
            [1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],  // 2 one left
            [1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1],  // 3 two left
            [1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],  // 4 three left
            [1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1],  // 5 after E0
            [1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1],  // 6 after ED
            [1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],  // 7 after F0
            [1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  // 8 after F4
        ]
        return rows.flatMap { row in row.map { UInt8($0) * classCount } }
    }()
}
