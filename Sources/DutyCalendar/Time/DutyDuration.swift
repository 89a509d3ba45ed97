/// A lead time or offset as policies and the command line write it: `7d` calendar days, `2w` weeks,
/// `5wd` working days, `12h` hours.
///
/// ```swift
/// try DutyDuration.parse("5wd")   // 5 working days
/// ```
package struct DutyDuration: Hashable, Sendable, CustomStringConvertible {
    package enum Unit: String, Sendable, CaseIterable {
        case days = "d"
        case weeks = "w"
        case workingDays = "wd"
        case hours = "h"
    }

    package var value: Int
    package var unit: Unit

    package init(_ value: Int, _ unit: Unit) {
        self.value = value
        self.unit = unit
    }

    package var description: String { "\(value)\(unit.rawValue)" }

    /// Parses `N` followed by `d`, `w`, `wd` or `h` (no spaces, N from 0 to 100000).
    package static func parse(_ text: String) throws(CalendarError) -> DutyDuration {
        let digitsPart = text.prefix { $0.isASCII && $0.isNumber }
        let unitPart = text.dropFirst(digitsPart.count)
        guard !digitsPart.isEmpty, let v = Int(digitsPart), v <= 100_000 else {
            throw CalendarError(
                .invalidDuration,
                "expected a number followed by d, w, wd or h (for example 7d, 2w, 5wd), found '\(text)'",
                column: 1
            )
        }
        guard let unit = Unit(rawValue: unitPart.lowercased()) else {
            throw CalendarError(
                .invalidDuration,
                "unknown unit '\(unitPart)' in '\(text)'; expected d (days), w (weeks), wd (working days) or h (hours)",
                column: digitsPart.count + 1
            )
        }
        return DutyDuration(v, unit)
    }

    /// The date this duration before `date`: calendar days and weeks by the calendar, working days by
    /// `workdays`. Hours count as whole days rounded down.
    package func before(_ date: CivilDate, workdays: WorkingDayCalendar) -> (date: CivilDate, provisional: Bool) {
        moved(date, sign: -1, workdays: workdays)
    }

    /// The date this duration after `date`, counted as `before` counts.
    package func after(_ date: CivilDate, workdays: WorkingDayCalendar) -> (date: CivilDate, provisional: Bool) {
        moved(date, sign: 1, workdays: workdays)
    }

    private func moved(
        _ date: CivilDate,
        sign: Int,
        workdays: WorkingDayCalendar
    ) -> (date: CivilDate, provisional: Bool) {
        switch unit {
        case .days: return (date.adding(days: sign * value), false)
        case .weeks: return (date.adding(days: sign * 7 * value), false)
        case .hours: return (date.adding(days: sign * (value / 24)), false)
        case .workingDays: return workdays.adding(workingDays: sign * value, to: date)
        }
    }

    /// Calendar days it can span at most: working days allow for two days off in three and a
    /// fortnight's holiday (the Spring Festival and its weekends).
    package var maximumCalendarDays: Int {
        switch unit {
        case .days: return value
        case .weeks: return 7 * value
        case .hours: return value / 24
        case .workingDays: return value * 2 + 14
        }
    }

    /// Calendar days it usually spans (a working week is 7 days for 5 working days), for ordering.
    package var typicalCalendarDays: Double {
        unit == .workingDays ? Double(value) * 1.4 : Double(maximumCalendarDays)
    }
}
