package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyQueries
import DutyStore
import Foundation

// `upcoming`, `overdue` and `explain`: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// `upcoming` and `overdue` (and the filters `calendar export` shares).
package struct OccurrencesRequest: Codable, Sendable, Equatable {
    @Default<False> package var overdue: Bool
    package var unit: String?
    @Default<False> package var subtree: Bool
    /// `30d`, `8w`, `20wd`; default 30 days.
    package var within: String?
    /// ISO 8601 or a date; default now.
    package var at: String?
    @Default<NoWords> package var obligation: [String]
    /// State words (`open`, `late`, `done`, `waived`, `all`); `nil` for the command's default.
    package var state: [String]?
    /// Rows as the table shows them (`OccurrenceBrief`), a tenth of the full view's bytes.
    @Default<False> package var brief: Bool

    package init() {}

    /// The query these options ask, at `now` unless `at` says; a mistake is bad usage (64).
    package func query(zone: Zone, now: Instant) throws -> OccurrenceQuery {
        var q = OccurrenceQuery(at: try at.map { try parseInstant($0, zone: zone, option: "--at") } ?? now)
        if let within {
            do {
                q.within = try DutyDuration.parse(within)
            } catch {
                throw Failure(ExitStatus.usage, "--within: \(error.message)")
            }
            guard q.within.maximumCalendarDays <= OccurrenceQuery.maximumDays else {
                throw Failure(
                    ExitStatus.usage,
                    "--within \(within) reaches past \(OccurrenceQuery.maximumDays) days (five years); ask for "
                        + "less, such as --within 365d, or one --unit at a time"
                )
            }
        }
        if subtree && unit == nil { throw Failure(ExitStatus.usage, "--subtree needs --unit ID") }
        q.unit = unit
        q.subtree = subtree
        q.obligations = obligation
        if let state {
            var states: Set<Occurrence.State> = []
            for word in state {
                if word == "all" {
                    states.formUnion(Occurrence.State.allCases)
                } else if let s = Occurrence.State(rawValue: word) {
                    states.insert(s)
                } else {
                    throw Failure(
                        ExitStatus.usage,
                        "--state: unknown state '\(shown(word))'; expected \((Occurrence.State.allCases.map(\.rawValue) + ["all"]).joined(separator: ", "))"
                    )
                }
            }
            q.states = states
        }
        return q
    }
}

/// The answer to `upcoming`/`overdue` as one value: `{"occurrences": [...]}` is what `--json` prints.
package struct OccurrenceList: Codable, Sendable {
    package var occurrences: [OccurrenceRow]
    /// The store holds no units at all (the table then says how to import them).
    package var noUnits: Bool
    /// What to say when the list is empty.
    package var empty: String
    package var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case occurrences, empty, warnings
        case noUnits = "no_units"
    }
}

/// What follows the rows of `upcoming`/`overdue`: the last line of the API's JSON Lines (under
/// `end`), and the rest of its whole answer.
package struct OccurrencesEnding: Codable, Sendable, Equatable {
    package var count: Int
    package var noUnits: Bool
    package var empty: String
    package var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case count, empty, warnings
        case noUnits = "no_units"
    }
}

/// `explain OCCURRENCE [--at TIME]`.
package struct ExplainRequest: Codable, Sendable {
    package var occurrence: String
    package var at: String?

    package init(occurrence: String) { self.occurrence = occurrence }
}

/// `{"occurrence": {...}, "explanation": [...]}` is what `explain --json` prints.
package struct ExplainAnswer: Codable, Sendable {
    package var occurrence: OccurrenceView
    package var explanation: [String]
    package var warnings: [String]
}

extension Workspace {
    /// `explain`: how the deadline and every step time were worked out.
    package func explain(
        _ r: ExplainRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant
    ) throws -> ExplainAnswer {
        let found = try locate(r.occurrence, planner: planner, records: records)
        let now = try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        return ExplainAnswer(
            occurrence: planner.view(found, now: now),
            explanation: planner.explain(found, now: now, records: RecordIndex(records: records, policy: policy)),
            warnings: workdays.unpublishedWarnings(
                (found.timing.provisional ? [found.timing.date] : [])
                    + found.timing.steps.filter(\.provisional).map(\.day.date)
            )
        )
    }

    /// `upcoming` or `overdue`: every occurrence's view to `emit` as it is found, in order (by
    /// deadline, obligation, subject in tree order, period), then their count and warnings.
    /// `now` answers a question without `at` (the daemon passes its clock, which `--start-at` shifts).
    package func occurrences(
        _ r: OccurrencesRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant,
        _ emit: (OccurrenceRow) throws -> Void
    ) throws -> OccurrencesEnding {
        let q = try r.query(zone: settings.timezone, now: now)
        var provisional: Set<CivilDate> = []
        var count = 0
        let each = { (body: (Occurrence) throws -> Void) throws in
            r.overdue
                ? try planner.eachOverdue(q, records: records, body)
                : try planner.eachUpcoming(q, records: records, body)
        }
        try each { occurrence in
            if occurrence.timing.provisional { provisional.insert(occurrence.timing.date) }
            count += 1
            try emit(
                r.brief ? .brief(planner.brief(occurrence, now: q.at)) : .full(planner.view(occurrence, now: q.at))
            )
        }
        // Given up meanwhile (the API's budget, a client gone): the rows may be cut short.
        try StopSignal.throwIfStopped()
        return OccurrencesEnding(
            count: count,
            noUnits: planner.organisation.units.isEmpty,
            empty: r.overdue ? "nothing is overdue" : "nothing due within \(q.within)",
            warnings: workdays.unpublishedWarnings(provisional.sorted())
        )
    }
}

/// `upcoming`: what is due from now (or `at`).
package enum Upcoming: RowsOperation {
    package typealias Request = OccurrencesRequest
    package typealias Answer = OccurrenceList
    package static let rowsKey = "occurrences"
    package static let route = "occurrences/upcoming"
    package static let access = Access.read
    package static let command = ["upcoming"]
    package static func rows(
        _ r: OccurrencesRequest,
        _ c: OperationContext,
        _ emit: (OccurrenceRow) throws -> Void
    ) throws -> OccurrencesEnding {
        try c.occurrences(r, overdue: false, emit)
    }
}

/// `overdue`: what is late.
package enum Overdue: RowsOperation {
    package typealias Request = OccurrencesRequest
    package typealias Answer = OccurrenceList
    package static let rowsKey = "occurrences"
    package static let route = "occurrences/overdue"
    package static let access = Access.read
    package static let command = ["overdue"]
    package static func rows(
        _ r: OccurrencesRequest,
        _ c: OperationContext,
        _ emit: (OccurrenceRow) throws -> Void
    ) throws -> OccurrencesEnding {
        try c.occurrences(r, overdue: true, emit)
    }
}

extension RowsOperation where Row == OccurrenceRow, Ending == OccurrencesEnding, Answer == OccurrenceList {
    package static func answer(rows: [OccurrenceRow], ending: OccurrencesEnding) -> OccurrenceList {
        OccurrenceList(occurrences: rows, noUnits: ending.noUnits, empty: ending.empty, warnings: ending.warnings)
    }
}

extension OperationContext {
    /// `upcoming` or `overdue`, whichever the route says.
    fileprivate func occurrences(
        _ r: OccurrencesRequest,
        overdue: Bool,
        _ emit: (OccurrenceRow) throws -> Void
    ) throws -> OccurrencesEnding {
        var r = r
        r.overdue = overdue
        return try workspace.occurrences(r, planner: try planner(), records: try records(), now: now, emit)
    }
}

/// `explain`: how an occurrence's deadline and steps were worked out.
package enum Explain: DutyOperation {
    package static let route = "explain"
    package static let access = Access.read
    package static let command = ["explain"]
    package static func perform(_ r: ExplainRequest, _ c: OperationContext) throws -> ExplainAnswer {
        try c.workspace.explain(r, planner: try c.planner(), records: try c.records(), now: c.now)
    }
}
