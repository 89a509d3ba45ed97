package import DutyCalendar
package import DutyCore
import GRDB

extension DutyStore {
    /// Every completion, waiver and event.
    package func records() throws(StoreError) -> DutyRecords {
        try read { db in
            var r = DutyRecords()
            let c = try Row.fetchCursor(
                db,
                sql:
                    "SELECT occurrence, done_on, recorded_at, recorded_by, reference, note FROM completion ORDER BY seq"
            )
            while let row = try c.next() {
                r.completions.append(
                    Completion(
                        occurrence: try Self.storedOccurrence(row[0], "completion.occurrence"),
                        on: try Self.storedDay(row[1], "completion.done_on"),
                        recordedAt: Instant(microseconds: row[2]),
                        by: row[3],
                        reference: row[4],
                        note: row[5]
                    )
                )
            }
            let w = try Row.fetchCursor(db, sql: "SELECT occurrence, reason, recorded_at, recorded_by FROM waiver")
            while let row = try w.next() {
                r.waivers.append(
                    Waiver(
                        occurrence: try Self.storedOccurrence(row[0], "waiver.occurrence"),
                        reason: row[1],
                        recordedAt: Instant(microseconds: row[2]),
                        by: row[3]
                    )
                )
            }
            let e = try Row.fetchCursor(
                db,
                sql:
                    "SELECT id, kind, unit, occurred_on, recorded_at, recorded_by, note FROM event ORDER BY occurred_on, unit, id"
            )
            while let row = try e.next() {
                let on = try Self.storedDay(row[3], "event.occurred_on")
                r.events.append(
                    Event(
                        id: row[0],
                        kind: row[1],
                        unit: row[2],
                        on: on,
                        recordedAt: Instant(microseconds: row[4]),
                        by: row[5],
                        note: row[6]
                    )
                )
            }
            let k = try Row.fetchCursor(db, sql: "SELECT occurrence, received_at, received_by, how FROM receipt")
            while let row = try k.next() {
                r.receipts.append(
                    Receipt(
                        occurrence: try Self.storedOccurrence(row[0], "receipt.occurrence"),
                        at: Instant(microseconds: row[1]),
                        by: row[2],
                        how: row[3]
                    )
                )
            }
            r.extensions = try Self.extensionRequests(db, where: "1", [])
            let o = try Row.fetchCursor(db, sql: "SELECT occurrence, reopened_at, reopened_by FROM reopening")
            while let row = try o.next() {
                guard let id = OccurrenceID(row[0] as String) else { continue }
                r.reopenings.append(Reopening(occurrence: id, at: Instant(microseconds: row[1]), by: row[2]))
            }
            return r
        }
    }

    /// Records a completion. An occurrence that is not a quota's is completed once: a second `done` is
    /// refused (undo the first to correct it). With `repeatable` (quotas), each call counts once more.
    package func complete(_ c: Completion, repeatable: Bool) throws(StoreError) {
        try change(.records) { db, audit in
            if !repeatable,
                let on = try String.fetchOne(
                    db,
                    sql: "SELECT done_on FROM completion WHERE occurrence = ?",
                    arguments: [c.occurrence.description]
                )
            {
                throw StoreError(
                    .conflict,
                    "\(c.occurrence) was already recorded as done on \(on); `dutyctl undo \(c.occurrence)` first to change it"
                )
            }
            try db.execute(
                sql:
                    "INSERT INTO completion (occurrence, done_on, recorded_at, recorded_by, reference, note) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    c.occurrence.description, c.on.description, c.recordedAt.microseconds, c.by, c.reference, c.note,
                ]
            )
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
            let done = Set(try String.fetchAll(db, sql: "SELECT occurrence FROM completion"))
            let waived = Set(try String.fetchAll(db, sql: "SELECT occurrence FROM waiver"))
            let insert = try db.cachedStatement(
                sql:
                    "INSERT INTO completion (occurrence, done_on, recorded_at, recorded_by, reference, note) VALUES (?, ?, ?, ?, ?, ?)"
            )
            var seen = Set<String>()
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
                try insert.execute(arguments: [
                    id, c.on.description, c.recordedAt.microseconds, c.by, c.reference, c.note,
                ])
                var fields = Self.fields(c)
                fields["by"] = c.by
                try audit.append("done", occurrence: id, how: "import", fields)
            }
        }
    }

    /// Records receipt (签收) of an occurrence; a second one is refused, naming the first.
    package func acknowledge(_ r: Receipt) throws(StoreError) {
        try change(.records) { db, audit in
            if let by = try String.fetchOne(
                db,
                sql: "SELECT received_by FROM receipt WHERE occurrence = ?",
                arguments: [r.occurrence.description]
            ) {
                throw StoreError(.conflict, "\(r.occurrence) was received already by \(by); a receipt is given once")
            }
            try db.execute(
                sql: "INSERT INTO receipt (occurrence, received_at, received_by, how) VALUES (?, ?, ?, ?)",
                arguments: [r.occurrence.description, r.at.microseconds, r.by, r.how]
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
                    sql: "INSERT OR REPLACE INTO reopening (occurrence, reopened_at, reopened_by) VALUES (?, ?, ?)",
                    arguments: [id.description, at.microseconds, by]
                )
            }
            if let row = try Row.fetchOne(
                db,
                sql: "SELECT seq, done_on FROM completion WHERE occurrence = ? ORDER BY seq DESC LIMIT 1",
                arguments: [id.description]
            ) {
                try db.execute(sql: "DELETE FROM completion WHERE seq = ?", arguments: [row[0] as Int64])
                try reopened()
                let day = try Self.storedDay(row[1], "completion.done_on")
                try audit.append("undo", occurrence: id.description, ["removed": "done on \(day)"])
                return .completion(day)
            }
            try db.execute(sql: "DELETE FROM waiver WHERE occurrence = ?", arguments: [id.description])
            if db.changesCount > 0 {
                try reopened()
                try audit.append("undo", occurrence: id.description, ["removed": "waiver"])
                return .waiver
            }
            throw StoreError(.notFound, "nothing is recorded for \(id): it is neither done nor waived")
        }
    }

    package func waive(_ w: Waiver) throws(StoreError) {
        try change(.records) { db, audit in
            if try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS(SELECT 1 FROM completion WHERE occurrence = ?)",
                arguments: [w.occurrence.description]
            ) == true {
                throw StoreError(
                    .conflict,
                    "\(w.occurrence) is recorded as done; `dutyctl undo \(w.occurrence)` first to waive it instead"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO waiver (occurrence, reason, recorded_at, recorded_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT(occurrence) DO UPDATE SET reason = excluded.reason, recorded_at = excluded.recorded_at,
                        recorded_by = excluded.recorded_by
                    """,
                arguments: [w.occurrence.description, w.reason, w.recordedAt.microseconds, w.by]
            )
            try audit.append("waive", occurrence: w.occurrence.description, ["reason": w.reason])
        }
    }

    /// Records an event. With an empty id, the id is `KIND-DATE`, then `KIND-DATE-2`, … for the same
    /// unit and day. Returns the event as stored.
    package func record(_ e: Event) throws(StoreError) -> Event {
        try change(.records) { db, audit in
            guard try Self.exists(db, "unit", e.unit) else {
                throw StoreError(.notFound, "no unit '\(e.unit)'; `dutyctl unit ls` lists them")
            }
            var event = e
            if event.id.isEmpty {
                let base = "\(e.kind)-\(e.on)"
                var id = base
                var n = 1
                while try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS(SELECT 1 FROM event WHERE unit = ? AND id = ?)",
                    arguments: [e.unit, id]
                ) == true {
                    n += 1
                    id = "\(base)-\(n)"
                }
                event.id = id
            } else if try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS(SELECT 1 FROM event WHERE unit = ? AND id = ?)",
                arguments: [e.unit, e.id]
            ) == true {
                throw StoreError(.conflict, "unit '\(e.unit)' already has an event '\(e.id)'")
            }
            try db.execute(
                sql:
                    "INSERT INTO event (unit, id, kind, occurred_on, recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    event.unit, event.id, event.kind, event.on.description, event.recordedAt.microseconds, event.by,
                    event.note,
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
            try db.execute(sql: "DELETE FROM event WHERE unit = ? AND id = ?", arguments: [unit, id])
            if db.changesCount == 0 { throw StoreError(.notFound, "unit '\(unit)' has no event '\(id)'") }
            try audit.append("event-remove", unit: unit, ["id": id])
        }
    }

    /// A completion's fields for the audit trail.
    static func fields(_ c: Completion) -> [String: String] {
        var fields = ["on": c.on.description]
        if let r = c.reference { fields["reference"] = r }
        if let n = c.note { fields["note"] = n }
        return fields
    }
}
