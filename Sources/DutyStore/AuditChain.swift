import Crypto
import DutyCalendar
import Foundation

/// The rows a change appends to the audit trail, in its own transaction: the change and its audit
/// rows are written together or not at all.
package struct AuditChain {
    let db: any SQLSession
    let actor: AuditActor
    let at: Instant
    private(set) var last: (seq: Int, hash: String)
    private(set) var appended = 0
    /// Rows appended and not yet written: written together by `writeHead` (one statement for a
    /// whole import on PostgreSQL).
    private var pending: [[SQLValue]] = []

    init(_ db: any SQLSession, actor: AuditActor, at: Instant) throws {
        self.db = db
        self.actor = actor
        self.at = at
        last =
            try db.first("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", []) {
                (try $0.int(0), try $0.string(1))
            } ?? (0, AuditEntry.genesis)
    }

    /// Appends the change `action` (of `occurrence`, at `unit`) with what it changed. `how` replaces
    /// the actor's way (`import` for the rows of a file).
    package mutating func append(
        _ action: String,
        occurrence: String? = nil,
        unit: String? = nil,
        how: String? = nil,
        _ detail: [String: String] = [:]
    ) throws {
        var e = AuditEntry(
            seq: last.seq + 1,
            at: at,
            who: actor.who,
            how: how ?? actor.how,
            action: action,
            occurrence: occurrence,
            unit: unit,
            detail: AuditEntry.detail(detail),
            previous: last.hash,
            hash: ""
        )
        e.hash = e.computedHash
        pending.append([
            .integer(Int64(e.seq)), .integer(Int64(e.at.microseconds)), .text(e.who), .text(e.how),
            .text(e.action), SQLValue(e.occurrence), SQLValue(e.unit), .text(e.detail), .text(e.previous),
            .text(e.hash),
        ])
        last = (e.seq, e.hash)
        appended += 1
    }

    /// Writes the rows appended, and notes the last in `daemon_state`, so removing rows from the end
    /// is found too.
    mutating func writeHead() throws {
        try db.insert(
            into: "audit",
            ["seq", "at", "who", "how", "action", "occurrence", "unit", "detail", "previous", "hash"],
            pending,
            suffix: ""
        )
        pending = []
        try DutyStore.setState(db, "audit_head", "\(last.seq) \(last.hash)")
    }
}
