package import DutyCalendar
package import DutyCore

extension Planner {
    /// The view of an occurrence at `now`.
    package func view(_ o: Occurrence, now: Instant) -> OccurrenceView {
        let ob = policy.obligations[o.obligation]
        let officials = ob.appliesTo.subjectsAreOfficials
        let u = unitOf(subject: o.subject, obligation: o.obligation)
        let unit = u >= 0 ? organisation.units[Int(u)] : nil
        let subjectName = officials ? organisation.officials[Int(o.subject)].name : (unit?.name ?? "")
        let today = zone.day(of: now)
        return OccurrenceView(
            id: o.id.description,
            obligation: ob.id,
            title: ob.title,
            article: ob.article,
            subjectKind: officials ? "official" : "unit",
            subject: o.id.subject,
            subjectName: subjectName,
            unit: unit?.id ?? "",
            unitName: unit?.name ?? "",
            period: o.id.period,
            deadline: o.timing.deadline.format(in: zone),
            deadlineDate: o.timing.date.description,
            weekday: o.timing.date.weekday.shortName,
            ruleDate: o.timing.raw.description,
            provisional: o.timing.provisional,
            state: o.state(at: now).rawValue,
            colour: o.colour(at: now)?.rawValue,
            daysLeft: o.timing.date.daysSinceEpoch - today.daysSinceEpoch,
            responsible: responsible(obligation: o.obligation, subject: o.subject).map(person),
            liability: {
                let l = liability(obligation: o.obligation, subject: o.subject)
                return LiabilityView(
                    main: l.main.map { organisation.officials[Int($0)].id },
                    important: l.important.map { organisation.officials[Int($0)].id }
                )
            }(),
            steps: o.timing.steps.map { step in
                StepView(
                    name: step.name,
                    kind: step.kind.rawValue,
                    at: step.at.format(in: zone),
                    provisional: step.provisional,
                    recipients: recipients(step.recipients, obligation: o.obligation, subject: o.subject).map(person)
                )
            },
            completion: o.completion.map { completion in
                CompletionView(
                    on: completion.on.description,
                    late: completion.on > o.timing.date,
                    by: completion.by,
                    reference: completion.reference,
                    note: completion.note,
                    recordedAt: completion.recordedAt.format(in: zone)
                )
            },
            waiver: o.waiver.map {
                WaiverView(reason: $0.reason, by: $0.by, recordedAt: $0.recordedAt.format(in: zone))
            },
            receipt: receiptView(o, now: now),
            extended: o.timing.extensionGranted.map { ExtendedView(request: $0.request.id, from: $0.from.description) }
        )
    }

    /// Receipt at `now`; a completion is one, by whoever recorded it.
    func receiptView(_ o: Occurrence, now: Instant) -> ReceiptView? {
        guard let (state, due) = receiptState(o, at: now) else { return nil }
        var v = ReceiptView(state: state.rawValue, due: zone.day(of: due).description)
        if let r = o.receipt, r.at <= now {
            (v.by, v.at, v.how) = (r.by, r.at.format(in: zone), r.how)
        } else if let c = o.completion {
            (v.by, v.at, v.how) = (c.by, min(c.recordedAt, endOfDay(c.on)).format(in: zone), "done")
        }
        return v
    }

    package func person(_ r: Recipient) -> PersonView {
        let unit = organisation.units[Int(r.unit)]
        if let k = r.official {
            let o = organisation.officials[Int(k)]
            return PersonView(
                id: o.id,
                name: o.name,
                role: r.role ?? o.roles.first,
                unit: unit.id,
                email: o.email,
                relation: r.relation.description
            )
        }
        return PersonView(
            id: nil,
            name: unit.name,
            role: nil,
            unit: unit.id,
            email: unit.email,
            relation: r.relation.description
        )
    }
}
