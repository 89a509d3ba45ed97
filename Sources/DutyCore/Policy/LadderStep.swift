package import DutyCalendar

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
