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

extension OccurrenceBrief: JSONRow {
    package func writeJSON(to out: inout JSONBytes) {
        out.open()
        var first = true
        if let colour {
            out.key("colour", first: true)
            out.string(colour)
            first = false
        }
        out.key("days_left", first: first)
        out.int(daysLeft)
        out.key("deadline")
        out.string(deadline)
        out.key("deadline_date")
        out.string(deadlineDate)
        out.key("id")
        out.string(id)
        out.key("obligation")
        out.string(obligation)
        out.key("period")
        out.string(period)
        out.key("provisional")
        out.bool(provisional)
        out.key("responsible")
        out.strings(responsible)
        out.key("state")
        out.string(state)
        out.key("subject")
        out.string(subject)
        out.key("subject_name")
        out.string(subjectName)
        out.key("unit")
        out.string(unit)
        out.key("weekday")
        out.string(weekday)
        out.close()
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

extension OccurrenceBrief: JSONLineReadable {
    package static func read(jsonLine: ArraySlice<UInt8>) -> OccurrenceBrief? {
        var id: String?
        var obligation: String?
        var subject: String?
        var subjectName: String?
        var unit: String?
        var period: String?
        var deadline: String?
        var deadlineDate: String?
        var weekday: String?
        var state: String?
        var colour: String?
        var provisional: Bool?
        var daysLeft: Int?
        var responsible: [String]?
        var reader = FlatJSONReader(jsonLine)
        let ok = reader.object { r, key in
            switch key {
            case "id": id = r.string()
            case "obligation": obligation = r.string()
            case "subject": subject = r.string()
            case "subject_name": subjectName = r.string()
            case "unit": unit = r.string()
            case "period": period = r.string()
            case "deadline": deadline = r.string()
            case "deadline_date": deadlineDate = r.string()
            case "weekday": weekday = r.string()
            case "state": state = r.string()
            case "colour":
                colour = r.string()
                return colour != nil
            case "provisional":
                provisional = r.bool()
                return provisional != nil
            case "days_left":
                daysLeft = r.int()
                return daysLeft != nil
            case "responsible":
                responsible = r.strings()
                return responsible != nil
            default: return false
            }
            return true
        }
        guard ok, let id, let obligation, let subject, let subjectName, let unit, let period, let deadline,
            let deadlineDate, let weekday, let state, let provisional, let daysLeft, let responsible
        else { return nil }
        return OccurrenceBrief(
            id: id,
            obligation: obligation,
            subject: subject,
            subjectName: subjectName,
            unit: unit,
            period: period,
            deadline: deadline,
            deadlineDate: deadlineDate,
            weekday: weekday,
            provisional: provisional,
            state: state,
            colour: colour,
            daysLeft: daysLeft,
            responsible: responsible
        )
    }
}

extension OccurrenceRow: JSONLineReadable {
    /// A brief row read quickly; a full one (or anything unusual) is left to `JSONDecoder`.
    package static func read(jsonLine: ArraySlice<UInt8>) -> OccurrenceRow? {
        OccurrenceBrief.read(jsonLine: jsonLine).map { .brief($0) }
    }
}
