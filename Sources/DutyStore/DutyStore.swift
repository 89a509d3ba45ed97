import DutyCalendar
import DutyCore
import Foundation
import GRDB

/// The state store: units, officials, completions, waivers, events and the notification ledger, in
/// SQLite (WAL, one transaction per change).
///
/// ```swift
/// let store = try DutyStore(path: "/var/lib/dutyd/dutyd.sqlite")
/// try store.addUnit(OrgUnit(id: "gd", name: "广东省委", kind: "committee", addedOn: today))
/// ```
package final class DutyStore: Sendable {
    let writer: any DatabaseWriter
    /// The file, or `nil` in memory.
    package let path: String?
    /// Who the changes made through this store are by, for the audit trail (`acting(as:)`).
    package let actor: AuditActor

    /// The same store, its changes recorded in the audit trail as `actor`'s.
    package func acting(as actor: AuditActor) -> DutyStore {
        DutyStore(writer: writer, path: path, actor: actor)
    }

    private init(writer: any DatabaseWriter, path: String?, actor: AuditActor) {
        self.writer = writer
        self.path = path
        self.actor = actor
    }

    /// Opens (creating it and its folder if needed) and migrates the store at `path`.
    package init(path: String) throws(StoreError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(
                    .unavailable,
                    "\(path): cannot create the folder \(folder): \(error.localizedDescription)"
                )
            }
        }
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            writer = try DatabasePool(path: path, configuration: config)
            self.path = path
            actor = .processUser
            // Migrating takes the write lock; a store that is up to date is only read, so questions
            // still work while another program holds that lock.
            let migrator = Self.migrator
            if try !writer.read({ try migrator.hasCompletedMigrations($0) }) { try migrator.migrate(writer) }
        } catch {
            throw StoreError(.unavailable, "\(path): cannot open the state store: \(Self.describe(error, path: path))")
        }
    }

    /// An empty store in memory, for tests.
    package init() throws(StoreError) {
        do {
            writer = try DatabaseQueue()
            path = nil
            actor = .processUser
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(.unavailable, "cannot create an in-memory store: \(Self.describe(error))")
        }
    }

    /// Whether the file system holding `path` has less than 1 MiB free.
    static func isFull(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        var st = statvfs()
        guard statvfs(folder.isEmpty ? "." : folder, &st) == 0 else { return false }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize) < 1 << 20
    }

    /// What went wrong, and for the faults an operator meets (a full disk, a lock held by another
    /// program) what to do; the transaction was rolled back, so nothing was half written.
    static func describe(_ error: any Error, path: String? = nil) -> String {
        guard let e = error as? DatabaseError else { return "\(error)" }
        let what = e.message ?? "\(e.resultCode)"
        // A full disk shows as SQLITE_FULL while writing, but as an I/O error when the -shm file
        // cannot even be made: look at the file system itself.
        if e.resultCode == .SQLITE_FULL || (e.resultCode == .SQLITE_IOERR && path.map(Self.isFull) == true) {
            return
                "\(what): the file system holding the state store is full; nothing was changed. Free space there (df, du), then try again"
        }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return
                "\(what): another program has held the state store's lock for more than 5 s (a backup, an sqlite3 shell?); nothing was changed. Try again when it lets go (fuser, lsof name it)"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return
                "\(what): dutyd cannot write the state store or its folder; nothing was changed. Check the owner and mode of the folder and its -wal and -shm files (systemd: StateDirectory=dutyd)"
        case .SQLITE_IOERR:
            return
                "\(what): the disk failed a read or write; nothing was changed. Check the kernel log (journalctl -k) and the file system"
        default:
            return what
        }
    }

    /// Runs `body` in one write transaction (the daemon's own bookkeeping: ledger, watermark); on any
    /// error nothing is changed.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(path ?? "state store"): \(Self.describe(error, path: path))")
        }
    }

    /// A user's change, in one write transaction with its rows of the audit trail (`body` appends
    /// them to the chain it is handed; a change that appends none is refused); on any error nothing
    /// is changed. `part` names what the change touches: its revision goes up in the same
    /// transaction, so the daemon sees that it must plan again (`revisions()`).
    ///
    /// It is synced to disk before it is acknowledged (`synchronous = FULL` for its commit), so a
    /// `done` that `dutyctl` reported is never lost to a power cut; the daemon's own bookkeeping
    /// keeps `NORMAL`, where a power cut can cost a repeated notice but never a user's word.
    func change<T>(_ part: Revision?, _ body: (Database, inout AuditChain) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                var result: T?
                try db.inTransaction(.immediate) {
                    var chain = try AuditChain(db, actor: actor, at: .wallClock)
                    result = try body(db, &chain)
                    guard chain.appended > 0 else {
                        throw StoreError(
                            .unavailable,
                            "internal error: a change of the \(part?.rawValue ?? "store") wrote no audit row"
                        )
                    }
                    try chain.writeHead()
                    if let part {
                        try db.execute(
                            sql: "UPDATE revision SET value = value + 1 WHERE name = ?",
                            arguments: [part.rawValue]
                        )
                    }
                    return .commit
                }
                return result!
            }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(path ?? "state store"): \(Self.describe(error, path: path))")
        }
    }

    /// The rows of `table` that meet `conditions`, in `order`, at most `limit`, each to `body`: read a
    /// page of `pageSize` at a time, each page a read of its own that begins after the last row of
    /// the one before (`after` gives the condition for that, in the same order), so a slow reader of
    /// a long list holds no read transaction while it reads. Throws what `body` throws.
    func eachPage<T>(
        of table: String,
        where conditions: [String],
        _ arguments: [any DatabaseValueConvertible],
        orderedBy order: String,
        limit: Int,
        pageSize: Int,
        row: @escaping (Row) -> T,
        after: (T) -> (condition: String, arguments: [any DatabaseValueConvertible]),
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
            let sql = "SELECT * FROM \(table) \(whereClause) ORDER BY \(order) LIMIT ?"
            let wanted = min(left, pageSize)
            pageArguments.append(wanted)
            let rows = try read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(pageArguments)).map(row)
            }
            for r in rows { try body(r) }
            left -= rows.count
            guard rows.count == wanted else { return }
            last = rows.last
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(path ?? "state store"): \(Self.describe(error, path: path))")
        }
    }

    /// The schema, one migration per version. Never edit a registered migration: add the next one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE unit (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        parent TEXT,
                        email TEXT,
                        added_on TEXT NOT NULL,
                        track_from TEXT
                    );
                    CREATE INDEX unit_parent ON unit(parent);
                    CREATE TABLE official (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        email TEXT,
                        unit TEXT NOT NULL,
                        roles TEXT NOT NULL
                    );
                    CREATE INDEX official_unit ON official(unit);
                    -- A quota occurrence can be completed more than once a year: no unique key on occurrence.
                    CREATE TABLE completion (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        occurrence TEXT NOT NULL,
                        done_on TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        recorded_by TEXT NOT NULL,
                        reference TEXT,
                        note TEXT
                    );
                    CREATE INDEX completion_occurrence ON completion(occurrence);
                    CREATE TABLE waiver (
                        occurrence TEXT PRIMARY KEY NOT NULL,
                        reason TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        recorded_by TEXT NOT NULL
                    );
                    CREATE TABLE event (
                        unit TEXT NOT NULL,
                        id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        occurred_on TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        recorded_by TEXT NOT NULL,
                        note TEXT,
                        PRIMARY KEY (unit, id)
                    );
                    -- The daemon's notification ledger: one row per step, recipient and channel, written
                    -- before and after delivery (docs/design.md, Delivery semantics).
                    CREATE TABLE notification (
                        key TEXT PRIMARY KEY NOT NULL,
                        occurrence TEXT NOT NULL,
                        step TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        state TEXT NOT NULL,
                        due_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        first_attempt_at INTEGER,
                        last_attempt_at INTEGER,
                        next_attempt_at INTEGER,
                        sent_at INTEGER,
                        error TEXT
                    );
                    CREATE INDEX notification_occurrence ON notification(occurrence);
                    CREATE INDEX notification_pending ON notification(state, next_attempt_at);
                    """
            )
        }
        m.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    -- Ledger rows by the time their step was due: what a catch-up window looks up.
                    CREATE INDEX notification_due ON notification(due_at);
                    -- What the daemon keeps between runs: how far it has performed the plan.
                    CREATE TABLE daemon_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    -- Bumped by every change to the organisation or to what was done: the daemon plans
                    -- again when a number moves.
                    CREATE TABLE revision (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    INSERT INTO revision VALUES ('organisation', 0), ('records', 0);
                    """
            )
        }
        m.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    -- Occurrences whose completion or waiver was undone, and when: the dispatcher then
                    -- sends the latest step they skipped meanwhile.
                    CREATE TABLE reopening (
                        occurrence TEXT PRIMARY KEY NOT NULL,
                        reopened_at INTEGER NOT NULL,
                        reopened_by TEXT NOT NULL
                    );
                    """
            )
        }
        m.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    -- Every change by a user, in order; each row's hash covers the row and the hash of
                    -- the row before it (DutyStore+Audit.swift), so a row changed or removed later is
                    -- found by `dutyctl audit verify`. Times in microseconds.
                    CREATE TABLE audit (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at INTEGER NOT NULL,
                        who TEXT NOT NULL,
                        how TEXT NOT NULL,
                        action TEXT NOT NULL,
                        occurrence TEXT,
                        unit TEXT,
                        detail TEXT NOT NULL,
                        previous TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX audit_occurrence ON audit(occurrence);
                    CREATE INDEX audit_unit ON audit(unit);
                    CREATE INDEX audit_at ON audit(at);
                    """
            )
        }
        m.registerMigration("v5") { db in
            try db.execute(
                sql: """
                    -- Receipt (签收) of an occurrence's notice: who, when (microseconds), how it came.
                    CREATE TABLE receipt (
                        occurrence TEXT PRIMARY KEY NOT NULL,
                        received_at INTEGER NOT NULL,
                        received_by TEXT NOT NULL,
                        how TEXT NOT NULL
                    );
                    """
            )
        }
        m.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    -- Extension requests (延期): the new deadline day asked for, why, by whom, and the one
                    -- decision (state pending, approved or denied). Times in microseconds.
                    CREATE TABLE extension_request (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        occurrence TEXT NOT NULL,
                        until TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        requested_at INTEGER NOT NULL,
                        requested_by TEXT NOT NULL,
                        how TEXT NOT NULL,
                        state TEXT NOT NULL,
                        decided_at INTEGER,
                        decided_by TEXT,
                        note TEXT
                    );
                    CREATE INDEX extension_request_occurrence ON extension_request(occurrence);
                    """
            )
        }
        m.registerMigration("v7") { db in
            try db.execute(
                sql: """
                    -- `dutyctl official revoke-links`: every personal link and web session of the official
                    -- issued before this moment (seconds since 1970) is refused.
                    CREATE TABLE web_revocation (official TEXT PRIMARY KEY NOT NULL, revoked_at INTEGER NOT NULL);
                    """
            )
        }
        return m
    }
}

/// The parts of the store whose changes make the daemon plan again.
package enum Revision: String, Sendable {
    /// Units and officials.
    case organisation
    /// Completions, waivers and events.
    case records
}
