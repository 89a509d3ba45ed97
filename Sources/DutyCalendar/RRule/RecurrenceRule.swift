/// An RFC 5545 recurrence rule (section 3.3.10), the part after `RRULE:`.
///
/// ```swift
/// let rule = try RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
/// let r = Recurrence(rule: rule, start: LocalDateTime(date: CivilDate(year: 2026, month: 11, day: 29)!, hour: 9),
///                    zone: Zone.named("Asia/Shanghai"))
/// r.occurrences(limit: 2)   // last weekday of each month: 2026-11-30 09:00, 2026-12-31 09:00
/// ```
///
/// Rules that RFC 5545 forbids are refused at parse time even where python-dateutil would accept
/// them (`INTERVAL=0`, `BYMONTHDAY=0`, ordinals in `BYDAY` with `FREQ=WEEKLY`, `COUNT` with `UNTIL`).
package struct RecurrenceRule: Hashable, Sendable {
    /// Ordered as python-dateutil orders them: a smaller raw value is a longer period.
    package enum Frequency: Int, Sendable, Comparable, CaseIterable {
        case yearly = 0
        case monthly, weekly, daily, hourly, minutely, secondly

        package static func < (a: Frequency, b: Frequency) -> Bool { a.rawValue < b.rawValue }

        package var name: String {
            ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"][rawValue]
        }
    }

    /// `2TU`, `-1FR` or plain `MO` (ordinal 0).
    package struct WeekdayOrdinal: Hashable, Sendable {
        package var weekday: Weekday
        package var ordinal: Int
    }

    /// `UNTIL` as written: a wall-clock time (for a floating start) or a UTC instant.
    package enum Until: Hashable, Sendable {
        case local(LocalDateTime)
        case utc(Instant)
    }

    package var frequency: Frequency
    package var interval = 1
    package var count: Int?
    package var until: Until?
    package var bySecond: [Int] = []
    package var byMinute: [Int] = []
    package var byHour: [Int] = []
    package var byDay: [WeekdayOrdinal] = []
    package var byMonthDay: [Int] = []
    package var byYearDay: [Int] = []
    package var byWeekNo: [Int] = []
    package var byMonth: [Int] = []
    package var bySetPos: [Int] = []
    package var weekStart: Weekday = .monday

    package init(frequency: Frequency) { self.frequency = frequency }

    /// RFC 5545 and python-dateutil set no upper bound on INTERVAL or COUNT; dutyd does, so that no
    /// rule's arithmetic can overflow: a million steps of a second is eleven days, of a year past 9999.
    package static let maximumInterval = 1_000_000
    package static let maximumCount = 1_000_000
}

/// A recurrence rule anchored at its start (DTSTART): a floating wall-clock time when `zone` is `nil`,
/// otherwise wall-clock time in that zone.
package struct Recurrence: Hashable, Sendable {
    package var rule: RecurrenceRule
    package var start: LocalDateTime
    package var zone: Zone?

    package init(rule: RecurrenceRule, start: LocalDateTime, zone: Zone?) {
        self.rule = rule
        self.start = start
        self.zone = zone
    }

    /// One occurrence: its wall-clock time and, for a zoned recurrence, the instant.
    package struct Occurrence: Hashable, Sendable, CustomStringConvertible {
        package var local: LocalDateTime
        package var instant: Instant?
        package var zone: Zone?

        /// ISO 8601: floating `2026-11-30T09:00:00`, zoned `2026-11-30T09:00:00+08:00`.
        package var formatted: String {
            guard let zone, let instant else { return local.description }
            return local.description + formatOffset(zone.offset(atSecond: instant.seconds))
        }
        package var description: String { formatted }
    }
}
