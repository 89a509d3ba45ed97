package import DutyCalendar
package import DutyCore

/// An occurrence as `upcoming`'s table shows it: what a long answer sends when its client asks for
/// `brief` (dutyctl does for a table). About a tenth of the full view's bytes: no steps, no
/// recipients, no liability, the responsible by name.
package struct OccurrenceBrief: Codable, Sendable, Equatable {
    package var id: String
    package var obligation: String
    package var subject: String
    package var subjectName: String
    package var unit: String
    package var period: String
    package var deadline: String
    package var deadlineDate: String
    package var weekday: String
    package var provisional: Bool
    package var state: String
    package var colour: String?
    package var daysLeft: Int
    /// The names of the officials answerable for it (the unit's mailbox name when it has none).
    package var responsible: [String]

    enum CodingKeys: String, CodingKey {
        case id, obligation, subject, unit, period, deadline, weekday, provisional, state, colour, responsible
        case subjectName = "subject_name"
        case deadlineDate = "deadline_date"
        case daysLeft = "days_left"
    }
}

/// A row of `upcoming`/`overdue`: the full view, or the brief one when the request asks for it.
package enum OccurrenceRow: Codable, Sendable, JSONRow {
    case full(OccurrenceView)
    case brief(OccurrenceBrief)

    package var id: String {
        switch self {
        case .full(let v): v.id
        case .brief(let b): b.id
        }
    }

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .full(let v): try v.encode(to: encoder)
        case .brief(let b): try b.encode(to: encoder)
        }
    }

    /// The full view when it has its steps, else the brief one.
    package init(from decoder: any Decoder) throws {
        enum Probe: String, CodingKey { case steps }
        if try decoder.container(keyedBy: Probe.self).contains(.steps) {
            self = .full(try OccurrenceView(from: decoder))
        } else {
            self = .brief(try OccurrenceBrief(from: decoder))
        }
    }

    package func writeJSON(to out: inout JSONBytes) {
        switch self {
        case .full(let v): v.writeJSON(to: &out)
        case .brief(let b): b.writeJSON(to: &out)
        }
    }
}

extension Planner {
    /// The brief view of an occurrence at `now`.
    package func brief(_ o: Occurrence, now: Instant) -> OccurrenceBrief {
        let officials = policy.obligations[o.obligation].appliesTo.subjectsAreOfficials
        let u = unitOf(subject: o.subject, obligation: o.obligation)
        let unit = u >= 0 ? organisation.units[Int(u)] : nil
        return OccurrenceBrief(
            id: o.id.description,
            obligation: o.id.obligation,
            subject: o.id.subject,
            subjectName: officials ? organisation.officials[Int(o.subject)].name : (unit?.name ?? ""),
            unit: unit?.id ?? "",
            period: o.id.period,
            deadline: o.timing.deadline.format(in: zone),
            deadlineDate: o.timing.date.description,
            weekday: o.timing.date.weekday.shortName,
            provisional: o.timing.provisional,
            state: o.state(at: now).rawValue,
            colour: o.colour(at: now)?.rawValue,
            daysLeft: o.timing.date.daysSinceEpoch - zone.day(of: now).daysSinceEpoch,
            responsible: responsible(obligation: o.obligation, subject: o.subject).map { r in
                r.official.map { organisation.officials[Int($0)].name } ?? organisation.units[Int(r.unit)].name
            }
        )
    }
}
