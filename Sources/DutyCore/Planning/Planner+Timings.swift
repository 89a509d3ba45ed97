package import DutyCalendar

extension Planner {
    /// The end of `day` (23:59:59 local): a deadline "by 30 June" is met all through 30 June.
    package func endOfDay(_ day: CivilDate) -> Instant {
        Instant(seconds: zone.instant(on: day, second: 86_400).seconds - 1)
    }

    /// The send time on `day`. A send time the clock skips (DST) moves forward; one it passes twice is
    /// used once, the first time.
    package func sendTime(on day: CivilDate) -> Instant {
        zone.instant(on: day, second: sendAtMinute * 60)
    }

    /// A deadline with every notification time: reminders at the lead times (on the last working day
    /// at or before, at the send time), the due notice on the deadline day (or the working day before
    /// it), overdue and escalation steps after it (on the next working day at or after).
    ///
    /// A deadline that something triggered has no step before the day it was triggered (`earliest`).
    /// One an extension moved (`extending` the deadline it replaces) names its steps after the new day
    /// (`due@2027-02-22`), so the ledger tells them from the steps that went out before, and keeps the
    /// receipt the first notices asked for.
    func timing(
        obligation o: Int,
        period: String,
        origin: Timing.Origin,
        raw: CivilDate,
        earliest: CivilDate? = nil,
        arrivedAt: Instant? = nil,
        extending original: Timing? = nil
    ) -> Timing {
        let ob = policy.obligations[o]
        let shift = workdays.shift(raw, rule: ob.shift)
        let day = shift.date
        let deadline = endOfDay(day)
        var steps: [PlannedStep] = []
        let provisional = shift.provisional
        for lead in ob.remind {
            let (d, p) = lead.before(day, workdays: workdays)
            let moved = workdays.shift(d, rule: .previousWorkday)
            let at = sendTime(on: moved.date)
            // A lead that lands on the same send time as a longer one is the same reminder.
            guard at < deadline, !steps.contains(where: { $0.at == at }) else { continue }
            if let earliest, moved.date < earliest { continue }
            steps.append(
                PlannedStep(
                    name: "reminder-\(lead)",
                    kind: .reminder,
                    at: at,
                    day: moved,
                    offset: lead,
                    recipients: ob.remindTo,
                    provisional: p || moved.provisional
                )
            )
        }
        var counts: [LadderStep.Kind: Int] = [:]
        for step in ob.ladder {
            counts[step.kind, default: 0] += 1
        }
        var seen: [LadderStep.Kind: Int] = [:]
        for step in ob.ladder {
            let (d, p) = step.after.after(day, workdays: workdays)
            let moved = workdays.shift(d, rule: step.kind == .due ? .previousWorkday : .nextWorkday)
            seen[step.kind, default: 0] += 1
            let name: String
            switch step.kind {
            case .due: name = counts[.due]! > 1 ? "due-\(seen[.due]!)" : "due"
            case .overdue: name = counts[.overdue]! > 1 ? "overdue-\(seen[.overdue]!)" : "overdue"
            case .escalation: name = "escalation-\(seen[.escalation]!)"
            }
            steps.append(
                PlannedStep(
                    name: name,
                    kind: PlannedStep.Kind(rawValue: step.kind.rawValue)!,
                    at: sendTime(on: moved.date),
                    day: moved,
                    offset: step.after,
                    recipients: step.recipients,
                    provisional: p || moved.provisional
                )
            )
        }
        // Reminders come first in the policy and ladder steps after; time order is what people read.
        var ordered = steps.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(
            \.element
        )
        // Receipt is due `acknowledge` after the first notice's day (never after the deadline day);
        // not given by then, the urging notice goes out on the next working day at the send time,
        // if that is still before the deadline (after it, the ladder speaks).
        var receiptDue: Instant?
        if original == nil, let ack = ob.acknowledge, let first = ordered.first {
            let (d, p) = ack.after(first.day.date, workdays: workdays)
            let dueDay = min(d, day)
            receiptDue = endOfDay(dueDay)
            let urgeDay = workdays.shift(dueDay.adding(days: 1), rule: .nextWorkday)
            let at = sendTime(on: urgeDay.date)
            if at < deadline, !ordered.contains(where: { $0.at == at && $0.kind != .reminder }) {
                let urging = PlannedStep(
                    name: "urging",
                    kind: .urging,
                    at: at,
                    day: urgeDay,
                    offset: ack,
                    recipients: (ob.urgeTo ?? ob.remindTo) + ob.urgeAlso,
                    provisional: p || urgeDay.provisional
                )
                ordered.insert(urging, at: ordered.firstIndex { $0.at > at } ?? ordered.count)
            }
        }
        if let original {
            for i in ordered.indices { ordered[i].name += "@\(day)" }
            receiptDue = original.receiptDue
        }
        let (yellowDay, _) = ob.yellow.before(day, workdays: workdays)
        let yellowFrom = zone.instant(on: yellowDay)
        return Timing(
            period: period,
            origin: origin,
            shift: shift,
            deadline: deadline,
            yellowFrom: yellowFrom,
            steps: ordered,
            provisional: provisional,
            arrivedAt: arrivedAt,
            receiptDue: receiptDue
        )
    }

    /// The days a schedule gives from `lo` through `hi`, ascending, each once.
    package static func days(
        of schedules: [Schedule],
        zone: Zone,
        from lo: CivilDate,
        through hi: CivilDate
    ) -> [CivilDate] {
        var out: Set<CivilDate> = []
        for schedule in schedules {
            switch schedule {
            case .onCalendar(let spec, _):
                // One elapse per day is enough: after each, jump to the end of its local day.
                var base = Instant(seconds: zone.instant(on: lo).seconds - 1)
                while let next = try? spec.next(after: base, localZone: zone) {
                    let d = zone.day(of: next)
                    if d > hi { break }
                    if d >= lo { out.insert(d) }
                    base = Instant(seconds: zone.instant(on: d, second: 86_400).seconds - 1)
                }
            case .rrule(let recurrence, _):
                func visit(_ occurrence: Recurrence.Occurrence) -> Bool {
                    let d = occurrence.local.date
                    if d > hi { return false }
                    if d >= lo { out.insert(d) }
                    return true
                }
                recurrence.forEach(visit)
            }
        }
        return out.sorted()
    }
}
