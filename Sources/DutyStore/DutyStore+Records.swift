package import DutyCalendar
package import DutyCore

extension DutyStore {
    /// Every completion, waiver and event.
    package func records() throws(StoreError) -> DutyRecords {
        try read { db in
            var r = DutyRecords()
            try db.stream(
                "SELECT occurrence, done_on, recorded_at, recorded_by, reference, note FROM completion ORDER BY seq",
                []
            ) { row in
                r.completions.append(
                    Completion(
                        occurrence: try Self.storedOccurrence(try row.string(0), "completion.occurrence"),
                        on: try Self.storedDay(try row.string(1), "completion.done_on"),
                        recordedAt: Instant(microseconds: try row.int(2)),
                        by: try row.string(3),
                        reference: try row.text(4),
                        note: try row.text(5)
                    )
                )
            }
            try db.stream("SELECT occurrence, reason, recorded_at, recorded_by FROM waiver", []) { row in
                r.waivers.append(
                    Waiver(
                        occurrence: try Self.storedOccurrence(try row.string(0), "waiver.occurrence"),
                        reason: try row.string(1),
                        recordedAt: Instant(microseconds: try row.int(2)),
                        by: try row.string(3)
                    )
                )
            }
            try db.stream(
                "SELECT id, kind, unit, occurred_on, recorded_at, recorded_by, note FROM event ORDER BY occurred_on, unit, id",
                []
            ) { row in
                r.events.append(
                    Event(
                        id: try row.string(0),
                        kind: try row.string(1),
                        unit: try row.string(2),
                        on: try Self.storedDay(try row.string(3), "event.occurred_on"),
                        recordedAt: Instant(microseconds: try row.int(4)),
                        by: try row.string(5),
                        note: try row.text(6)
                    )
                )
            }
            try db.stream("SELECT occurrence, received_at, received_by, how FROM receipt", []) { row in
                r.receipts.append(
                    Receipt(
                        occurrence: try Self.storedOccurrence(try row.string(0), "receipt.occurrence"),
                        at: Instant(microseconds: try row.int(1)),
                        by: try row.string(2),
                        how: try row.string(3)
                    )
                )
            }
            r.extensions = try Self.extensionRequests(db, where: "TRUE", [])
            try db.stream("SELECT occurrence, reopened_at, reopened_by FROM reopening", []) { row in
                guard let id = OccurrenceID(try row.string(0)) else { return }
                r.reopenings.append(
                    Reopening(occurrence: id, at: Instant(microseconds: try row.int(1)), by: try row.string(2))
                )
            }
            return r
        }
    }

    /// Records a completion. An occurrence that is not a quota's is completed once: a second `done` is
    /// refused (undo the first to correct it). With `repeatable` (quotas), each call counts once more.
    package func complete(_ c: Completion, repeatable: Bool) throws(StoreError) {
        try change(.records) { db, audit in
            if !repeatable,
                let on = try db.text(
                    "SELECT done_on FROM completion WHERE occurrence = ?",
                    [.text(c.occurrence.description)]
                )
            {
                throw StoreError(
                    .conflict,
                    "\(c.occurrence) was already recorded as done on \(on); `dutyctl undo \(c.occurrence)` first to change it"
                )
            }
            try db.execute(Self.insertCompletion, Self.values(c))
            try audit.append("done", occurrence: c.occurrence.description, Self.fields(c))
        }
    }

    /// Records many completions in one transaction (`done --import`): all or none. One that is not a
    /// quota's (`repeatable`) and is done already, or waived, is refused with its occurrence as the
    /// error's `id`, and nothing is recorded. Each gets its audit row, marked `import`.
    package func completeMany(_ items: [(completion: Completion, repeatable: Bool)]) throws(StoreError) {
        // Nothing to record changes nothing: no transaction, no revision, no audit row.
        guard !items.isEmpty else { return }
        try change(.records) { db, audit in
            let done = Set(try db.streamAll("SELECT occurrence FROM completion") { try $0.string(0) })
            let waived = Set(try db.streamAll("SELECT occurrence FROM waiver") { try $0.string(0) })
            var seen = Set<String>()
            var rows: [[SQLValue]] = []
            for (c, repeatable) in items {
                let id = c.occurrence.description
                if !repeatable && (done.contains(id) || !seen.insert(id).inserted) {
                    throw StoreError(
                        .conflict,
                        "\(id) is recorded as done already; `dutyctl undo \(id)` first to change it",
                        id: id
                    )
                }
                if waived.contains(id) {
                    throw StoreError(
                        .conflict,
                        "\(id) is waived; `dutyctl undo \(id)` first to record it as done",
                        id: id
                    )
                }
                rows.append(Self.values(c))
                var fields = Self.fields(c)
                fields["by"] = c.by
                try audit.append("done", occurrence: id, how: "import", fields)
            }
            try db.insert(
                into: "completion",
                ["occurrence", "done_on", "recorded_at", "recorded_by", "reference", "note"],
                rows,
                suffix: ""
            )
        }
    }

    /// Records receipt (签收) of an occurrence; a second one is refused, naming the first.
    package func acknowledge(_ r: Receipt) throws(StoreError) {
        try change(.records) { db, audit in
            if let by = try db.text(
                "SELECT received_by FROM receipt WHERE occurrence = ?",
                [.text(r.occurrence.description)]
            ) {
                throw StoreError(.conflict, "\(r.occurrence) was received already by \(by); a receipt is given once")
            }
            try db.execute(
                "INSERT INTO receipt (occurrence, received_at, received_by, how) VALUES (?, ?, ?, ?)",
                [.text(r.occurrence.description), .integer(Int64(r.at.microseconds)), .text(r.by), .text(r.how)]
            )
            try audit.append("ack", occurrence: r.occurrence.description, ["by": r.by])
        }
    }

    /// What `undo` removed.
    package enum Undone: Sendable, Equatable {
        case completion(CivilDate)
        case waiver
    }

    /// Removes the latest completion of an occurrence, or else its waiver, and notes when it was
    /// reopened (`at`, by `by`), so the steps it skipped are not lost.
    package func undo(_ id: OccurrenceID, at: Instant, by: String) throws(StoreError) -> Undone {
        try change(.records) { db, audit in
            func reopened() throws {
                try db.execute(
                    """
                    INSERT INTO reopening (occurrence, reopened_at, reopened_by) VALUES (?, ?, ?)
                    ON CONFLICT(occurrence) DO UPDATE SET reopened_at = excluded.reopened_at,
                        reopened_by = excluded.reopened_by
                    """,
                    [.text(id.description), .integer(Int64(at.microseconds)), .text(by)]
                )
            }
            if let row = try db.first(
                "SELECT seq, done_on FROM completion WHERE occurrence = ? ORDER BY seq DESC LIMIT 1",
                [.text(id.description)],
                { (try $0.int(0), try $0.string(1)) }
            ) {
                try db.execute("DELETE FROM completion WHERE seq = ?", [.integer(Int64(row.0))])
                try reopened()
                let day = try Self.storedDay(row.1, "completion.done_on")
                try audit.append("undo", occurrence: id.description, ["removed": "done on \(day)"])
                return .completion(day)
            }
            if try db.execute("DELETE FROM waiver WHERE occurrence = ?", [.text(id.description)]) > 0 {
                try reopened()
                try audit.append("undo", occurrence: id.description, ["removed": "waiver"])
                return .waiver
            }
            throw StoreError(.notFound, "nothing is recorded for \(id): it is neither done nor waived")
        }
    }

    package func waive(_ w: Waiver) throws(StoreError) {
        try change(.records) { db, audit in
            if try db.exists("SELECT 1 FROM completion WHERE occurrence = ?", [.text(w.occurrence.description)]) {
                throw StoreError(
                    .conflict,
                    "\(w.occurrence) is recorded as done; `dutyctl undo \(w.occurrence)` first to waive it instead"
                )
            }
            try db.execute(
                """
                INSERT INTO waiver (occurrence, reason, recorded_at, recorded_by) VALUES (?, ?, ?, ?)
                ON CONFLICT(occurrence) DO UPDATE SET reason = excluded.reason, recorded_at = excluded.recorded_at,
                    recorded_by = excluded.recorded_by
                """,
                [
                    .text(w.occurrence.description), .text(w.reason), .integer(Int64(w.recordedAt.microseconds)),
                    .text(w.by),
                ]
            )
            try audit.append("waive", occurrence: w.occurrence.description, ["reason": w.reason])
        }
    }

    /// Records an event. With an empty id, the id is `KIND-DATE`, then `KIND-DATE-2`, … for the same
    /// unit and day. Returns the event as stored.
    package func record(_ e: Event) throws(StoreError) -> Event {
        try change(.records) { db, audit in
            guard try Self.exists(db, "unit", e.unit) else {
                throw StoreError(.notFound, "no unit '\(shown(e.unit))'; `dutyctl unit ls` lists them")
            }
            var event = e
            if event.id.isEmpty {
                let base = "\(e.kind)-\(e.on)"
                var id = base
                var n = 1
                while try db.exists("SELECT 1 FROM event WHERE unit = ? AND id = ?", [.text(e.unit), .text(id)]) {
                    n += 1
                    id = "\(base)-\(n)"
                }
                event.id = id
            } else if try db.exists("SELECT 1 FROM event WHERE unit = ? AND id = ?", [.text(e.unit), .text(e.id)]) {
                throw StoreError(.conflict, "unit '\(shown(e.unit))' already has an event '\(shown(e.id))'")
            }
            try db.execute(
                "INSERT INTO event (unit, id, kind, occurred_on, recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(event.unit), .text(event.id), .text(event.kind), .text(event.on.description),
                    .integer(Int64(event.recordedAt.microseconds)), .text(event.by), SQLValue(event.note),
                ]
            )
            var fields = ["id": event.id, "kind": event.kind, "on": event.on.description]
            if let note = event.note { fields["note"] = note }
            try audit.append("event-record", unit: event.unit, fields)
            return event
        }
    }

    /// Removes an event (a mistaken record); its triggered occurrences disappear with it.
    package func removeEvent(unit: String, id: String) throws(StoreError) {
        try change(.records) { db, audit in
            if try db.execute("DELETE FROM event WHERE unit = ? AND id = ?", [.text(unit), .text(id)]) == 0 {
                throw StoreError(.notFound, "unit '\(shown(unit))' has no event '\(shown(id))'")
            }
            try audit.append("event-remove", unit: unit, ["id": id])
        }
    }

    static let insertCompletion =
        "INSERT INTO completion (occurrence, done_on, recorded_at, recorded_by, reference, note) VALUES (?, ?, ?, ?, ?, ?)"

    static func values(_ c: Completion) -> [SQLValue] {
        [
            .text(c.occurrence.description), .text(c.on.description), .integer(Int64(c.recordedAt.microseconds)),
            .text(c.by), SQLValue(c.reference), SQLValue(c.note),
        ]
    }

    /// A completion's fields for the audit trail.
    static func fields(_ c: Completion) -> [String: String] {
        var fields = ["on": c.on.description]
        if let r = c.reference { fields["reference"] = r }
        if let n = c.note { fields["note"] = n }
        return fields
    }
}
