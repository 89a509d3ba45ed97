package import DutyCalendar
package import DutyCore
import Foundation

// What both front ends parse the same way: option values as a person types them, and occurrence ids.
// dutyctl parses them in direct mode and dutyd's API parses the same words sent over the socket, so
// a mistake reads the same in both modes.

extension Instant {
    /// Now, to the second (what people read and what gets recorded).
    package static var now: Instant {
        Instant(seconds: Int(Date().timeIntervalSince1970))
    }
}

/// Parses an `--at`/`--on` value: an instant with an offset, a local date-time, or a date (its start).
package func parseInstant(_ text: String, zone: Zone, option: String) throws -> Instant {
    if let i = Instant(iso: text, zone: zone) { return i }
    if let d = CivilDate(iso: text) {
        return zone.instant(on: d)
    }
    throw Failure(
        ExitStatus.usage,
        "\(option): expected a date or time from the years 1 to 9999 such as 2026-11-29, 2026-11-29T09:00:00+08:00 or @1798761600, found '\(shown(text))'"
    )
}

/// Parses a date option or argument (`YYYY-MM-DD`); `option` names it in the message.
package func parseDate(_ text: String, option: String) throws -> CivilDate {
    guard let d = CivilDate(iso: text), text.count == 10 else {
        throw Failure(
            ExitStatus.usage,
            "\(option): '\(shown(text))' is not a date; expected YYYY-MM-DD, such as 2026-11-29"
        )
    }
    return d
}

/// The occurrence an id names, or a failure that says which part is wrong.
package func locate(_ text: String, planner: Planner, records: DutyRecords) throws -> Occurrence {
    guard let id = OccurrenceID(text) else {
        throw Failure(
            ExitStatus.usage,
            "'\(shown(text))' is not an occurrence id; expected obligation/subject/period, such as semiannual-report/gd.gz/2026-H2"
        )
    }
    return try locate(id, planner: planner) { planner.occurrence($0, records: records) }
}

/// The occurrence `id` names as `find` finds it (a plan of its years), or a failure that says which
/// part is wrong: the obligation, the subject, or the period.
package func locate(
    _ id: OccurrenceID,
    planner: Planner,
    find: (OccurrenceID) -> Occurrence?
) throws -> Occurrence {
    guard let o = planner.obligationNumber(id.obligation) else {
        throw Failure(
            ExitStatus.dataError,
            "no obligation '\(shown(id.obligation))' in the policy; expected one of \(planner.policy.obligations.map(\.id).joined(separator: ", "))"
        )
    }
    guard let subject = planner.subjectNumber(id.subject, obligation: o) else {
        let ob = planner.policy.obligations[o]
        let what = ob.appliesTo.subjectsAreOfficials ? "official" : "unit"
        throw Failure(
            ExitStatus.dataError,
            "'\(shown(id.subject))' is not a \(what) that \(id.obligation) applies to; `dutyctl \(what) show \(shown(id.subject))` tells what it is"
        )
    }
    guard let found = find(id) else {
        throw Failure(
            ExitStatus.dataError,
            "\(id.obligation) has no period '\(shown(id.period))' for \(id.subject); `dutyctl upcoming --unit \(planner.organisation.units[Int(planner.unitOf(subject: subject, obligation: o))].id) --obligation \(id.obligation) --state all --within 400d` lists its periods"
        )
    }
    return found
}
