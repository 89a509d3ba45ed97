package import DutyCalendar
package import DutyCore
package import DutyQueries

// `policy show`, `calendar day` and `calendar shift`: the policy and the working-day calendar in force.
// Direct mode answers on the files (or the `--holidays` folders); dutyd's API answers with what it
// loaded (GET /v1/policy, /v1/calendar/day, /v1/calendar/shift). Same functions, same answers.

/// `policy show [OBLIGATION]`.
package struct PolicyRequest: Codable, Sendable {
    package var obligation: String?
    package init(obligation: String? = nil) { self.obligation = obligation }
}

package struct PolicyAnswer: Codable, Sendable {
    package var obligations: [ObligationView]
    /// 第十三条: the roles that bear main and important liability.
    package var liability: Liability

    package struct Liability: Codable, Sendable {
        package var main: [String]
        package var important: [String]
    }
}

/// One obligation as `policy show` lists it.
package struct ObligationView: Codable, Sendable {
    package var id, title, article, source: String
    package var appliesTo: String
    /// The deadlines, in words.
    package var rule: String
    package var shift: String
    package var yellow: String
    package var remind: [String]
    package var remindTo: [String]
    package var responsible: [String]
    package var ladder: [Step]
    /// Receipt (签收) asked within this after the first notice, if any.
    package var acknowledge: String?
    /// Extensions (延期) it allows, if any: `3wd before the deadline, at most 30d, decided by …`.
    package var extensionRule: String?

    package struct Step: Codable, Sendable {
        package var kind: String
        /// After the deadline (`7d`).
        package var after: String
        package var recipients: [String]
    }

    enum CodingKeys: String, CodingKey {
        case id, title, article, source, rule, shift, yellow, remind, responsible, ladder, acknowledge
        case appliesTo = "applies_to"
        case remindTo = "remind_to"
        case extensionRule = "extension"
    }

    init(_ o: Obligation) {
        id = o.id
        title = o.title
        article = o.article
        source = o.source
        appliesTo = o.appliesSummary
        rule = o.ruleSummary
        shift = o.shift.rawValue
        yellow = o.yellow.description
        remind = o.remind.map(\.description)
        remindTo = o.remindTo.map(\.description)
        responsible = o.responsible
        ladder = o.ladder.map {
            Step(kind: $0.kind.rawValue, after: $0.after.description, recipients: $0.recipients.map(\.description))
        }
        acknowledge = o.acknowledge?.description
        extensionRule = o.extensionRule.map {
            "asked \($0.requestBefore) before the deadline at the latest, to at most \($0.longest) after it; decided by "
                + $0.approvers.map(\.description).joined(separator: "; ")
        }
    }
}

extension Policy {
    /// Every obligation, or the one asked for (65 naming those there are when it is not one).
    package func show(_ r: PolicyRequest) throws -> PolicyAnswer {
        var list = obligations
        if let id = r.obligation {
            guard let o = obligation(id) else {
                throw Failure(
                    ExitStatus.dataError,
                    "no obligation '\(id)'; expected one of \(obligations.map(\.id).joined(separator: ", "))"
                )
            }
            list = [o]
        }
        return PolicyAnswer(
            obligations: list.map(ObligationView.init),
            liability: .init(main: mainLiability, important: importantLiability)
        )
    }
}

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

/// `policy show [OBLIGATION]`: the policy in force.
package enum ShowPolicy: DutyOperation {
    package static let route = "policy"
    package static let access = Access.read
    package static let command = ["policy", "show"]
    package static func perform(_ r: PolicyRequest, _ c: OperationContext) throws -> PolicyAnswer {
        try c.workspace.policy.show(r)
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
