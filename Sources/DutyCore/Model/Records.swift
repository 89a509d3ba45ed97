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
