package import DutyCalendar
package import DutyCore
import GRDB

// Extension requests (延期): asked for, then approved or denied once. Each is audited; the planner
// reads them with the other records (`records()`).

extension DutyStore {
    /// Records a request, refused when one for the same occurrence is still waiting. Returns it with
    /// its number.
    package func requestExtension(_ r: ExtensionRequest) throws(StoreError) -> ExtensionRequest {
        try change(.records) { db, audit in
            if let pending = try Int64.fetchOne(
                db,
                sql: "SELECT id FROM extension_request WHERE occurrence = ? AND state = 'pending'",
                arguments: [r.occurrence.description]
            ) {
                throw StoreError(
                    .conflict,
                    "ext-\(pending) for \(r.occurrence) is waiting for a decision; one request at a time"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO extension_request (occurrence, until, reason, requested_at, requested_by, how, state)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending')
                    """,
                arguments: [
                    r.occurrence.description, r.until.description, r.reason, r.requestedAt.microseconds,
                    r.requestedBy, r.how,
                ]
            )
            var made = r
            made.number = db.lastInsertedRowID
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
            guard var r = try Self.extensionRequests(db, where: "id = ?", [number]).first else {
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
                sql: "UPDATE extension_request SET state = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?",
                arguments: [r.state.rawValue, at.microseconds, by, note, number]
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
        try read { db in try Self.extensionRequests(db, where: "id = ?", [number]).first }
    }

    /// Every request, oldest first.
    package func extensionRequests() throws(StoreError) -> [ExtensionRequest] {
        try read { db in try Self.extensionRequests(db, where: "1", []) }
    }

    static func extensionRequests(
        _ db: Database,
        where condition: String,
        _ arguments: StatementArguments
    ) throws -> [ExtensionRequest] {
        var out: [ExtensionRequest] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, occurrence, until, reason, requested_at, requested_by, how, state, decided_at,
                       decided_by, note
                FROM extension_request WHERE \(condition) ORDER BY id
                """,
            arguments: arguments
        )
        while let row = try rows.next() {
            guard let state = ExtensionRequest.State(rawValue: row[7]) else {
                throw Self.damaged(row[7], "extension_request.state", "pending, approved or denied")
            }
            out.append(
                ExtensionRequest(
                    number: row[0],
                    occurrence: try Self.storedOccurrence(row[1], "extension_request.occurrence"),
                    until: try Self.storedDay(row[2], "extension_request.until"),
                    reason: row[3],
                    requestedAt: Instant(microseconds: row[4]),
                    requestedBy: row[5],
                    how: row[6],
                    state: state,
                    decidedAt: (row[8] as Int64?).map { Instant(microseconds: Int($0)) },
                    decidedBy: row[9],
                    note: row[10]
                )
            )
        }
        return out
    }
}
