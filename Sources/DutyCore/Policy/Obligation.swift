package import DutyCalendar

/// One rule of the policy: who must do what, by when, who is reminded and who is told when it is late.
package struct Obligation: Sendable {
    package var id: String
    package var title: String
    /// Where the duty comes from (`第七条`).
    package var article: String
    package var appliesTo: AppliesTo
    package var deadline: DeadlineRule
    /// What to do with a deadline on a day off.
    package var shift: ShiftRule
    /// Reminder lead times before the deadline, longest first (`30d`, `7d`, `1d`, or working days `5wd`).
    package var remind: [DutyDuration]
    package var remindTo: [RecipientSpec]
    /// The days before the deadline that count as its last days (the yellow colour), in working days.
    package var yellow: DutyDuration
    /// Due notice, overdue notice and escalation steps, in order.
    package var ladder: [LadderStep]
    /// Roles at the subject unit answerable for the duty, listed with each occurrence.
    package var responsible: [String]
    /// Receipt (签收) asked within this time after the first notice; `nil`: no receipt asked.
    package var acknowledge: DutyDuration?
    /// Who gets the urging notice (催办) when receipt is not given in time: `remindTo` unless set,
    /// plus `urgeAlso` (a supervisor in copy).
    package var urgeTo: [RecipientSpec]?
    package var urgeAlso: [RecipientSpec] = []
    /// Extensions (延期) it allows, and who decides them; `nil`: none.
    package var extensionRule: ExtensionRule?
    /// Where it was written, for `policy show` and `explain`.
    package var source: String
    /// The step keys (`remind_to`, `ladder`, …) it took from `[defaults]`, so that a mistake there is
    /// reported once, where it is written.
    package var inherited: Set<String> = []

    package init(
        id: String,
        title: String,
        article: String,
        appliesTo: AppliesTo,
        deadline: DeadlineRule,
        shift: ShiftRule = .previousWorkday,
        remind: [DutyDuration] = [],
        remindTo: [RecipientSpec] = [],
        yellow: DutyDuration = DutyDuration(3, .workingDays),
        ladder: [LadderStep] = [],
        responsible: [String] = [],
        source: String = ""
    ) {
        self.id = id
        self.title = title
        self.article = article
        self.appliesTo = appliesTo
        self.deadline = deadline
        self.shift = shift
        self.remind = remind
        self.remindTo = remindTo
        self.yellow = yellow
        self.ladder = ladder
        self.responsible = responsible
        self.source = source
    }
}

/// Extensions (延期) an obligation allows: asked for at least `requestBefore` before the deadline day,
/// to a working day at most `longest` after it, decided by the officials `approvers` names (an
/// administrator always may).
package struct ExtensionRule: Sendable, Hashable {
    package var requestBefore: DutyDuration
    package var longest: DutyDuration
    package var approvers: [RecipientSpec]

    package init(requestBefore: DutyDuration, longest: DutyDuration, approvers: [RecipientSpec]) {
        self.requestBefore = requestBefore
        self.longest = longest
        self.approvers = approvers
    }
}

/// Who an obligation applies to.
package enum AppliesTo: Sendable, Hashable {
    /// Every unit of these kinds, optionally only at these region levels (1 = the top region).
    case units(kinds: Set<String>, levels: Set<Int>?)
    /// Every official holding one of these roles, optionally only in units of these kinds.
    case officials(roles: Set<String>, kinds: Set<String>?)

    package var subjectsAreOfficials: Bool {
        if case .officials = self { return true }
        return false
    }
}

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

/// A quota checkpoint: `count` completions in the year by `month`-`day`.
package struct Checkpoint: Sendable, Hashable {
    package var month: Int
    package var day: Int
    package var count: Int

    package init(month: Int, day: Int, count: Int) {
        self.month = month
        self.day = day
        self.count = count
    }

    /// The day in `year`; 29 February in a common year is the 28th.
    package func date(in year: Int) -> CivilDate {
        CivilDate(year: year, month: month, day: min(day, CivilDate.daysInMonth(year: year, month: month)))!
    }
}

/// A signed offset: `before = "10d"` or `after = "3wd"`.
package struct Offset: Sendable, Hashable, CustomStringConvertible {
    package var duration: DutyDuration
    package var before: Bool

    package init(_ duration: DutyDuration, before: Bool) {
        self.duration = duration
        self.before = before
    }

    package var description: String { "\(duration) \(before ? "before" : "after")" }

    /// The day this offset from `date` (working days by `workdays`).
    package func applied(to date: CivilDate, workdays: WorkingDayCalendar) -> CivilDate {
        (before ? duration.before(date, workdays: workdays) : duration.after(date, workdays: workdays)).date
    }
}

/// Who receives a step: officials of these roles at the related unit, and its mailbox if asked.
package struct RecipientSpec: Sendable, Hashable, CustomStringConvertible {
    package var relation: Relation
    package var roles: [String]
    package var mailbox: Bool

    package init(_ relation: Relation, roles: [String], mailbox: Bool = false) {
        self.relation = relation
        self.roles = roles
        self.mailbox = mailbox
    }

    package var description: String {
        var parts = roles
        if mailbox { parts.append("mailbox") }
        return "\(relation): \(parts.joined(separator: ", "))"
    }
}

/// One step after a deadline passes (or on it).
package struct LadderStep: Sendable, Hashable {
    package enum Kind: String, Sendable, CaseIterable {
        case due
        case overdue
        case escalation
    }

    package var kind: Kind
    /// Time after the deadline: `0d` for the due notice.
    package var after: DutyDuration
    /// Everyone the step goes to (steps written with `also` already include the earlier ones).
    package var recipients: [RecipientSpec]

    package init(kind: Kind, after: DutyDuration, recipients: [RecipientSpec]) {
        self.kind = kind
        self.after = after
        self.recipients = recipients
    }
}
