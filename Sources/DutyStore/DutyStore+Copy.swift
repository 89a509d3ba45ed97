import Crypto
import Foundation

// Moving a deployment from one store to another (`dutyctl store copy`): every table, row for row,
// in one transaction on the target, then counted and checksummed on both sides.

/// What `copy(to:)` did to one table.
package struct TableCopy: Sendable, Equatable {
    package var table: String
    package var rows: Int
    /// SHA-256 over the rows in key order, each column written as its kind, length and value: the
    /// same on both sides when every row arrived unchanged.
    package var checksum: String
}

extension DutyStore {
    /// A table's columns (`true` for an integer one) and the order its rows are compared in.
    struct Table {
        var name: String
        var columns: [(name: String, integer: Bool)]
        var key: String
        /// A column PostgreSQL numbers itself (`GENERATED … AS IDENTITY`): moved on past the copied rows.
        var identity: String?
    }

    /// Every table the store keeps, in an order that loads (the engine's own bookkeeping, such as
    /// PostgreSQL's sender lease, is not copied: the target's instances make theirs).
    static let tables: [Table] = {
        func t(_ name: String, _ columns: String, key: String, identity: String? = nil) -> Table {
            Table(
                name: name,
                columns: columns.split(separator: " ").map {
                    $0.hasSuffix("#") ? (String($0.dropLast()), true) : (String($0), false)
                },
                key: key,
                identity: identity
            )
        }
        return [
            t("unit", "id name kind parent email added_on track_from position#", key: "id"),
            t("official", "id name email unit roles position#", key: "id"),
            t(
                "completion",
                "seq# occurrence done_on recorded_at# recorded_by reference note",
                key: "seq",
                identity: "seq"
            ),
            t("waiver", "occurrence reason recorded_at# recorded_by", key: "occurrence"),
            t("event", "unit id kind occurred_on recorded_at# recorded_by note", key: "unit, id"),
            t("receipt", "occurrence received_at# received_by how", key: "occurrence"),
            t("reopening", "occurrence reopened_at# reopened_by", key: "occurrence"),
            t(
                "extension_request",
                "id# occurrence until reason requested_at# requested_by how state decided_at# decided_by note",
                key: "id",
                identity: "id"
            ),
            t("web_revocation", "official revoked_at#", key: "official"),
            t(
                "notification",
                "key occurrence step recipient channel state due_at# attempts# first_attempt_at# last_attempt_at# next_attempt_at# sent_at# error sending_until#",
                key: "key"
            ),
            t("audit", "seq# at# who how action occurrence unit detail previous hash", key: "seq"),
            t("daemon_state", "key value", key: "key"),
            t("revision", "name value#", key: "name"),
        ]
    }()

    /// Copies everything this store holds into `target` in one transaction there, then compares
    /// each table's row count and checksum on both sides and checks the target's audit chain.
    /// A target that holds anything (beyond its empty schema) is refused unless `replace`, which
    /// empties it first. Nothing is written to the target if any step fails.
    package func copy(to target: DutyStore, replace: Bool) throws(StoreError) -> [TableCopy] {
        let source = try checksums()
        try target.engine.change { out in
            if !replace {
                for table in Self.tables where table.name != "revision" {
                    if try out.exists("SELECT 1 FROM \(table.name) LIMIT 1") {
                        throw StoreError(
                            .conflict,
                            "\(target.name) is not empty (its table \(table.name) has rows); copy into an empty store, or pass --replace to empty it first"
                        )
                    }
                }
            }
            for table in Self.tables.reversed() { try out.execute("DELETE FROM \(table.name)") }
            try self.read { db in
                for table in Self.tables {
                    let columns = table.columns.map(\.name)
                    var batch: [[SQLValue]] = []
                    try db.stream(
                        "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key)",
                        []
                    ) { row in
                        var values: [SQLValue] = []
                        values.reserveCapacity(table.columns.count)
                        for (i, c) in table.columns.enumerated() {
                            values.append(c.integer ? SQLValue(try row.integer(i)) : SQLValue(try row.text(i)))
                        }
                        batch.append(values)
                        if batch.count == 20_000 {
                            try out.insert(into: table.name, columns, batch, suffix: "")
                            batch = []
                        }
                    }
                    try out.insert(into: table.name, columns, batch, suffix: "")
                    if let identity = table.identity { try target.engine.advance(out, table.name, identity) }
                }
            }
        }
        let copied = try target.checksums()
        for (a, b) in zip(source, copied) where a != b {
            throw StoreError(
                .damaged,
                "the copy of \(a.table) in \(target.name) differs from \(name): \(b.rows) rows (checksum \(b.checksum.prefix(12))) where there are \(a.rows) (\(a.checksum.prefix(12))); copy again with --replace"
            )
        }
        let chain = try target.verifyAudit()
        if let problem = chain.problem {
            throw StoreError(.damaged, "the audit trail copied to \(target.name) does not verify: \(problem)")
        }
        return copied
    }

    /// Each table's row count and checksum, in one consistent read.
    package func checksums() throws(StoreError) -> [TableCopy] {
        try read { db in
            try Self.tables.map { table in
                var hash = SHA256()
                var rows = 0
                let names = table.columns.map(\.name).joined(separator: ", ")
                try db.stream("SELECT \(names) FROM \(table.name) ORDER BY \(table.key)", []) { row in
                    for (i, c) in table.columns.enumerated() {
                        let field: String
                        if c.integer {
                            field = try row.integer(i).map { "i\($0)" } ?? "n"
                        } else {
                            field = try row.text(i).map { "t\($0.utf8.count):\($0)" } ?? "n"
                        }
                        hash.update(data: Data((field + "\u{1f}").utf8))
                    }
                    hash.update(data: Data("\u{1e}".utf8))
                    rows += 1
                }
                return TableCopy(
                    table: table.name,
                    rows: rows,
                    checksum: hash.finalize().map { String(format: "%02x", $0) }.joined()
                )
            }
        }
    }
}
