/// An iCalendar (RFC 5545) document of events: what calendar apps subscribe to for a user's bookings or a venue's
/// calendar. Text is escaped, lines end in CRLF and are folded at 75 octets, times are UTC.
struct ICalendar {
    struct Event {
        var uid: String
        var start: Int64
        var end: Int64
        var summary: String
        var location: String
        var description: String
        /// CONFIRMED or TENTATIVE.
        var status: String
        var stamp: Int64
    }

    var name: String
    var events: [Event]

    var bytes: [UInt8] {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Yizhan//Community services//ZH", "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:" + Self.escape(name),
        ]
        for event in events {
            lines += [
                "BEGIN:VEVENT", "UID:" + event.uid, "DTSTAMP:" + Self.utc(event.stamp),
                "DTSTART:" + Self.utc(event.start),
                "DTEND:" + Self.utc(event.end), "SUMMARY:" + Self.escape(event.summary),
                "LOCATION:" + Self.escape(event.location), "DESCRIPTION:" + Self.escape(event.description),
                "STATUS:" + event.status, "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        var out: [UInt8] = []
        for line in lines { out += Self.fold(line) }
        return out
    }

    /// TEXT escaping: backslash, semicolon, comma and newline.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": continue
            default: out.append(character)
            }
        }
        return out
    }

    /// A line of at most 75 octets per physical line, continuation lines starting with a space, never splitting a
    /// UTF-8 sequence.
    static func fold(_ line: String) -> [UInt8] {
        var out: [UInt8] = []
        var count = 0
        for scalar in line.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if count + bytes.count > 75 {
                out += [13, 10, 32]
                count = 1
            }
            out += bytes
            count += bytes.count
        }
        return out + [13, 10]
    }

    /// `20261207T093000Z`.
    static func utc(_ ms: Int64) -> String {
        let day = Venue.day(of: ms - Venue.utcOffset)
        let date = Venue.date(ofDay: day).replacingOccurrences(of: "-", with: "")
        let seconds = (ms / 1000) - day * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return date + "T" + two(seconds / 3600) + two(seconds % 3600 / 60) + two(seconds % 60) + "Z"
    }
}
