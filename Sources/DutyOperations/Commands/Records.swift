package import DutyCalendar
package import DutyCore
import DutyFiles
import DutyQueries
package import DutyStore
import Foundation

// `done`, `waive` and `undo`: what was recorded for an occurrence: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// `done OCCURRENCE [--on DATE] [--ref TEXT] [--note TEXT]`.
package struct DoneRequest: Codable, Sendable {
    package var occurrence: String
    package var on: String?
    package var ref: String?
    package var note: String?

    package init(occurrence: String) { self.occurrence = occurrence }
}

package struct DoneAnswer: Codable, Sendable {
    package struct Started: Codable, Sendable {
        package var id: String
        package var due: String
        package var weekday: String
    }
    package var occurrence: String
    package var doneOn: String
    package var deadline: String
    /// Days after the deadline day; 0 when on time.
    package var lateDays: Int
    package var starts: [Started]

    enum CodingKeys: String, CodingKey {
        case occurrence, deadline, starts
        case doneOn = "done_on"
        case lateDays = "late_days"
    }
}

/// `waive OCCURRENCE --reason TEXT`.
package struct WaiveRequest: Codable, Sendable {
    package var occurrence: String
    package var reason: String

    package init(occurrence: String, reason: String) {
        self.occurrence = occurrence
        self.reason = reason
    }
}

/// `{"occurrence": ..., "waived": reason}`, what `waive --json` prints.
package struct WaiveAnswer: Codable, Sendable {
    package var occurrence: String
    package var waived: String
}

/// `undo OCCURRENCE`.
package struct UndoRequest: Codable, Sendable {
    package var occurrence: String

    package init(occurrence: String) { self.occurrence = occurrence }
}

/// `{"occurrence": ..., "undone": "the completion of 2026-12-20"}`, what `undo --json` prints.
package struct UndoAnswer: Codable, Sendable {
    package var occurrence: String
    package var undone: String
}

extension Workspace {
    /// `waive`: records that the occurrence will not be done, and why, by `by`.
    package func waive(
        _ r: WaiveRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> WaiveAnswer {
        guard !r.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Failure(ExitStatus.usage, "--reason: say why the occurrence is waived")
        }
        let found = try locate(r.occurrence, planner: planner, records: try store.records())
        try store.waive(Waiver(occurrence: found.id, reason: r.reason, recordedAt: now, by: by))
        return WaiveAnswer(occurrence: found.id.description, waived: r.reason)
    }

    /// `undo`: takes back the latest completion or waiver.
    package func undo(_ r: UndoRequest, store: DutyStore, by: String, now: Instant) throws -> UndoAnswer {
        guard let id = OccurrenceID(r.occurrence) else {
            throw Failure(
                ExitStatus.usage,
                "'\(shown(r.occurrence))' is not an occurrence id; expected obligation/subject/period"
            )
        }
        let what: String
        switch try store.undo(id, at: now, by: by) {
        case .completion(let d): what = "the completion of \(d)"
        case .waiver: what = "the waiver"
        }
        return UndoAnswer(occurrence: id.description, undone: what)
    }

    /// Whether `found` may be recorded as done, as `done` and `done --import` check it: not waived,
    /// not done already (a quota's checkpoint: not met already). Returns whether it is a quota's,
    /// which counts each completion once more.
    static func completable(_ found: Occurrence, planner: Planner) throws -> Bool {
        var repeatable = false
        if case .quota = planner.policy.obligations[found.obligation].deadline { repeatable = true }
        if found.waiver != nil {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) is waived; `dutyctl undo \(found.id)` first to record it as done"
            )
        }
        if let done = found.completion {
            throw Failure(
                ExitStatus.dataError,
                repeatable
                    ? "\(found.id) is met already (\(done.on)); record further completions against the next checkpoint"
                    : "\(found.id) was already recorded as done on \(done.on); `dutyctl undo \(found.id)` first to change it"
            )
        }
        return repeatable
    }

    /// `done`: records the completion by `by` and says what it starts. `planner` is over the
    /// organisation in `store`.
    package func recordDone(
        _ r: DoneRequest,
        store: DutyStore,
        planner: Planner,
        by: String,
        now: Instant
    ) throws -> DoneAnswer {
        let records = try store.records()
        let found = try locate(r.occurrence, planner: planner, records: records)
        let today = settings.timezone.day(of: now)
        let day = try r.on.map { try parseDate($0, option: "--on") } ?? today
        if day > today {
            throw Failure(ExitStatus.usage, "--on \(day) is in the future; record it when it is done")
        }
        let repeatable = try Self.completable(found, planner: planner)
        let c = Completion(occurrence: found.id, on: day, recordedAt: now, by: by, reference: r.ref, note: r.note)
        try store.complete(c, repeatable: repeatable)
        // What the completion starts: the organisation is unchanged, so the same planner answers.
        var after = records
        after.completions.append(c)
        let starts = planner.occurrences(triggeredBy: found.id, records: after)
        return DoneAnswer(
            occurrence: found.id.description,
            doneOn: day.description,
            deadline: found.timing.date.description,
            lateDays: max(0, day.daysSinceEpoch - found.timing.date.daysSinceEpoch),
            starts: starts.map {
                .init(id: $0.id.description, due: $0.timing.date.description, weekday: $0.timing.date.weekday.shortName)
            }
        )
    }
}

/// `done`: an occurrence carried out.
package enum RecordDone: DutyOperation {
    package static let route = "done"
    package static let access = Access.write
    package static let command = ["done"]
    package static func perform(_ r: DoneRequest, _ c: OperationContext) throws -> DoneAnswer {
        try c.workspace.recordDone(r, store: c.store, planner: try c.planner(), by: c.user, now: c.now)
    }
    package static func journal(_ r: DoneRequest, _ a: DoneAnswer) -> (message: String, fields: [String: String]) {
        ("done \(a.occurrence) on \(a.doneOn)", ["DUTY_OCCURRENCE": a.occurrence])
    }
}

/// `waive`: an occurrence that need not be done, and why.
package enum Waive: DutyOperation {
    package static let route = "waive"
    package static let access = Access.write
    package static let command = ["waive"]
    package static func perform(_ r: WaiveRequest, _ c: OperationContext) throws -> WaiveAnswer {
        try c.workspace.waive(r, store: c.store, planner: try c.planner(), by: c.user, now: c.now)
    }
    package static func journal(_ r: WaiveRequest, _ a: WaiveAnswer) -> (message: String, fields: [String: String]) {
        ("waived \(a.occurrence): \(a.waived)", ["DUTY_OCCURRENCE": a.occurrence])
    }
}

/// `undo`: the latest completion or waiver taken back.
package enum Undo: DutyOperation {
    package static let route = "undo"
    package static let access = Access.write
    package static let command = ["undo"]
    package static func perform(_ r: UndoRequest, _ c: OperationContext) throws -> UndoAnswer {
        try c.workspace.undo(r, store: c.store, by: c.user, now: c.now)
    }
    package static func journal(_ r: UndoRequest, _ a: UndoAnswer) -> (message: String, fields: [String: String]) {
        ("undid \(a.undone) of \(a.occurrence)", ["DUTY_OCCURRENCE": a.occurrence])
    }
}
