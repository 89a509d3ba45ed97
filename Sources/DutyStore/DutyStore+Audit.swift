import Crypto
package import DutyCalendar
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who made a change and the way it came: `who` is the user (the API peer's, or the one running
/// dutyctl on the files; an official's id when it came from their link), `how` one of `cli-direct`
/// (dutyctl on the files), `api` (through dutyd's socket), `web`, `mail`, `import` (a file of many
/// changes) or `signal` (a reload by SIGHUP).
package struct AuditActor: Sendable, Equatable {
    package var who: String
    package var how: String

    package init(who: String, how: String) {
        self.who = who
        self.how = how
    }

    /// The user running this process on the files (`sudo` users by their own name).
    package static var processUser: AuditActor {
        let env = ProcessInfo.processInfo.environment
        if let s = env["SUDO_USER"], !s.isEmpty { return AuditActor(who: s, how: "cli-direct") }
        if let p = getpwuid(getuid()), let name = p.pointee.pw_name {
            return AuditActor(who: String(cString: name), how: "cli-direct")
        }
        return AuditActor(who: env["USER"] ?? "uid \(getuid())", how: "cli-direct")
    }
}

/// One row of the audit trail: a change, who made it, when, how, and what; `hash` is the SHA-256 of
/// the row and of `previous`, the hash of the row before it, so a row changed or removed afterwards
/// breaks the chain (`DutyStore.verifyAudit`).
package struct AuditEntry: Sendable, Equatable {
    package var seq: Int
    package var at: Instant
    package var who: String
    package var how: String
    /// `done`, `undo`, `waive`, `event-record`, `event-remove`, `unit-add`, `unit-set`, `unit-rm`,
    /// `unit-import`, `official-add`, …, `reload`.
    package var action: String
    package var occurrence: String?
    package var unit: String?
    /// What was changed, a JSON object with sorted keys (`{"on":"2026-12-01","reference":"…"}`).
    package var detail: String
    package var previous: String
    package var hash: String

    /// The hash of the first row's predecessor.
    package static let genesis = String(repeating: "0", count: 64)

    /// The row's hash from its fields and `previous`: each field as its length in bytes, a colon and
    /// itself, so no two different rows read the same.
    package var computedHash: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + detail.utf8.count)
        bytes += previous.utf8
        bytes.append(0x0A)
        for field in [
            String(seq), String(at.microseconds), who, how, action, occurrence ?? "", unit ?? "", detail,
        ] {
            bytes += String(field.utf8.count).utf8
            bytes.append(UInt8(ascii: ":"))
            bytes += field.utf8
            bytes.append(0x0A)
        }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON object with sorted keys from `fields`.
    package static func detail(_ fields: [String: String]) -> String {
        "{"
            + fields.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(
                separator: ","
            ) + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

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
