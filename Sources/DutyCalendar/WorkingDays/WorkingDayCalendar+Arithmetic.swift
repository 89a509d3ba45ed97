/// What to do with a deadline that falls on a day off.
package enum ShiftRule: String, Sendable, CaseIterable {
    /// Keep the date.
    case none
    /// Move back to the last working day before it: the rule for "before the end of the month".
    case previousWorkday = "previous-workday"
    /// Move forward to the next working day.
    case nextWorkday = "next-workday"

    /// Parses `none`, `previous-workday` or `next-workday`.
    package static func parse(_ text: String) throws(CalendarError) -> ShiftRule {
        guard let r = ShiftRule(rawValue: text) else {
            throw CalendarError(
                .invalidValue,
                "unknown shift rule '\(text)'; expected none, previous-workday or next-workday"
            )
        }
        return r
    }
}

extension WorkingDayCalendar {
    /// The result of moving a date, with every day looked at, for `explain`.
    package struct Shift: Sendable, Equatable {
        package var original: CivilDate
        package var date: CivilDate
        package var rule: ShiftRule
        /// The days passed over, in order, each with why it was not worked.
        package var skipped: [DayStatus]
        /// Whether any day examined (the result included) is provisional.
        package var provisional: Bool

        /// The day it lands on and why it is worked (a make-up working day says so, and a provisional
        /// year).
        package var landing: DayStatus

        /// One line per day passed over, then the move, then why the day landed on is worked.
        package var explanation: [String] {
            if date == original { return ["\(landing.explanation); \(rule.rawValue) keeps it"] }
            var lines = skipped.map { "skip \($0.explanation)" }
            lines.append("\(rule.rawValue): \(original) → \(date)")
            lines.append(landing.explanation)
            return lines
        }
    }

    /// Moves `date` to a working day by `rule`; `none` keeps it whatever it is.
    ///
    /// 31 January 2025 moves back to Monday 27 January (Spring Festival from the 28th; Sunday the 26th is
    /// a make-up working day but comes after the 27th going backwards); Saturday 28 February 2026 is a
    /// make-up working day and stays.
    package func shift(_ date: CivilDate, rule: ShiftRule) -> Shift {
        let here = status(of: date)
        var result = Shift(
            original: date,
            date: date,
            rule: rule,
            skipped: [],
            provisional: here.provisional,
            landing: here
        )
        guard rule != .none, !here.working else { return result }
        let step = rule == .previousWorkday ? -1 : 1
        var d = date
        var s = here
        // No real schedule has more than a few weeks off in a row; a year of days off means bad data,
        // and the date is then kept rather than searched for ever.
        for _ in 0..<366 {
            result.skipped.append(s)
            d = d.adding(days: step)
            s = status(of: d)
            result.provisional = result.provisional || s.provisional
            if s.working {
                result.date = d
                result.landing = s
                return result
            }
        }
        result.date = date
        result.landing = here
        return result
    }

    /// The date `n` working days after `date` (before it for negative `n`), not counting `date`
    /// itself: 5 working days before Friday 5 December 2025 is Friday 28 November.
    package func adding(workingDays n: Int, to date: CivilDate) -> (date: CivilDate, provisional: Bool) {
        var k = date.daysSinceEpoch
        var left = abs(n)
        let step = n < 0 ? -1 : 1
        var provisional = false
        var guardDays = 0
        while left > 0 && guardDays < 3660 {
            k += step
            guardDays += 1
            if isWorkingDay(daysSinceEpoch: k) { left -= 1 }
        }
        let result = CivilDate(daysSinceEpoch: k)
        // Every day counted over depends on its year's schedule, and December on the next year's too.
        for y in unpublishedYears(from: date, through: result) {
            provisional = true
            noteUnpublished(y)
        }
        return (result, provisional)
    }
}
