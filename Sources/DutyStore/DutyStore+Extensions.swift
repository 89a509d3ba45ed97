package import DutyCalendar
package import DutyCore

// Extension requests (延期): asked for, then approved or denied once. Each is audited; the planner
// reads them with the other records (`records()`).

extension DutyStore {
    /// Records a request, refused when one for the same occurrence is still waiting. Returns it with
    /// its number.
    package func requestExtension(_ r: ExtensionRequest) throws(StoreError) -> ExtensionRequest {
        try change(.records) { db, audit in
            if let pending = try db.integer(
                "SELECT id FROM extension_request WHERE occurrence = ? AND state = 'pending'",
                [.text(r.occurrence.description)]
            ) {
                throw StoreError(
                    .conflict,
                    "ext-\(pending) for \(r.occurrence) is waiting for a decision; one request at a time"
                )
            }
            let number = try db.integer(
                """
                INSERT INTO extension_request (occurrence, until, reason, requested_at, requested_by, how, state)
                VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id
                """,
                [
                    .text(r.occurrence.description), .text(r.until.description), .text(r.reason),
                    .integer(Int64(r.requestedAt.microseconds)), .text(r.requestedBy), .text(r.how),
                ]
            )
            var made = r
            made.number = Int64(number ?? 0)
            made.state = .pending
            try audit.append(
                "extension-request",
                occurrence: r.occurrence.description,
                ["request": made.id, "until": r.until.description, "reason": r.reason, "by": r.requestedBy]
            )
            return made
        }
    }

    /// Decides a waiting request: approved or denied, by `by`, at `at`. Refused when it is not
    /// waiting. Returns it as decided.
    package func decideExtension(
        _ number: Int64,
        approve: Bool,
        at: Instant,
        by: String,
        note: String?
    ) throws(StoreError) -> ExtensionRequest {
        try change(.records) { db, audit in
            guard var r = try Self.extensionRequests(db, where: "id = ?", [.integer(number)]).first else {
                throw StoreError(.notFound, "no extension request ext-\(number) (`dutyctl extend ls` lists them)")
            }
            guard r.state == .pending else {
                throw StoreError(
                    .conflict,
                    "\(r.id) was \(r.state.rawValue) already by \(r.decidedBy ?? "?"); a request is decided once"
                )
            }
            r.state = approve ? .approved : .denied
            r.decidedAt = at
            r.decidedBy = by
            r.note = note
            try db.execute(
                "UPDATE extension_request SET state = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?",
                [
                    .text(r.state.rawValue), .integer(Int64(at.microseconds)), .text(by), SQLValue(note),
                    .integer(number),
                ]
            )
            var detail = ["request": r.id, "until": r.until.description, "by": by]
            if let note { detail["note"] = note }
            try audit.append(
                approve ? "extension-approve" : "extension-deny",
                occurrence: r.occurrence.description,
                detail
            )
            return r
        }
    }

    /// One request, by number.
    package func extensionRequest(_ number: Int64) throws(StoreError) -> ExtensionRequest? {
        try read { db in try Self.extensionRequests(db, where: "id = ?", [.integer(number)]).first }
    }

    /// Every request, oldest first.
    package func extensionRequests() throws(StoreError) -> [ExtensionRequest] {
        try read { db in try Self.extensionRequests(db, where: "TRUE", []) }
    }

    static func extensionRequests(
        _ db: any SQLSession,
        where condition: String,
        _ arguments: [SQLValue]
    ) throws -> [ExtensionRequest] {
        try db.all(
            """
            SELECT id, occurrence, until, reason, requested_at, requested_by, how, state, decided_at,
                   decided_by, note
            FROM extension_request WHERE \(condition) ORDER BY id
            """,
            arguments
        ) { row in
            let stored = try row.string(7)
            guard let state = ExtensionRequest.State(rawValue: stored) else {
                throw Self.damaged(stored, "extension_request.state", "pending, approved or denied")
            }
            return ExtensionRequest(
                number: Int64(try row.int(0)),
                occurrence: try Self.storedOccurrence(try row.string(1), "extension_request.occurrence"),
                until: try Self.storedDay(try row.string(2), "extension_request.until"),
                reason: try row.string(3),
                requestedAt: Instant(microseconds: try row.int(4)),
                requestedBy: try row.string(5),
                how: try row.string(6),
                state: state,
                decidedAt: try row.optionalInt(8).map { Instant(microseconds: $0) },
                decidedBy: try row.text(9),
                note: try row.text(10)
            )
        }
    }
}
