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
