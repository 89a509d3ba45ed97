package import DutyCalendar
package import DutyCore

/// A question about occurrences: `upcoming` and `overdue` with their filters.
package struct OccurrenceQuery: Sendable {
    /// The moment asked about (`--at`, default now).
    package var at: Instant
    /// How far ahead `upcoming` looks (`--within`, default 30 days).
    package var within = DutyDuration(30, .days)
    /// The farthest `--within` (and a calendar export's span) may reach, in calendar days: five
    /// years, longer than any period a policy has. A question that reaches farther would make every
    /// answer as large as the years it spans.
    package static let maximumDays = 1830
    /// `--unit`, with `--subtree` for everything below it.
    package var unit: String?
    package var subtree = false
    /// `--obligation`, any of these; empty for all.
    package var obligations: [String] = []
    /// `--state`; `nil` for the command's default.
    package var states: Set<Occurrence.State>?

    package init(at: Instant) { self.at = at }
}

/// A filter names something that does not exist: exit status 65.
package struct QueryError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

extension Planner {
    /// The scope a query's filters name.
    package func scope(_ q: OccurrenceQuery) throws(QueryError) -> Scope {
        var scope = Scope()
        if let id = q.unit {
            guard let u = organisation.index[id] else {
                throw QueryError("no unit '\(shown(id))'; `dutyctl unit ls` lists them")
            }
            scope.unit = u
            scope.subtree = q.subtree
        }
        if !q.obligations.isEmpty {
            var set: Set<Int> = []
            for id in q.obligations {
                guard let o = obligationNumber(id) else {
                    throw QueryError(
                        "no obligation '\(shown(id))' in the policy; expected one of \(policy.obligations.map(\.id).joined(separator: ", "))"
                    )
                }
                set.insert(o)
            }
            scope.obligations = set
        }
        return scope
    }

    /// Occurrences whose deadline day is from the day of `q.at` through `q.within` later; by default the
    /// open ones. In the order `Plan.forEachOccurrenceInOrder` gives: by deadline, obligation, subject
    /// (tree order), period.
    package func upcoming(_ q: OccurrenceQuery, records: DutyRecords) throws -> [Occurrence] {
        var out: [Occurrence] = []
        try eachUpcoming(q, records: records) { out.append($0) }
        return out
    }

    /// `upcoming`, one occurrence at a time, as it is found (a streamed answer holds none of them).
    package func eachUpcoming(
        _ q: OccurrenceQuery,
        records: DutyRecords,
        _ body: (Occurrence) throws -> Void
    ) throws {
        let today = zone.day(of: q.at)
        let last = q.within.after(today, workdays: workdays).date
        guard last >= today else { return }
        try each(q, deadlines: today...last, states: q.states ?? [.open], records: records, body)
    }

    /// Occurrences whose deadline passed before `q.at` since tracking began; by default the late ones
    /// (open past the deadline). In the order of `upcoming`.
    package func overdue(_ q: OccurrenceQuery, records: DutyRecords) throws -> [Occurrence] {
        var out: [Occurrence] = []
        try eachOverdue(q, records: records) { out.append($0) }
        return out
    }

    /// `overdue`, one occurrence at a time.
    package func eachOverdue(
        _ q: OccurrenceQuery,
        records: DutyRecords,
        _ body: (Occurrence) throws -> Void
    ) throws {
        let today = zone.day(of: q.at)
        // An unknown unit is an error even before anything is tracked.
        _ = try scope(q)
        guard let from = firstTrackedDay, from <= today else { return }
        try each(q, deadlines: from...today, states: q.states ?? [.late], records: records) {
            // The deadline day itself counts once its end has passed.
            if $0.timing.deadline < q.at { try body($0) }
        }
    }

    /// The occurrences in `q`'s scope with a deadline day in `days` and one of `states` at `q.at`, in
    /// order, one at a time.
    private func each(
        _ q: OccurrenceQuery,
        deadlines days: ClosedRange<CivilDate>,
        states: Set<Occurrence.State>,
        records: DutyRecords,
        _ body: (Occurrence) throws -> Void
    ) throws {
        let scope = try scope(q)
        try plan(from: days.lowerBound, through: days.upperBound, records: records).forEachOccurrenceInOrder(
            deadlines: days.lowerBound,
            through: days.upperBound,
            scope: scope
        ) {
            if states.contains($0.state(at: q.at)) { try body($0) }
        }
    }
}
