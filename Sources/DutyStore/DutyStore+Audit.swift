import Crypto
package import DutyCalendar
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DutyStore {
    /// A change that is not the store's own (a reload of the configuration): one audit row by `actor`.
    package func appendAudit(
        _ action: String,
        by actor: AuditActor,
        _ detail: [String: String] = [:]
    ) throws(StoreError) {
        try engine.change { db in
            var chain = try AuditChain(db, actor: actor, at: .wallClock)
            try chain.append(action, detail)
            try chain.writeHead()
        }
    }

    /// What `dutyctl audit` asks for; `nil` matches anything. Oldest first.
    package struct AuditQuery: Sendable {
        /// An occurrence id, or a prefix of one ending in `/`.
        package var occurrence: String?
        package var unit: String?
        /// Rows written at or after this.
        package var since: Instant?
        package var limit = Int.max

        package init() {}
    }

    /// The audit rows that match `q`, oldest first, a page of `pageSize` at a time (each page a read
    /// of its own). Throws what `body` throws.
    package func eachAudit(
        matching q: AuditQuery,
        pageSize: Int = 1_000,
        _ body: (AuditEntry) throws -> Void
    ) throws {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let o = q.occurrence {
            if o.hasSuffix("/") {
                conditions.append("substr(occurrence, 1, CAST(? AS INTEGER)) = ?")
                arguments += [.integer(Int64(o.count)), .text(o)]
            } else {
                conditions.append("occurrence = ?")
                arguments.append(.text(o))
            }
        }
        if let u = q.unit {
            conditions.append("unit = ?")
            arguments.append(.text(u))
        }
        if let since = q.since {
            conditions.append("at >= ?")
            arguments.append(.integer(Int64(since.microseconds)))
        }
        try eachPage(
            of: "audit",
            columns: Self.auditColumns,
            where: conditions,
            arguments,
            orderedBy: "seq",
            limit: q.limit,
            pageSize: pageSize,
            row: Self.auditEntry,
            after: { ("seq > ?", [.integer(Int64($0.seq))]) },
            body
        )
    }

    static let auditColumns = "seq, at, who, how, action, occurrence, unit, detail, previous, hash"

    /// An audit row from a row of `auditColumns`.
    static func auditEntry(_ r: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            seq: try r.int(0),
            at: Instant(microseconds: try r.int(1)),
            who: try r.string(2),
            how: try r.string(3),
            action: try r.string(4),
            occurrence: try r.text(5),
            unit: try r.text(6),
            detail: try r.string(7),
            previous: try r.string(8),
            hash: try r.string(9)
        )
    }

    /// What `audit verify` found: how many rows were checked, the last one's number and hash, and
    /// the first row changed or removed after it was written (`nil` when the chain is whole).
    package struct AuditVerification: Sendable, Equatable {
        package var rows: Int
        package var head: (seq: Int, hash: String)?
        /// The number of the first row changed or removed.
        package var firstBad: Int?
        package var problem: String?

        package static func == (a: Self, b: Self) -> Bool {
            a.rows == b.rows && a.head?.seq == b.head?.seq && a.head?.hash == b.head?.hash
                && a.firstBad == b.firstBad && a.problem == b.problem
        }
    }

    /// Walks the audit trail from its first row: every row's hash must be its own, every row must
    /// follow the one before it (numbers without gaps, its `previous` the hash before), and the last
    /// row must be the head noted with the last change. Names the first row that was changed or
    /// removed after it was written.
    package func verifyAudit(pageSize: Int = 10_000) throws(StoreError) -> AuditVerification {
        var checked = 0
        var last: AuditEntry?
        func describe(_ e: AuditEntry) -> String {
            "row \(e.seq) (\(e.action)\(e.occurrence.map { " " + $0 } ?? e.unit.map { " " + $0 } ?? "") by \(e.who) "
                + "at \(e.at.format(in: .utc)))"
        }
        while true {
            let after = last?.seq ?? 0
            let page = try read { db in
                try db.all(
                    "SELECT \(Self.auditColumns) FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
                    [.integer(Int64(after)), .integer(Int64(pageSize))],
                    Self.auditEntry
                )
            }
            for e in page {
                let expected = (last?.seq ?? 0) + 1
                if e.seq != expected {
                    let found =
                        expected == 1
                        ? "the first row, 1, is missing: the trail begins at row \(e.seq)"
                        : "row \(expected) is missing: \(describe(e)) follows row \(expected - 1)"
                    return AuditVerification(
                        rows: checked,
                        head: nil,
                        firstBad: expected,
                        problem: found + "; it was removed after it was written"
                    )
                }
                if e.previous != (last?.hash ?? AuditEntry.genesis) {
                    // The row before was changed and its hash written anew: that one is the first bad.
                    let bad = last.map(describe) ?? "row \(e.seq)"
                    return AuditVerification(
                        rows: checked,
                        head: nil,
                        firstBad: max(1, e.seq - 1),
                        problem: "\(bad) was changed after it was written (row \(e.seq) no longer follows it)"
                    )
                }
                if e.computedHash != e.hash {
                    return AuditVerification(
                        rows: checked,
                        head: nil,
                        firstBad: e.seq,
                        problem: "\(describe(e)) was changed after it was written (its hash is not its own)"
                    )
                }
                checked += 1
                last = e
            }
            if page.count < pageSize { break }
        }
        let noted = try read { db in
            try db.text("SELECT value FROM daemon_state WHERE key = 'audit_head'")
        }
        if let noted {
            let parts = noted.split(separator: " ")
            if parts.count == 2, let seq = Int(parts[0]) {
                let hash = String(parts[1])
                if seq > (last?.seq ?? 0) {
                    return AuditVerification(
                        rows: checked,
                        head: nil,
                        firstBad: (last?.seq ?? 0) + 1,
                        problem:
                            "row \((last?.seq ?? 0) + 1) is missing: the trail ends at row \(last?.seq ?? 0) but the last change wrote row \(seq); the rows after \(last?.seq ?? 0) were removed after they were written"
                    )
                }
                if seq == last?.seq, hash != last?.hash, let last {
                    return AuditVerification(
                        rows: checked,
                        head: nil,
                        firstBad: last.seq,
                        problem:
                            "\(describe(last)) was changed after it was written (it is not the last row the last change wrote)"
                    )
                }
            }
        }
        return AuditVerification(rows: checked, head: last.map { ($0.seq, $0.hash) }, firstBad: nil, problem: nil)
    }
}

extension Instant {
    /// Now, by the system's clock: when a change was made, for the audit trail (whatever clock the
    /// daemon's plan follows).
    package static var wallClock: Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(microseconds: ts.tv_sec * 1_000_000 + ts.tv_nsec / 1_000)
    }
}
