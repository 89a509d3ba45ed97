package import DutyCalendar
package import DutyCore

/// An occurrence as `upcoming`, `overdue` and `explain` print it, text or JSON (docs/design.md, dutyctl).
package struct OccurrenceView: Codable, Sendable {
    package var id: String
    package var obligation: String
    package var title: String
    package var article: String
    /// `unit` or `official`.
    package var subjectKind: String
    package var subject: String
    package var subjectName: String
    /// The subject's unit (itself for a unit).
    package var unit: String
    package var unitName: String
    package var period: String
    /// End of the deadline day, ISO 8601 with offset.
    package var deadline: String
    package var deadlineDate: String
    package var weekday: String
    /// The date the rule gives, before moving off a day off.
    package var ruleDate: String
    package var provisional: Bool
    package var state: String
    package var colour: String?
    /// Days from today to the deadline day; negative when late.
    package var daysLeft: Int
    package var responsible: [PersonView]
    package var liability: LiabilityView
    package var steps: [StepView]
    package var completion: CompletionView?
    package var waiver: WaiverView?
    /// Receipt (签收), for an obligation that asks for it, once its first notice went out.
    package var receipt: ReceiptView? = nil
    /// The approved extension (延期) that set the deadline, if one did.
    package var extended: ExtendedView? = nil

    enum CodingKeys: String, CodingKey {
        case id, obligation, title, article, subject, period, deadline, provisional, state, colour, responsible,
            liability, steps, completion, waiver, unit, weekday, receipt, extended
        case subjectKind = "subject_kind"
        case subjectName = "subject_name"
        case unitName = "unit_name"
        case deadlineDate = "deadline_date"
        case ruleDate = "rule_date"
        case daysLeft = "days_left"
    }
}

package struct PersonView: Codable, Sendable, Hashable {
    /// The official's id; `nil` for a unit mailbox.
    package var id: String?
    package var name: String
    package var role: String?
    package var unit: String
    package var email: String?
    /// How the unit was found from the subject (`self`, `parent-region/propaganda`, …).
    package var relation: String
}

package struct LiabilityView: Codable, Sendable {
    /// Main leadership responsibility (第十三条).
    package var main: [String]
    /// Important leadership responsibility.
    package var important: [String]
}

package struct StepView: Codable, Sendable {
    package var name: String
    package var kind: String
    package var at: String
    package var provisional: Bool
    package var recipients: [PersonView]
}

package struct CompletionView: Codable, Sendable {
    package var on: String
    package var late: Bool
    package var by: String
    package var reference: String?
    package var note: String?
    package var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case on, late, by, reference, note
        case recordedAt = "recorded_at"
    }
}

/// Where receipt stands: `awaiting-receipt`, `received`, `received-late`; who gave it, when, how.
package struct ReceiptView: Codable, Sendable, Equatable {
    package var state: String
    /// The day it is due by.
    package var due: String
    package var by: String?
    package var at: String?
    package var how: String?
}

/// An approved extension: the request and the deadline day before it.
package struct ExtendedView: Codable, Sendable, Equatable {
    package var request: String
    package var from: String
}

package struct WaiverView: Codable, Sendable {
    package var reason: String
    package var by: String
    package var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case reason, by
        case recordedAt = "recorded_at"
    }
}

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
