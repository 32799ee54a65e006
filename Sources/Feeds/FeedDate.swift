/// The two date formats feeds use: RFC 822 in RSS (`Mon, 23 Nov 2026 08:00:00 +0800`, also `GMT` and the
/// military-style zones sites emit) and RFC 3339 in Atom (`2026-11-23T08:00:00+08:00`, `…Z`, fractional seconds).
/// Unix milliseconds, or nil for anything else.
enum FeedDate {
    static func parse(_ text: String) -> Int64? {
        rfc3339(text) ?? rfc822(text)
    }

    static func rfc3339(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard s.count >= 20, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == UInt8(ascii: " "),
            let year = number(s, 0, 4), let month = number(s, 5, 2), let day = number(s, 8, 2),
            let hour = number(s, 11, 2), let minute = number(s, 14, 2), let second = number(s, 17, 2)
        else { return nil }
        var index = 19
        var millis = 0
        if index < s.count, s[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100
            while index < s.count, (0x30...0x39).contains(s[index]) {
                millis += Int(s[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < s.count else { return nil }
        var offset = 0
        if s[index] == UInt8(ascii: "Z") || s[index] == UInt8(ascii: "z") {
            index += 1
        } else if s[index] == UInt8(ascii: "+") || s[index] == UInt8(ascii: "-"), index + 6 == s.count,
            let hours = number(s, index + 1, 2), let minutes = number(s, index + 4, 2)
        {
            offset = (hours * 60 + minutes) * (s[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == s.count else { return nil }
        return instant(year, month, day, hour, minute, second, millis: millis, offsetMinutes: offset)
    }

    static func rfc822(_ text: String) -> Int64? {
        var parts = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if let first = parts.first, first.last?.isLetter == true, first.count == 3, Int(first) == nil,
            months[first.lowercased()] == nil
        {
            parts.removeFirst()  // the weekday
        }
        guard parts.count >= 4, let day = Int(parts[0]), let month = months[parts[1].lowercased()],
            var year = Int(parts[2])
        else { return nil }
        if year < 100 { year += year < 70 ? 2000 : 1900 }
        let time = parts[3].split(separator: ":").compactMap { Int($0) }
        guard time.count >= 2 else { return nil }
        let zone = parts.count > 4 ? parts[4] : "GMT"
        guard let offset = offsetMinutes(zone) else { return nil }
        return instant(
            year,
            month,
            day,
            time[0],
            time[1],
            time.count > 2 ? time[2] : 0,
            millis: 0,
            offsetMinutes: offset
        )
    }

    static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    static func offsetMinutes(_ zone: String) -> Int? {
        switch zone.uppercased() {
        case "GMT", "UT", "UTC", "Z": return 0
        case "EST": return -300
        case "EDT": return -240
        case "CST": return -360
        case "CDT": return -300
        case "MST": return -420
        case "MDT": return -360
        case "PST": return -480
        case "PDT": return -420
        default:
            let s = Array(zone.utf8)
            guard s.count == 5, s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-"),
                let hours = number(s, 1, 2), let minutes = number(s, 3, 2)
            else { return nil }
            return (hours * 60 + minutes) * (s[0] == UInt8(ascii: "-") ? -1 : 1)
        }
    }

    private static func number(_ s: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= s.count else { return nil }
        var value = 0
        for byte in s[start..<(start + count)] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Milliseconds since 1970 for a civil date and time at a UTC offset (days from civil: H. Hinnant's algorithm).
    private static func instant(
        _ year: Int,
        _ month: Int,
        _ day: Int,
        _ hour: Int,
        _ minute: Int,
        _ second: Int,
        millis: Int,
        offsetMinutes: Int
    ) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Int64(seconds) * 1000 + Int64(millis)
    }
}
