package import DutyCalendar

/// What was done for an occurrence: `dutyctl done`.
package struct Completion: Sendable, Hashable {
    package var occurrence: OccurrenceID
    /// The day the duty was carried out.
    package var on: CivilDate
    /// When it was recorded.
    package var recordedAt: Instant
    /// Who recorded it (the Unix user).
    package var by: String
    /// Reference number of the report or minutes (文号), optional.
    package var reference: String?
    package var note: String?

    package init(
        occurrence: OccurrenceID,
        on: CivilDate,
        recordedAt: Instant,
        by: String,
        reference: String? = nil,
        note: String? = nil
    ) {
        self.occurrence = occurrence
        self.on = on
        self.recordedAt = recordedAt
        self.by = by
        self.reference = reference
        self.note = note
    }
}

/// An occurrence that will not be done, and why: `dutyctl waive`.
package struct Waiver: Sendable, Hashable {
    package var occurrence: OccurrenceID
    package var reason: String
    package var recordedAt: Instant
    package var by: String

    package init(occurrence: OccurrenceID, reason: String, recordedAt: Instant, by: String) {
        self.occurrence = occurrence
        self.reason = reason
        self.recordedAt = recordedAt
        self.by = by
    }
}

/// Something that happened at a unit and starts a deadline: `dutyctl event record`.
package struct Event: Sendable, Hashable {
    /// `major-situation-2026-11-29`, unique per unit.
    package var id: String
    package var kind: String
    package var unit: String
    package var on: CivilDate
    package var recordedAt: Instant
    package var by: String
    package var note: String?

    package init(
        id: String,
        kind: String,
        unit: String,
        on: CivilDate,
        recordedAt: Instant,
        by: String,
        note: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.unit = unit
        self.on = on
        self.recordedAt = recordedAt
        self.by = by
        self.note = note
    }
}

/// An occurrence open again: its completion or waiver was undone (`dutyctl undo`). The steps it
/// skipped meanwhile are not lost: the dispatcher sends the latest one that passed, once.
package struct Reopening: Sendable, Hashable {
    package var occurrence: OccurrenceID
    /// When the undo was recorded (the latest one, if several).
    package var at: Instant
    package var by: String

    package init(occurrence: OccurrenceID, at: Instant, by: String) {
        self.occurrence = occurrence
        self.at = at
        self.by = by
    }
}

/// That the people responsible have received a duty's notice (签收): `dutyctl ack`.
package struct Receipt: Sendable, Hashable {
    package var occurrence: OccurrenceID
    /// When it was recorded.
    package var at: Instant
    /// Who received it: an official's id, or the user who recorded it.
    package var by: String
    /// How it came: `cli-direct`, `api`, `web`, `mail`.
    package var how: String

    package init(occurrence: OccurrenceID, at: Instant, by: String, how: String) {
        self.occurrence = occurrence
        self.at = at
        self.by = by
        self.how = how
    }
}

/// A request to move an occurrence's deadline (延期), and its decision: `dutyctl extend`.
package struct ExtensionRequest: Sendable, Hashable {
    package enum State: String, Sendable, CaseIterable {
        case pending
        case approved
        case denied
    }

    /// The store's number; people see `ext-12`.
    package var number: Int64
    package var occurrence: OccurrenceID
    /// The new deadline day asked for.
    package var until: CivilDate
    package var reason: String
    package var requestedAt: Instant
    /// An official's id, or the user who recorded it.
    package var requestedBy: String
    /// How it came: `cli-direct`, `api`, `web`.
    package var how: String
    package var state: State
    package var decidedAt: Instant?
    package var decidedBy: String?
    package var note: String?

    package init(
        number: Int64,
        occurrence: OccurrenceID,
        until: CivilDate,
        reason: String,
        requestedAt: Instant,
        requestedBy: String,
        how: String,
        state: State = .pending,
        decidedAt: Instant? = nil,
        decidedBy: String? = nil,
        note: String? = nil
    ) {
        self.number = number
        self.occurrence = occurrence
        self.until = until
        self.reason = reason
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.how = how
        self.state = state
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.note = note
    }

    /// `ext-12`.
    package var id: String { "ext-\(number)" }

    /// The number in `ext-12` (or `12`).
    package static func number(_ id: String) -> Int64? {
        let digits = id.hasPrefix("ext-") ? id.dropFirst(4) : Substring(id)
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(\.isASCII), let n = Int64(digits), n > 0 else {
            return nil
        }
        return n
    }
}

/// Everything recorded that changes occurrences: completions, waivers and events, undos, receipts,
/// extensions.
package struct DutyRecords: Sendable {
    package var completions: [Completion]
    package var waivers: [Waiver]
    package var events: [Event]
    package var reopenings: [Reopening]
    package var receipts: [Receipt]
    /// Extension requests (延期), in the order they were made.
    package var extensions: [ExtensionRequest]

    package init(
        completions: [Completion] = [],
        waivers: [Waiver] = [],
        events: [Event] = [],
        reopenings: [Reopening] = [],
        receipts: [Receipt] = [],
        extensions: [ExtensionRequest] = []
    ) {
        self.completions = completions
        self.waivers = waivers
        self.events = events
        self.reopenings = reopenings
        self.receipts = receipts
        self.extensions = extensions
    }
}

/// `obligation/subject/period`, the readable, stable name of an occurrence:
/// `semiannual-report/gd.gz/2026-H2`, `standing-committee-study/gd.gz/2026-c1`,
/// `major-situation-report/gd.gz/major-situation-2026-11-29`.
package struct OccurrenceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var obligation: String
    package var subject: String
    package var period: String

    package init(obligation: String, subject: String, period: String) {
        self.obligation = obligation
        self.subject = subject
        self.period = period
    }

    /// Splits `a/b/c`; `nil` unless there are exactly three non-empty parts.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts.contains(where: \.isEmpty) else { return nil }
        self.init(obligation: String(parts[0]), subject: String(parts[1]), period: String(parts[2]))
    }

    package var description: String { "\(obligation)/\(subject)/\(period)" }

    package static func < (a: OccurrenceID, b: OccurrenceID) -> Bool { a.description < b.description }
}
