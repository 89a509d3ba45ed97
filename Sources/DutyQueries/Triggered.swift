package import DutyCore

extension Planner {
    /// The occurrences a completion starts (obligations triggered by completing its obligation).
    package func occurrences(triggeredBy id: OccurrenceID, records: DutyRecords) -> [Occurrence] {
        started(records) { ob in
            guard case .completion(let of, _) = ob.deadline, of == id.obligation else { return nil }
            return OccurrenceID(obligation: ob.id, subject: id.subject, period: id.period)
        }
    }

    /// The occurrences an event starts.
    package func occurrences(triggeredBy event: Event, records: DutyRecords) -> [Occurrence] {
        started(records) { ob in
            guard case .event(let kind, _) = ob.deadline, kind == event.kind else { return nil }
            return OccurrenceID(obligation: ob.id, subject: event.unit, period: event.id)
        }
    }

    /// The occurrences, among those `id` names for each obligation, that exist.
    private func started(_ records: DutyRecords, _ id: (Obligation) -> OccurrenceID?) -> [Occurrence] {
        policy.obligations.compactMap(id).compactMap { occurrence($0, records: records) }
    }
}
