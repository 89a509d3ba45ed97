package import DutyCalendar

/// How an obligation's deadlines arise: the four ways of docs/design.md.
package enum DeadlineRule: Sendable {
    /// A calendar: each day the schedule gives is a deadline, named after its `period`.
    case periodic(schedules: [Schedule], period: PeriodKind, lag: Int)
    /// At least `checkpoints.last.count` completions a year, with the cumulative counts due by each
    /// checkpoint (`1 by 06-30, 2 by 12-31`).
    case quota(checkpoints: [Checkpoint])
    /// A fixed offset from another obligation's deadline at a related unit.
    case derived(from: String, at: Relation, offset: Offset)
    /// A deadline after an event of this kind is recorded at the subject unit.
    case event(kind: String, after: DutyDuration)
    /// A deadline after another obligation's occurrence for the same subject is completed.
    case completion(of: String, after: DutyDuration)

    /// The obligation this one's deadlines come from, if any.
    package var source: String? {
        switch self {
        case .derived(let from, _, _): return from
        case .completion(let of, _): return of
        default: return nil
        }
    }

    package var kindName: String {
        switch self {
        case .periodic: return "periodic"
        case .quota: return "quota"
        case .derived: return "derived"
        case .event: return "triggered by an event"
        case .completion: return "triggered by a completion"
        }
    }
}

/// A calendar that gives deadline days.
package enum Schedule: Sendable {
    case onCalendar(CalendarSpec, text: String)
    case rrule(Recurrence, text: String)

    package var text: String {
        switch self {
        case .onCalendar(_, let t): return "OnCalendar \(t)"
        case .rrule(_, let t): return "RRULE \(t)"
        }
    }
}

/// How a periodic deadline's period is named in its occurrence id.
package enum PeriodKind: String, Sendable, CaseIterable {
    case year
    case halfYear = "half-year"
    case quarter
    case month
    case week
    case day

    /// The label of the period `lag` periods before the one containing `date`: `2026-H2`, `2026`,
    /// `2026-Q4`, `2026-11`, `2026-W48` (ISO week), `2026-11-29`.
    package func label(of date: CivilDate, lag: Int = 0) -> String {
        switch self {
        case .year:
            return String(date.year - lag)
        case .halfYear:
            let n = date.year * 2 + (date.month - 1) / 6 - lag
            return "\(floorDiv(n, 2))-H\(floorMod(n, 2) + 1)"
        case .quarter:
            let n = date.year * 4 + (date.month - 1) / 3 - lag
            return "\(floorDiv(n, 4))-Q\(floorMod(n, 4) + 1)"
        case .month:
            let n = date.year * 12 + date.month - 1 - lag
            return "\(floorDiv(n, 12))-\(zeroPadded(floorMod(n, 12) + 1, 2))"
        case .week:
            let d = date.adding(days: -7 * lag)
            let (y, w) = d.isoWeek
            return "\(y)-W\(zeroPadded(w, 2))"
        case .day:
            return date.adding(days: -lag).description
        }
    }
}

private func floorDiv(_ a: Int, _ b: Int) -> Int { floorDivMod(a, b).0 }

extension CivilDate {
    /// ISO 8601 week-numbering year and week.
    package var isoWeek: (year: Int, week: Int) {
        let wd = weekday.rawValue  // Monday 1 … Sunday 7
        let thursday = adding(days: 4 - wd)
        let week = (thursday.dayOfYear - 1) / 7 + 1
        return (thursday.year, week)
    }
}
