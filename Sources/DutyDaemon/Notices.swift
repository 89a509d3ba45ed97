package import DutyCalendar
package import DutyCore
package import DutyNotify
import DutyQueries

extension PlannedStep.Kind {
    /// The journal event of a step of this kind.
    package var event: DutyEvent {
        switch self {
        case .reminder: .reminder
        case .due: .due
        case .overdue: .overdue
        case .escalation: .escalation
        case .urging: .urging
        case .extensionRequested: .extensionRequested
        case .extensionDecided: .extensionDecided
        }
    }
}

extension Planner {
    /// The notification for step `k` of a deadline of subject `s`, sent at `now`.
    package func notification(
        obligation o: Int,
        subject s: Int32,
        timing t: Timing,
        step k: Int,
        at now: Instant
    ) -> Notice {
        let ob = policy.obligations[o]
        let step = t.steps[k]
        let u = unitOf(subject: s, obligation: o)
        let unit = u >= 0 ? organisation.units[Int(u)] : nil
        let official = ob.appliesTo.subjectsAreOfficials ? organisation.officials[Int(s)] : nil
        var n = Notice(
            occurrence: OccurrenceID(obligation: ob.id, subject: subjectID(s, obligation: o), period: t.period)
                .description,
            obligation: ob.id,
            title: ob.title,
            article: ob.article,
            unit: unit?.id ?? "",
            unitName: unit?.name ?? "",
            official: official?.id,
            officialName: official?.name,
            period: t.period,
            step: step.name,
            event: step.kind.event,
            scheduledAt: step.at,
            deadlineDate: t.date,
            deadline: t.deadline,
            daysLeft: t.date.daysSinceEpoch - zone.day(of: now).daysSinceEpoch,
            provisional: t.provisional || step.provisional,
            recipients: recipientPeople(obligation: o, subject: s, timing: t, step: k)
        )
        n.asOf = now
        n.receiptDue = t.receiptDue.map { zone.day(of: $0) }
        n.colour = now > t.deadline ? .red : now >= t.yellowFrom ? .yellow : .blue
        if let r = step.request {
            n.extensionRequest = Notice.Extension(
                id: r.id,
                until: r.until,
                reason: r.reason,
                requestedBy: r.requestedBy,
                state: r.state.rawValue,
                decidedBy: r.decidedBy,
                note: r.note,
                from: t.extensionGranted?.request == r ? t.extensionGranted!.from : t.date
            )
        }
        n.extendable = ob.extensionRule != nil && now <= t.deadline
        if step.kind == .escalation {
            let l = liability(obligation: o, subject: s)
            n.liableMain = l.main.map(noticePerson(official:))
            n.liableImportant = l.important.map(noticePerson(official:))
        }
        return n
    }

    /// Who step `k` goes to, as notices name them.
    package func recipientPeople(obligation o: Int, subject s: Int32, timing t: Timing, step k: Int) -> [Notice.Person]
    {
        recipients(t.steps[k].recipients, obligation: o, subject: s).map(noticePerson)
    }

    /// A liable official (第十三条), by index.
    func noticePerson(official k: Int32) -> Notice.Person {
        let o = organisation.officials[Int(k)]
        return Notice.Person(id: o.id, name: o.name, email: o.email, role: o.roles.first, unit: o.unit)
    }

    /// A recipient as `dutyctl explain` shows it (`person(_:)`), with a unit mailbox as `mailbox:UNIT`.
    func noticePerson(_ r: Recipient) -> Notice.Person {
        let v = person(r)
        return Notice.Person(id: v.id ?? "mailbox:\(v.unit)", name: v.name, email: v.email, role: v.role, unit: v.unit)
    }
}
