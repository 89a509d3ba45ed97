package import DutyCalendar

extension DutyStore {
    /// The states of the ledger rows whose step was due in `window`, by key.
    package func ledgerStates(dueIn window: Range<Instant>) throws(StoreError) -> [String: LedgerEntry.State] {
        try read { db in
            var out: [String: LedgerEntry.State] = [:]
            try db.each(
                "SELECT key, state FROM notification WHERE due_at >= ? AND due_at < ?",
                [.integer(Int64(window.lowerBound.seconds)), .integer(Int64(window.upperBound.seconds + 1))]
            ) { r in
                out[try r.string(0)] = LedgerEntry.State(rawValue: try r.string(1)) ?? .sent
            }
            return out
        }
    }

    /// Rows to deliver (again) at `now`: `retry` rows whose time has come, `sending` rows, and with
    /// `pending` the rows of a batch not finished. When the sender looks for these it has no
    /// attempt of its own under way and any former sender is fenced, so a row still `sending` was
    /// cut off (a crash, a takeover) and goes again; its `sending_until` says until when its attempt
    /// could have run.
    package func ledgerRetries(at now: Instant, pending: Bool) throws(StoreError) -> [LedgerEntry] {
        try read { db in
            try db.all(
                """
                SELECT \(Self.ledgerColumns) FROM notification
                WHERE state = 'sending' OR (state = 'retry' AND next_attempt_at <= ?)\(pending ? " OR state = 'pending'" : "")
                ORDER BY due_at, key
                """,
                [.integer(Int64(now.seconds))],
                Self.ledgerEntry
            )
        }
    }

    /// The rows of batches decided and not finished (`pending`), by due time.
    package func ledgerPendingRows() throws(StoreError) -> [LedgerEntry] {
        try read { db in
            try db.all(
                "SELECT \(Self.ledgerColumns) FROM notification WHERE state = 'pending' ORDER BY due_at, key",
                [],
                Self.ledgerEntry
            )
        }
    }

    /// Records a decided batch: each row `pending` unless the ledger has its key already
    /// (`INSERT … ON CONFLICT DO NOTHING`: what the ledger holds wins), with the batch's `final`
    /// rows (`collapsed` steps), all in one transaction.
    package func ledgerPending(_ entries: [LedgerEntry]) throws(StoreError) {
        try insertLedger(entries, suffix: "ON CONFLICT(key) DO NOTHING")
    }

    /// When the next `retry` row falls due.
    package func nextLedgerRetry() throws(StoreError) -> Instant? {
        try read { db in
            try db.integer("SELECT min(next_attempt_at) FROM notification WHERE state = 'retry'")
                .map { Instant(seconds: $0) }
        }
    }

    /// The rows waiting to be tried again, and the due time of the oldest (the metrics' retry queue).
    package func retryQueue() throws(StoreError) -> (count: Int, oldestDue: Instant?) {
        try read { db in
            let count = try db.integer("SELECT count(*) FROM notification WHERE state = 'retry'") ?? 0
            let oldest = try db.integer("SELECT min(due_at) FROM notification WHERE state = 'retry'")
            return (count, oldest.map { Instant(seconds: $0) })
        }
    }

    /// The ledger rows of an occurrence (every step, recipient and channel), by due time.
    package func ledger(occurrence: String) throws(StoreError) -> [LedgerEntry] {
        try read { db in
            try db.all(
                "SELECT \(Self.ledgerColumns) FROM notification WHERE occurrence = ? ORDER BY due_at, key",
                [.text(occurrence)],
                Self.ledgerEntry
            )
        }
    }

    /// Every ledger row, by due time (tests and small stores).
    package func ledger() throws(StoreError) -> [LedgerEntry] {
        try read { db in
            try db.streamAll(
                "SELECT \(Self.ledgerColumns) FROM notification ORDER BY due_at, key",
                [],
                Self.ledgerEntry
            )
        }
    }

    /// What `dutyctl ledger` asks for; `nil` matches anything. Newest first.
    package struct LedgerQuery: Sendable {
        /// An occurrence id, or a prefix of one ending in `/` (`unit-situation-report/gd.sz.tsg/`).
        package var occurrence: String?
        package var recipient: String?
        package var channel: String?
        package var states: [LedgerEntry.State] = []
        /// Rows whose step was due at or after this.
        package var since: Instant?
        package var limit = 100

        package init() {}
    }

    /// Ledger rows matching `q`, latest due first, at most `q.limit`.
    package func ledger(matching q: LedgerQuery) throws(StoreError) -> [LedgerEntry] {
        var out: [LedgerEntry] = []
        do {
            try eachLedger(matching: q) { out.append($0) }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(error)")
        }
        return out
    }

    /// `ledger(matching:)`, one row at a time: read a page of `pageSize` rows at a time (by due time,
    /// then key, so a page begins where the last ended), each page in a read of its own, so a slow
    /// reader of a long ledger holds no read transaction while it reads. Throws what `body` throws.
    package func eachLedger(
        matching q: LedgerQuery,
        pageSize: Int = 1_000,
        _ body: (LedgerEntry) throws -> Void
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
        if let r = q.recipient {
            conditions.append("recipient = ?")
            arguments.append(.text(r))
        }
        if let c = q.channel {
            conditions.append("channel = ?")
            arguments.append(.text(c))
        }
        if !q.states.isEmpty {
            conditions.append("state IN (\(placeholders(q.states.count)))")
            arguments += q.states.map { .text($0.rawValue) }
        }
        if let since = q.since {
            conditions.append("due_at >= ?")
            arguments.append(.integer(Int64(since.seconds)))
        }
        try eachPage(
            of: "notification",
            columns: Self.ledgerColumns,
            where: conditions,
            arguments,
            orderedBy: "due_at DESC, key",
            limit: q.limit,
            pageSize: pageSize,
            row: Self.ledgerEntry,
            after: {
                (
                    "(due_at < ? OR (due_at = ? AND key > ?))",
                    [.integer(Int64($0.dueAt.seconds)), .integer(Int64($0.dueAt.seconds)), .text($0.key)]
                )
            },
            body
        )
    }

    /// Counts of ledger rows by state.
    package func ledgerCounts() throws(StoreError) -> [LedgerEntry.State: Int] {
        try read { db in
            var out: [LedgerEntry.State: Int] = [:]
            try db.each("SELECT state, count(*) FROM notification GROUP BY state", []) { r in
                if let s = LedgerEntry.State(rawValue: try r.string(0)) { out[s] = try r.int(1) }
            }
            return out
        }
    }

    /// Writes rows as they are (insert or replace), all in one transaction: `sending` rows before a
    /// delivery, outcomes after it, `cancelled` rows.
    package func writeLedger(_ entries: [LedgerEntry]) throws(StoreError) {
        try insertLedger(
            entries,
            suffix: "ON CONFLICT(key) DO UPDATE SET "
                + Self.ledgerColumnList.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        )
    }

    /// The rows (the last of each key) in one transaction, what `suffix` says done with a key the
    /// ledger has.
    private func insertLedger(_ entries: [LedgerEntry], suffix: String) throws(StoreError) {
        guard !entries.isEmpty else { return }
        try write { db in
            try db.insert(
                into: "notification",
                Self.ledgerColumnList,
                Self.lastOfEach(entries, \.key).map(Self.values),
                suffix: suffix
            )
        }
    }

    static let ledgerColumnList = [
        "key", "occurrence", "step", "recipient", "channel", "state", "due_at", "attempts", "first_attempt_at",
        "last_attempt_at", "next_attempt_at", "sent_at", "error", "sending_until",
    ]

    static let ledgerColumns = ledgerColumnList.joined(separator: ", ")

    /// A row's values in the order of `ledgerColumnList`.
    static func values(_ e: LedgerEntry) -> [SQLValue] {
        [
            .text(e.key), .text(e.occurrence), .text(e.step), .text(e.recipient), .text(e.channel),
            .text(e.state.rawValue), .integer(Int64(e.dueAt.seconds)), .integer(Int64(e.attempts)),
            SQLValue(e.firstAttemptAt?.seconds), SQLValue(e.lastAttemptAt?.seconds), SQLValue(e.nextAttemptAt?.seconds),
            SQLValue(e.sentAt?.seconds), SQLValue(e.error), SQLValue(e.sendingUntil?.seconds),
        ]
    }

    /// A ledger row from a row of `ledgerColumns`.
    static func ledgerEntry(_ r: any SQLRow) throws -> LedgerEntry {
        var e = LedgerEntry(
            occurrence: try r.string(1),
            step: try r.string(2),
            recipient: try r.string(3),
            channel: try r.string(4),
            state: LedgerEntry.State(rawValue: try r.string(5)) ?? .sent,
            dueAt: Instant(seconds: try r.int(6))
        )
        e.key = try r.string(0)
        e.attempts = try r.int(7)
        let instant = { (column: Int) throws -> Instant? in try r.optionalInt(column).map { Instant(seconds: $0) } }
        e.firstAttemptAt = try instant(8)
        e.lastAttemptAt = try instant(9)
        e.nextAttemptAt = try instant(10)
        e.sentAt = try instant(11)
        e.error = try r.text(12)
        e.sendingUntil = try instant(13)
        return e
    }
}
