/// Renders untrusted values for messages: quoted, shortened, with invisible characters made visible, so a
/// message stays one readable line whatever the file contains.
enum MessageText {
    private static let maxCharacters = 60

    /// `value` in single quotes, e.g. `'studnet'`; control and formatting characters are written as escapes
    /// (`\t`, `\u{200B}`) and long values are cut with an ellipsis.
    static func quoted(_ value: some StringProtocol) -> String {
        var text = "'"
        var count = 0
        for scalar in value.unicodeScalars {
            if count == maxCharacters {
                text += "…"
                break
            }
            text += visible(scalar)
            count += 1
        }
        return text + "'"
    }

    /// `value` as part of a location such as `users[3].<key>`: like ``quoted(_:)`` without the quotes, so that
    /// an unknown JSON member with a control character in its name cannot break the message.
    static func pathComponent(_ value: String) -> String {
        String(quoted(value).dropFirst().dropLast())
    }

    /// The values joined with commas and a final "or": "student, counselor or teacher".
    static func list(_ values: [String], conjunction: String = "or") -> String {
        guard values.count > 1 else { return values.first ?? "" }
        return values.dropLast().joined(separator: ", ") + " " + conjunction + " " + values[values.count - 1]
    }

    /// A character as it should appear in a message: itself, or an escape if it is invisible.
    static func visible(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\t": return "\\t"
        case "\n": return "\\n"
        case "\r": return "\\r"
        default:
            if isInvisible(scalar) {
                return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            return String(scalar)
        }
    }

    /// Control characters (C0, DEL, C1) and formatting characters such as the zero-width space and the byte
    /// order mark, which copy and paste from web pages and Word documents leave in ids.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format: true
        default: false
        }
    }

    /// Whether `scalar` is a control character (C0, DEL, C1).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
