package import DutyCalendar
import DutyCore
import DutyQueries

/// `calendar day DATE`.
package struct DayRequest: Codable, Sendable {
    package var date: String
    package init(date: String) { self.date = date }
}

/// Whether a date is a working day, and why.
package struct DayView: Codable, Sendable {
    package var date: String
    package var weekday: String
    package var working: Bool
    package var reason: String
    package var holiday: String?
    package var scheduleYear: Int?
    package var provisional: Bool
    package var explanation: String

    enum CodingKeys: String, CodingKey {
        case date, weekday, working, reason, holiday, provisional, explanation
        case scheduleYear = "schedule_year"
    }

    init(_ s: WorkingDayCalendar.DayStatus) {
        date = s.date.description
        weekday = s.date.weekday.shortName
        working = s.working
        reason = s.reason.rawValue
        holiday = s.holiday
        scheduleYear = s.scheduleYear
        provisional = s.provisional
        explanation = s.explanation
    }
}

package struct DayAnswer: Codable, Sendable {
    package var day: DayView
    package var warnings: [String]
}

/// `calendar shift DATE [--rule RULE]`.
package struct ShiftRequest: Codable, Sendable {
    package var date: String
    package var rule: String?
    package init(date: String, rule: String?) {
        self.date = date
        self.rule = rule
    }
}

/// A deadline moved off a day off, and every day passed over.
package struct ShiftView: Codable, Sendable {
    package var date: String
    package var rule: String
    package var shifted: String
    package var skipped: [DayView]
    package var provisional: Bool
    /// The steps in words, a line each.
    package var explanation: [String]
}

package struct ShiftAnswer: Codable, Sendable {
    package var shift: ShiftView
    package var warnings: [String]
}

extension WorkingDayCalendar {
    /// `calendar day`: a date that is not one is bad usage (64).
    package func day(_ r: DayRequest) throws -> DayAnswer {
        let date = try parseDate(r.date, option: "date")
        return DayAnswer(day: DayView(status(of: date)), warnings: unpublishedWarnings([date]))
    }

    /// `calendar shift`: a date or rule that is not one is bad usage (64).
    package func shift(_ r: ShiftRequest) throws -> ShiftAnswer {
        let date = try parseDate(r.date, option: "date")
        let rule: ShiftRule
        do throws(CalendarError) { rule = try ShiftRule.parse(r.rule ?? ShiftRule.previousWorkday.rawValue) } catch {
            throw Failure(ExitStatus.usage, error.message)
        }
        let s = shift(date, rule: rule)
        return ShiftAnswer(
            shift: ShiftView(
                date: s.original.description,
                rule: s.rule.rawValue,
                shifted: s.date.description,
                skipped: s.skipped.map(DayView.init),
                provisional: s.provisional,
                explanation: s.explanation
            ),
            warnings: unpublishedWarnings([s.original, s.date] + s.skipped.map(\.date))
        )
    }

    /// One warning for each holiday year these dates rest on that is not published yet.
    package func unpublishedWarnings(_ dates: [CivilDate]) -> [String] {
        var years: Set<Int> = []
        for d in dates { years.formUnion(unpublishedYears(from: d, through: d)) }
        return years.sorted().map { WorkingDayCalendar.unpublishedWarning($0) }
    }
}

/// `calendar day DATE`: by the holidays in force (dutyctl with `--holidays` calls `day` on those).
package enum CalendarDay: DutyOperation {
    package static let route = "calendar/day"
    package static let access = Access.read
    package static let command = ["calendar", "day"]
    package static func perform(_ r: DayRequest, _ c: OperationContext) throws -> DayAnswer {
        try c.workspace.workdays.day(r)
    }
}

/// `calendar shift DATE --rule RULE`.
package enum CalendarShift: DutyOperation {
    package static let route = "calendar/shift"
    package static let access = Access.read
    package static let command = ["calendar", "shift"]
    package static func perform(_ r: ShiftRequest, _ c: OperationContext) throws -> ShiftAnswer {
        try c.workspace.workdays.shift(r)
    }
}
