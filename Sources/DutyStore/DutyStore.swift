import DutyCalendar
import DutyCore
import Foundation

/// The state store: units, officials, completions, waivers, events, the notification ledger and the
/// audit trail; one transaction per change. Its operations are written once over `SQLSession`, and
/// an engine keeps the state: SQLite on one machine, PostgreSQL for several dutyd.
///
/// ```swift
/// let store = try DutyStore(path: "/var/lib/dutyd/dutyd.sqlite")
/// try store.addUnit(OrgUnit(id: "gd", name: "广东省委", kind: "committee", addedOn: today))
/// ```
package final class DutyStore: Sendable {
    let engine: any SQLEngine
    /// The SQLite file, or `nil` (in memory, or on PostgreSQL).
    package let path: String?
    /// The setting `state` it was opened from: a file's path or a connection string.
    package let source: String?
    /// Who the changes made through this store are by, for the audit trail (`acting(as:)`).
    package let actor: AuditActor
    /// The lease a sender's daemon writes are checked against (`fenced(by:)`), on PostgreSQL.
    let fence: SenderLease?

    /// The same store, its changes recorded in the audit trail as `actor`'s.
    package func acting(as actor: AuditActor) -> DutyStore {
        DutyStore(engine: engine, path: path, source: source, actor: actor, fence: fence)
    }

    init(engine: any SQLEngine, path: String?, source: String?, actor: AuditActor, fence: SenderLease? = nil) {
        self.engine = engine
        self.path = path
        self.source = source
        self.actor = actor
        self.fence = fence
    }

    /// Opens the store that the setting `state` names: a PostgreSQL connection string
    /// (`postgresql://…` or `host=… dbname=…`) or else the path of a SQLite file.
    package static func open(_ state: String) throws(StoreError) -> DutyStore {
        if let location = try PostgresLocation(state) {
            return DutyStore(engine: try PostgresEngine(location), path: nil, source: state, actor: .processUser)
        }
        return try DutyStore(path: state)
    }

    /// Opens (creating it and its folder if needed) and migrates the SQLite store at `path`.
    package init(path: String) throws(StoreError) {
        engine = try SQLiteEngine(path: path)
        self.path = path
        source = path
        actor = .processUser
        fence = nil
    }

    /// An empty SQLite store in memory, for tests.
    package init() throws(StoreError) {
        engine = try SQLiteEngine()
        path = nil
        source = nil
        actor = .processUser
        fence = nil
    }

    /// What the store is, for messages: the file, or PostgreSQL's server and database.
    package var name: String { engine.name }

    /// Lets go of the engine's connections (PostgreSQL); the store is not used after.
    package func close() { engine.close() }

    /// Runs `body` in one write transaction (the daemon's own bookkeeping: ledger, watermark); on any
    /// error nothing is changed.
    func write<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        guard let fence else { return try engine.write(body) }
        return try engine.write { db in
            try SenderLease.check(db, fence)
            return try body(db)
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try engine.read(body)
    }

    /// A user's change, in one write transaction with its rows of the audit trail (`body` appends
    /// them to the chain it is handed; a change that appends none is refused); on any error nothing
    /// is changed. `part` names what the change touches: its revision goes up in the same
    /// transaction, so the daemon sees that it must plan again (`revisions()`). Durable before it
    /// returns, one change at a time (the engine's `change`).
    func change<T>(_ part: Revision?, _ body: (any SQLSession, inout AuditChain) throws -> T) throws(StoreError) -> T {
        let actor = actor
        return try engine.change { db in
            var chain = try AuditChain(db, actor: actor, at: .wallClock)
            let result = try body(db, &chain)
            guard chain.appended > 0 else {
                throw StoreError(
                    .unavailable,
                    "internal error: a change of the \(part?.rawValue ?? "store") wrote no audit row"
                )
            }
            try chain.writeHead()
            if let part {
                try db.execute("UPDATE revision SET value = value + 1 WHERE name = ?", [.text(part.rawValue)])
            }
            return result
        }
    }

    /// The rows of `table` that meet `conditions`, in `order`, at most `limit`, each to `body`: read a
    /// page of `pageSize` at a time, each page a read of its own that begins after the last row of
    /// the one before (`after` gives the condition for that, in the same order), so a slow reader of
    /// a long list holds no read transaction while it reads. Throws what `body` throws.
    func eachPage<T>(
        of table: String,
        columns: String,
        where conditions: [String],
        _ arguments: [SQLValue],
        orderedBy order: String,
        limit: Int,
        pageSize: Int,
        row: @escaping (any SQLRow) throws -> T,
        after: (T) -> (condition: String, arguments: [SQLValue]),
        _ body: (T) throws -> Void
    ) throws {
        var left = limit
        var last: T?
        while left > 0 {
            var page = conditions
            var pageArguments = arguments
            if let last {
                let (condition, values) = after(last)
                page.append(condition)
                pageArguments += values
            }
            let whereClause = page.isEmpty ? "" : "WHERE " + page.joined(separator: " AND ")
            let sql = "SELECT \(columns) FROM \(table) \(whereClause) ORDER BY \(order) LIMIT ?"
            let wanted = min(left, pageSize)
            pageArguments.append(.integer(Int64(wanted)))
            let rows = try read { db in try db.all(sql, pageArguments, row) }
            for r in rows { try body(r) }
            left -= rows.count
            guard rows.count == wanted else { return }
            last = rows.last
        }
    }
}

/// The parts of the store whose changes make the daemon plan again.
package enum Revision: String, Sendable {
    /// Units and officials.
    case organisation
    /// Completions, waivers and events.
    case records
}
