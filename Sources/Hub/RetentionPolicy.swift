/// How long the school keeps what people wrote (`[retention]` in the configuration), per group kind and message
/// kind, and how long closed cards and tasks stay. The daily purge applies it (Hub+Retention.swift).
public struct RetentionPolicy: Sendable, Equatable {
    /// Days a message is kept unless a rule says otherwise; nil = for ever. Default 365.
    public var messageDays: Int? = 365
    /// Overrides, first match wins: a nil group or message kind matches any.
    public var rules: [Rule] = []
    /// Closed cards, tasks and deleted library files. Default: until the end of the academic year they closed in.
    public var records: RecordRetention = .academicYear
    /// The last day of the academic year, in local time. Default 31 August.
    public var academicYearEnd = MonthDay(month: 8, day: 31)
    /// Local time of day of the daily purge, in minutes after midnight. Default 03:30.
    public var purgeMinuteOfDay = 3 * 60 + 30
    /// Days an uploaded file that was never sent anywhere is kept. Default 7.
    public var unsentUploadDays = 7

    public init() {}

    public struct Rule: Sendable, Equatable {
        public var groupKind: GroupKind?
        public var messageKind: MessageKind?
        /// nil = for ever.
        public var days: Int?

        public init(groupKind: GroupKind?, messageKind: MessageKind?, days: Int?) {
            self.groupKind = groupKind
            self.messageKind = messageKind
            self.days = days
        }

        /// Parses `group_kind:message_kind=days`, `*` for any kind, `forever` for days
        /// (`inbox:*=180`, `*:video=90`, `office:*=forever`).
        public init?(_ text: String) {
            let sides = text.split(separator: "=", omittingEmptySubsequences: false)
            let kinds = sides.first?.split(separator: ":", omittingEmptySubsequences: false) ?? []
            guard sides.count == 2, kinds.count == 2 else { return nil }
            let group = kinds[0].trimmingSpaces
            let message = kinds[1].trimmingSpaces
            let days = sides[1].trimmingSpaces
            if group == "*" {
                groupKind = nil
            } else {
                guard let kind = GroupKind(rawValue: String(group)) else { return nil }
                groupKind = kind
            }
            if message == "*" {
                messageKind = nil
            } else {
                guard let kind = MessageKind(rawValue: String(message)) else { return nil }
                messageKind = kind
            }
            if days == "forever" {
                self.days = nil
            } else {
                guard let value = Int(days), value >= 1, value <= 36_500 else { return nil }
                self.days = value
            }
        }

        func matches(_ group: GroupKind, _ message: MessageKind) -> Bool {
            (groupKind == nil || groupKind == group) && (messageKind == nil || messageKind == message)
        }
    }

    public enum RecordRetention: Sendable, Equatable {
        /// Until the end of the academic year in which they closed.
        case academicYear
        case days(Int)
        case forever
    }

    public struct MonthDay: Sendable, Equatable {
        public var month: Int
        public var day: Int

        public init(month: Int, day: Int) {
            self.month = month
            self.day = day
        }

        /// Parses `MM-DD`.
        public init?(_ text: String) {
            let parts = text.split(separator: "-")
            guard parts.count == 2, let month = Int(parts[0]), let day = Int(parts[1]), (1...12).contains(month),
                day >= 1, day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            else { return nil }
            self.month = month
            self.day = day
        }
    }

    /// Days messages of `messageKind` in groups of `groupKind` are kept; nil = for ever.
    public func days(_ groupKind: GroupKind, _ messageKind: MessageKind) -> Int? {
        rules.first { $0.matches(groupKind, messageKind) }.map(\.days) ?? messageDays
    }

    /// What to delete at `now`. `calendar` turns local dates into instants (the gateway passes the server's time
    /// zone; tests pass a fixed one).
    public func plan(now: Timestamp, calendar: LocalCalendar) -> PurgePlan {
        let day: Int64 = 86_400_000
        var cutoffs: [PurgePlan.MessageCutoff] = []
        for group in GroupKind.allCases {
            for message in MessageKind.allCases {
                guard let days = days(group, message) else { continue }
                cutoffs.append(.init(groupKind: group, messageKind: message, before: now - Int64(days) * day))
            }
        }
        let recordsBefore: Timestamp? =
            switch records {
            case .forever: nil
            case .days(let days): now - Int64(days) * day
            case .academicYear: calendar.lastAcademicYearEnd(before: now, end: academicYearEnd)
            }
        return PurgePlan(
            messageCutoffs: cutoffs,
            recordsClosedBefore: recordsBefore,
            unsentUploadsBefore: now - Int64(unsentUploadDays) * day
        )
    }
}

/// Local dates for the retention policy: the server's time zone, as an offset from UTC.
public struct LocalCalendar: Sendable {
    /// Seconds east of UTC (China: 8 hours).
    public var utcOffsetSeconds: Int

    public init(utcOffsetSeconds: Int) {
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The start of the day after the most recent `end` (month-day) that is over at `now`: everything that closed
    /// before it belongs to an academic year that has ended.
    func lastAcademicYearEnd(before now: Timestamp, end: RetentionPolicy.MonthDay) -> Timestamp {
        let local = now / 1000 + Int64(utcOffsetSeconds)
        let (year, _, _) = Self.civil(fromDays: local / 86_400)
        for candidate in [year, year - 1] {
            // The academic year ends when the day after `end` begins, local time.
            let boundary = (Self.days(year: candidate, month: end.month, day: end.day) + 1) * 86_400
            if boundary <= local { return (boundary - Int64(utcOffsetSeconds)) * 1000 }
        }
        return (Self.days(year: year - 2, month: end.month, day: end.day) + 1 - Int64(utcOffsetSeconds)) * 1000
    }

    /// Minutes after local midnight at `now`.
    public func minuteOfDay(_ now: Timestamp) -> Int {
        let local = now / 1000 + Int64(utcOffsetSeconds)
        return Int((local % 86_400 + 86_400) % 86_400 / 60)
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// What one purge deletes: messages older than their cutoff, records closed before a time, uploads never sent.
public struct PurgePlan: Sendable, Equatable {
    public struct MessageCutoff: Sendable, Equatable {
        public var groupKind: GroupKind
        public var messageKind: MessageKind
        /// Messages created before this expire.
        public var before: Timestamp
    }

    public var messageCutoffs: [MessageCutoff]
    /// Cards, tasks and deleted library files closed before this are deleted with their entries; nil = none.
    public var recordsClosedBefore: Timestamp?
    /// Uploads never shared anywhere and older than this are deleted.
    public var unsentUploadsBefore: Timestamp

    /// When a message of these kinds, created at `createdAt`, has expired.
    public func expires(_ groupKind: GroupKind, _ messageKind: MessageKind, createdAt: Timestamp) -> Bool {
        messageCutoffs.contains { $0.groupKind == groupKind && $0.messageKind == messageKind && createdAt < $0.before }
    }
}

/// What a purge deleted.
public struct PurgeReport: Sendable, Equatable {
    /// Messages whose content and sender were removed.
    public var messagesExpired = 0
    public var recordsDeleted = 0
    public var entriesDeleted = 0
    /// Objects (upload records) deleted, and shares withdrawn from groups.
    public var objectsDeleted: [String] = []
    public var sharesRemoved: [ObjectShare] = []
    /// Content hashes no object refers to any more: the gateway deletes their files.
    public var unreferencedFiles: [String] = []

    public init() {}
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
