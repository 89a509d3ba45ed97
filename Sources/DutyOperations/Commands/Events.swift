package import DutyCalendar
package import DutyCore
import DutyFiles
import DutyQueries
package import DutyStore
import Foundation

// `event record|ls|rm`: the events that trigger deadlines: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// `event record KIND --unit ID [--on DATE] [--id ID] [--note TEXT]`.
package struct EventRequest: Codable, Sendable {
    package var kind: String
    package var unit: String
    package var on: String?
    package var id: String?
    package var note: String?

    package init(kind: String, unit: String) {
        self.kind = kind
        self.unit = unit
    }
}

package struct EventAnswer: Codable, Sendable {
    package var event: String
    package var unit: String
    package var kind: String
    package var on: String
    package var starts: [DoneAnswer.Started]
}

/// `event ls [--unit ID]`.
package struct EventQuery: Codable, Sendable {
    package var unit: String?

    package init(unit: String?) { self.unit = unit }
}

/// `{"events": [...]}` is what `event ls --json` prints.
package struct EventList: Codable, Sendable {
    package struct Item: Codable, Sendable {
        package var id, kind, unit, on, by: String
        package var note: String?
    }
    package var events: [Item]
}

/// `event rm ID --unit ID`.
package struct EventRemoval: Codable, Sendable {
    package var id: String
    package var unit: String

    package init(id: String, unit: String) {
        self.id = id
        self.unit = unit
    }
}

extension Workspace {
    /// `event record`: the event, by `by`, and the occurrences it starts.
    package func recordEvent(
        _ r: EventRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> EventAnswer {
        let kinds = policy.eventKinds
        guard kinds.contains(r.kind) else {
            throw Failure(
                ExitStatus.usage,
                "no obligation is triggered by events of kind '\(shown(r.kind))'; expected one of \(kinds.sorted().joined(separator: ", "))"
            )
        }
        if let id = r.id, let p = Identifier.problem(id) { throw Failure(ExitStatus.usage, "--id: \(p)") }
        let today = settings.timezone.day(of: now)
        let day = try r.on.map { try parseDate($0, option: "--on") } ?? today
        if day > today { throw Failure(ExitStatus.usage, "--on \(day) is in the future") }
        let u = try planner.organisation.number(ofUnit: r.unit)
        let triggered = planner.policy.obligations.indices.filter { obligation in
            if case .event(let k, _) = planner.policy.obligations[obligation].deadline, k == r.kind {
                return planner.isSubject(u, of: obligation)
            }
            return false
        }
        if triggered.isEmpty {
            throw Failure(
                ExitStatus.dataError,
                "no obligation applies to '\(shown(r.kind))' events at \(r.unit) (kind \(planner.organisation.units[Int(u)].kind)); nothing recorded"
            )
        }
        let event = try store.record(
            Event(id: r.id ?? "", kind: r.kind, unit: r.unit, on: day, recordedAt: now, by: by, note: r.note)
        )
        // The store has the event now: the occurrences it starts are planned from what it holds.
        let after = try store.records()
        return EventAnswer(
            event: event.id,
            unit: r.unit,
            kind: r.kind,
            on: day.description,
            starts: planner.occurrences(triggeredBy: event, records: after).map {
                .init(id: $0.id.description, due: $0.timing.date.description, weekday: $0.timing.date.weekday.shortName)
            }
        )
    }

    /// `event ls`: each event (of `unit`, or all) to `emit`, in the order they were recorded.
    package func events(
        unit: String?,
        records: DutyRecords,
        _ emit: (EventList.Item) throws -> Void
    ) throws -> RowCount {
        var count = 0
        for e in records.events where unit == nil || e.unit == unit {
            count += 1
            try emit(.init(id: e.id, kind: e.kind, unit: e.unit, on: e.on.description, by: e.by, note: e.note))
        }
        return RowCount(count: count)
    }

    /// `event rm`.
    package func removeEvent(_ r: EventRemoval, store: DutyStore) throws {
        try store.removeEvent(unit: r.unit, id: r.id)
    }
}

/// `event ls`.
package enum ListEvents: RowsOperation {
    package typealias Request = EventQuery
    package typealias Answer = EventList
    package static let route = "events"
    package static let access = Access.read
    package static let command = ["event", "ls"]
    package static let rowsKey = "events"
    package static func rows(
        _ r: EventQuery,
        _ c: OperationContext,
        _ emit: (EventList.Item) throws -> Void
    ) throws -> RowCount {
        try c.workspace.events(unit: r.unit, records: try c.records(), emit)
    }
    package static func answer(rows: [EventList.Item], ending: RowCount) -> EventList {
        EventList(events: rows)
    }
}

/// `event record`.
package enum RecordEvent: DutyOperation {
    package static let route = "events"
    package static let access = Access.write
    package static let command = ["event", "record"]
    package static func perform(_ r: EventRequest, _ c: OperationContext) throws -> EventAnswer {
        try c.workspace.recordEvent(r, store: c.store, planner: try c.planner(), by: c.user, now: c.now)
    }
    package static func journal(_ r: EventRequest, _ a: EventAnswer) -> (message: String, fields: [String: String]) {
        ("recorded event \(a.event) (\(a.kind)) at \(a.unit) on \(a.on)", ["DUTY_UNIT": a.unit])
    }
}

/// `event rm`.
package enum RemoveEvent: DutyOperation {
    package static let route = "events/remove"
    package static let access = Access.write
    package static let command = ["event", "rm"]
    package static func perform(_ r: EventRemoval, _ c: OperationContext) throws -> EventRemoval {
        try c.workspace.removeEvent(r, store: c.store)
        return r
    }
    package static func journal(_ r: EventRemoval, _ a: EventRemoval) -> (message: String, fields: [String: String]) {
        ("removed event \(r.id) at \(r.unit)", ["DUTY_UNIT": r.unit])
    }
}
