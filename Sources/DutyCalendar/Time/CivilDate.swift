/// A day in the proleptic Gregorian calendar, with no time and no zone.
///
/// ```swift
/// let d = CivilDate(year: 2026, month: 2, day: 28)!
/// d.weekday            // .saturday
/// d.adding(days: 1)    // 2026-03-01
/// d.description        // "2026-02-28"
/// ```
///
/// The arithmetic is our own (days since 1970-01-01, after Howard Hinnant's civil-from-days), so it
/// costs a few nanoseconds where Foundation's `Calendar` costs hundreds.
package struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    /// A valid date, or `nil` when the month or day does not exist (2027-02-29).
    package init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    package init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it).
    package var daysSinceEpoch: Int {
        CivilDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 of any year, month and day, without validation (month 1...12).
    @inline(__always)
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static func daysInYear(_ year: Int) -> Int { isLeapYear(year) ? 366 : 365 }

    package var weekday: Weekday { Weekday(daysSinceEpoch: daysSinceEpoch) }

    /// 1 for 1 January.
    package var dayOfYear: Int { daysSinceEpoch - CivilDate.daysFromCivil(year: year, month: 1, day: 1) + 1 }

    package var lastDayOfMonth: CivilDate {
        CivilDate(unchecked: year, month, CivilDate.daysInMonth(year: year, month: month))
    }

    package func adding(days: Int) -> CivilDate {
        days == 0 ? self : CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Adds calendar months; a day that the target month lacks is clamped to its last day
    /// (31 January + 1 month = 28 or 29 February).
    package func adding(months: Int) -> CivilDate {
        let (y, m0) = floorDivMod(year * 12 + (month - 1) + months, 12)
        let m = m0 + 1
        return CivilDate(unchecked: y, m, min(day, CivilDate.daysInMonth(year: y, month: m)))
    }

    package static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `2026-02-28`.
    package var description: String {
        "\(zeroPadded(year, 4))-\(zeroPadded(month, 2))-\(zeroPadded(day, 2))"
    }

    /// Parses `YYYY-MM-DD` (also `YYYYMMDD`); `nil` for anything else or a date that does not exist.
    package init?(iso string: some StringProtocol) {
        let b = Array(string.utf8)
        let parts: (Int, Int, Int)?
        if b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            parts = digits(b[0..<4]).flatMap { year in
                digits(b[5..<7]).flatMap { month in digits(b[8..<10]).map { (year, month, $0) } }
            }
        } else if b.count == 8 {
            parts = digits(b[0..<4]).flatMap { year in
                digits(b[4..<6]).flatMap { month in digits(b[6..<8]).map { (year, month, $0) } }
            }
        } else {
            parts = nil
        }
        guard let (y, m, d) = parts else { return nil }
        self.init(year: y, month: m, day: d)
    }
}

/// ISO weekday: Monday is 1, Sunday is 7.
package enum Weekday: Int, CaseIterable, Sendable, Comparable {
    case monday = 1
    case tuesday, wednesday, thursday, friday, saturday, sunday

    package init(daysSinceEpoch days: Int) {
        // 1970-01-01 was a Thursday.
        let r = ((days % 7) + 7 + 3) % 7  // 0 = Monday
        self = Weekday(rawValue: r + 1)!
    }

    package var isWeekend: Bool { self == .saturday || self == .sunday }

    /// `Mon` … `Sun`, as systemd prints them.
    package var shortName: String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rawValue - 1]
    }

    /// 周一 … 周日, as Chinese mail and logs write it.
    package var chineseName: String {
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][rawValue - 1]
    }

    /// `MO` … `SU`, as RFC 5545 writes them.
    package var icalName: String {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue - 1]
    }

    package static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}
