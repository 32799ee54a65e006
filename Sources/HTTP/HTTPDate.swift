import Glibc

/// Formats timestamps as IMF-fixdate (RFC 9110 §5.6.7), the form HTTP requires for `Date`, `Last-Modified`, etc.
public enum HTTPDate {
    private static let weekdays: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// Formats a Unix time, e.g. `784111777` → `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// Times that `gmtime_r` cannot represent fall back to the epoch; a server clock never produces them.
    public static func format(secondsSince1970 seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil, (0...6).contains(parts.tm_wday), (0...11).contains(parts.tm_mon) else {
            return "Thu, 01 Jan 1970 00:00:00 GMT"
        }
        var output: [UInt8] = []
        output.reserveCapacity(29)
        appendName(weekdays[Int(parts.tm_wday)], to: &output)
        output.append(contentsOf: ", ".utf8)
        appendDigits(Int(parts.tm_mday), width: 2, to: &output)
        output.append(ASCII.space)
        appendName(months[Int(parts.tm_mon)], to: &output)
        output.append(ASCII.space)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &output)
        output.append(ASCII.space)
        appendDigits(Int(parts.tm_hour), width: 2, to: &output)
        output.append(ASCII.colon)
        appendDigits(Int(parts.tm_min), width: 2, to: &output)
        output.append(ASCII.colon)
        appendDigits(Int(parts.tm_sec), width: 2, to: &output)
        output.append(contentsOf: " GMT".utf8)
        return String(decoding: output, as: UTF8.self)
    }

    /// The current time, formatted. Callers on a hot path should cache it per second.
    public static func now() -> String {
        format(secondsSince1970: Int(time(nil)))
    }

    private static func appendName(_ name: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    private static func appendDigits(_ value: Int, width: Int, to output: inout [UInt8]) {
        let digits = Array(String(value).utf8)
        if digits.count < width {
            output.append(contentsOf: repeatElement(UInt8(0x30), count: width - digits.count))
        }
        output.append(contentsOf: digits)
    }
}
