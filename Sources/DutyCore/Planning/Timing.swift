package import DutyCalendar

/// One deadline of one obligation with every notification time, computed once and shared by all the
/// subjects with the same schedule (most units share one: that is what makes a national plan cheap).
package final class Timing: Sendable {
    /// The period part of the occurrence id: `2026-H2`, `2026-c1`, an event id.
    package let period: String
    /// How the raw date came about, for `explain`.
    package let origin: Origin
    /// The date the rule gives, and how it moved off a day off (`shift.date` is the deadline day).
    package let shift: WorkingDayCalendar.Shift
    /// The end of the deadline day (23:59:59 local): later than that is late.
    package let deadline: Instant
    /// From this instant the occurrence is in its last working days (yellow).
    package let yellowFrom: Instant
    /// Reminders, then the ladder, in time order.
    package let steps: [PlannedStep]
    /// The deadline day depends on a year whose holiday schedule is not published (each step says
    /// the same of its own day).
    package let provisional: Bool
    /// When the record that started this deadline was written (an event, a completion); `nil` for a
    /// deadline a schedule gives. A deadline that arrives late (an event recorded after its first steps'
    /// times) still gets its latest step: `Plan.forEachDue`.
    package let arrivedAt: Instant?
    /// The end of the day receipt (签收) is due by, when the obligation asks for it: `acknowledge`
    /// after the first notice's day, never later than the deadline.
    package let receiptDue: Instant?
    /// What was asked and decided about moving this deadline (延期) for its one subject, in time order:
    /// each goes out once, to the approvers (a request) or the responsible people (a decision), and is
    /// never folded into the steps (`Plan.forEachNotice`).
    package let notices: [PlannedStep]

    package var raw: CivilDate { shift.original }

    /// Whether the record that started it was written at or after `instant`.
    package func arrived(since instant: Instant?) -> Bool {
        guard let instant, let arrivedAt else { return false }
        return arrivedAt >= instant
    }
    package var date: CivilDate { shift.date }

    init(
        period: String,
        origin: Origin,
        shift: WorkingDayCalendar.Shift,
        deadline: Instant,
        yellowFrom: Instant,
        steps: [PlannedStep],
        provisional: Bool,
        arrivedAt: Instant? = nil,
        receiptDue: Instant? = nil,
        notices: [PlannedStep] = []
    ) {
        self.period = period
        self.origin = origin
        self.shift = shift
        self.deadline = deadline
        self.yellowFrom = yellowFrom
        self.steps = steps
        self.provisional = provisional
        self.arrivedAt = arrivedAt
        self.receiptDue = receiptDue
        self.notices = notices
    }

    /// The same deadline with these notices.
    func with(notices: [PlannedStep]) -> Timing {
        Timing(
            period: period,
            origin: origin,
            shift: shift,
            deadline: deadline,
            yellowFrom: yellowFrom,
            steps: steps,
            provisional: provisional,
            arrivedAt: arrivedAt,
            receiptDue: receiptDue,
            notices: notices
        )
    }

    /// The deadline with notice `k` as its one step: what the dispatcher delivers and ledgers like a
    /// step.
    package func announcing(_ k: Int) -> Timing {
        Timing(
            period: period,
            origin: origin,
            shift: shift,
            deadline: deadline,
            yellowFrom: yellowFrom,
            steps: [notices[k]],
            provisional: provisional,
            arrivedAt: arrivedAt,
            receiptDue: receiptDue,
            notices: []
        )
    }

    /// The approved extension that set this deadline, if one did.
    package var extensionGranted: (from: CivilDate, request: ExtensionRequest)? {
        if case .extended(_, let from, let request) = origin { return (from, request) }
        return nil
    }

    /// How a raw deadline date arose.
    package indirect enum Origin: Sendable {
        /// A day the schedule gives.
        case schedule(String)
        /// A quota checkpoint: `count` completions in `year` by the date.
        case checkpoint(count: Int, year: Int)
        /// `offset` from the source obligation's deadline at a related unit.
        case derived(source: String, at: Relation, sourceDeadline: CivilDate, sourcePeriod: String, offset: Offset)
        /// `after` the event.
        case event(Event, after: DutyDuration)
        /// `after` the source occurrence was completed.
        case completion(OccurrenceID, on: CivilDate, after: DutyDuration)
        /// An approved extension (延期) moved the deadline from `from` (which `original` gave) to the
        /// request's day.
        case extended(Timing.Origin, from: CivilDate, request: ExtensionRequest)
    }
}

/// One notification time of a deadline.
package struct PlannedStep: Sendable {
    package enum Kind: String, Sendable, CaseIterable {
        case reminder
        case due
        case overdue
        case escalation
        /// Receipt (签收) not given by its day: the responsible people are urged (催办).
        case urging
        /// An extension (延期) was asked for: the approvers are told (a notice, not a step).
        case extensionRequested = "extension-requested"
        /// An extension was approved or denied: the responsible people are told (a notice).
        case extensionDecided = "extension-decided"
    }

    /// Stable within the occurrence, part of the ledger key: `reminder-30d`, `due`, `escalation-2`.
    package var name: String
    package var kind: Kind
    package var at: Instant
    /// The send day, after moving off a day off.
    package var day: WorkingDayCalendar.Shift
    /// The lead time (reminders) or time after the deadline (ladder).
    package var offset: DutyDuration
    package var recipients: [RecipientSpec]
    package var provisional: Bool
    /// For the extension notices: the request.
    package var request: ExtensionRequest? = nil
}
