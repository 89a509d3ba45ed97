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
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(.unavailable, "\(path): cannot open the state store: \(Self.describe(error))")
        }
    }

    /// An empty store in memory, for tests.
    package init() throws(StoreError) {
        do {
            writer = try DatabaseQueue()
            path = nil
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(.unavailable, "cannot create an in-memory store: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// Runs `body` in one write transaction; on any error nothing is changed. `part` names what the
    /// change touches: its revision goes up in the same transaction, so the daemon sees that it must
    /// plan again (`revisions()`).
    ///
    /// A user's change (`part` set: units, officials, records) is synced to disk before it is
    /// acknowledged (`synchronous = FULL` for its commit), so a `done` that `dutyctl` reported is
    /// never lost to a power cut; the daemon's own bookkeeping (ledger, watermark) keeps `NORMAL`,
    /// where a power cut can cost a repeated notice but never a user's word.
    func write<T>(changing part: Revision? = nil, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            guard let part else { return try writer.write(body) }
            return try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    try db.execute(
                        sql: "UPDATE revision SET value = value + 1 WHERE name = ?",
                        arguments: [part.rawValue]
                    )
                    return .commit
                }
                return result!
            }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(path ?? "state store"): \(Self.describe(error))")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.unavailable, "\(path ?? "state store"): \(Self.describe(error))")
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
                    -- before and after delivery (DESIGN.md, Delivery semantics).
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
