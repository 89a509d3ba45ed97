package import DutyCore

extension Planner {
    /// The occurrences a completion starts (obligations triggered by completing its obligation).
    package func occurrences(triggeredBy id: OccurrenceID, records: DutyRecords) -> [Occurrence] {
        var out: [Occurrence] = []
        for ob in policy.obligations {
            guard case .completion(let of, _) = ob.deadline, of == id.obligation else { continue }
            let next = OccurrenceID(obligation: ob.id, subject: id.subject, period: id.period)
            if let o = occurrence(next, records: records) { out.append(o) }
        }
        return out
    }

    /// The occurrences an event starts.
    package func occurrences(triggeredBy event: Event, records: DutyRecords) -> [Occurrence] {
        var out: [Occurrence] = []
        for ob in policy.obligations {
            guard case .event(let kind, _) = ob.deadline, kind == event.kind else { continue }
            let next = OccurrenceID(obligation: ob.id, subject: event.unit, period: event.id)
            if let o = occurrence(next, records: records) { out.append(o) }
        }
        return out
    }
}
