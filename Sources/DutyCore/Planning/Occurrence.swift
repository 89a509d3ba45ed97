package import DutyCalendar

/// One obligation for one subject in one period: its deadline, its steps and what was recorded.
package struct Occurrence: Sendable {
    package let id: OccurrenceID
    package let obligation: Int
    /// A unit index, or an official index when the obligation applies to officials.
    package let subject: Int32
    package let timing: Timing
    package let completion: Completion?
    package let waiver: Waiver?
    /// Receipt (签收) given with `dutyctl ack`; a completion implies it.
    package let receipt: Receipt?

    package init(
        id: OccurrenceID,
        obligation: Int,
        subject: Int32,
        timing: Timing,
        completion: Completion?,
        waiver: Waiver?,
        receipt: Receipt? = nil
    ) {
        self.id = id
        self.obligation = obligation
        self.subject = subject
        self.timing = timing
        self.completion = completion
        self.waiver = waiver
        self.receipt = receipt
    }

    /// Where receipt stands, for an obligation that asks for it.
    package enum ReceiptState: String, Sendable, CaseIterable {
        /// Notified, not received yet.
        case awaiting = "awaiting-receipt"
        case received
        /// Received after its day.
        case receivedLate = "received-late"
    }

    package enum State: String, Sendable, CaseIterable {
        case open
        case late
        case done
        case waived
    }

    /// The supervision colours (docs/design.md, Delivery semantics).
    package enum Colour: String, Sendable {
        case blue
        case yellow
        case red
    }

    package func state(at now: Instant) -> State {
        if completion != nil { return .done }
        if waiver != nil { return .waived }
        return now > timing.deadline ? .late : .open
    }

    /// Receipt at `now`, due by `due` after the first notice at `firstNotice`, given at `given` (a
    /// receipt's time, or the completion's: `Planner.receiptState`): `nil` when the obligation asks
    /// for none (`due` is `nil`), before the first notice, and for a waived occurrence.
    package func receiptState(at now: Instant, due: Instant?, firstNotice: Instant?, given: Instant?) -> ReceiptState? {
        guard let due, waiver == nil else { return nil }
        if let given, given <= now { return given > due ? .receivedLate : .received }
        guard let firstNotice, now >= firstNotice else { return nil }
        return .awaiting
    }

    /// Red when late, yellow in the last working days, blue once a reminder time has come; `nil`
    /// before that and for done or waived occurrences.
    package func colour(at now: Instant) -> Colour? {
        guard completion == nil, waiver == nil else { return nil }
        if now > timing.deadline { return .red }
        if now >= timing.yellowFrom { return .yellow }
        if let first = timing.steps.first(where: { $0.kind == .reminder }), now >= first.at { return .blue }
        return nil
    }

    /// Done after the deadline day.
    package var doneLate: Bool {
        guard let completion else { return false }
        return completion.on > timing.date
    }

    /// Steps still to come: none once done or waived.
    package func remainingSteps(after now: Instant) -> [PlannedStep] {
        guard completion == nil, waiver == nil else { return [] }
        return timing.steps.filter { $0.at > now }
    }
}
