import GRDB

// The SQLite schema, one migration per version: never edit a registered one, add the next (and its
// PostgreSQL counterpart in PostgresSchema.swift).

extension SQLiteEngine {
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
        m.registerMigration("v8") { db in
            try db.execute(
                sql: """
                    -- The order units and officials were first added (an import's line order), kept
                    -- through changes: what lists and the planner follow, on PostgreSQL too.
                    ALTER TABLE unit ADD COLUMN position INTEGER;
                    UPDATE unit SET position = rowid;
                    CREATE INDEX unit_position ON unit(position);
                    ALTER TABLE official ADD COLUMN position INTEGER;
                    UPDATE official SET position = rowid;
                    CREATE INDEX official_position ON official(position);
                    """
            )
        }
        m.registerMigration("v9") { db in
            try db.execute(
                sql: """
                    -- A row `sending` is being delivered until this time (seconds); past it, or found by a
                    -- sender that began later, the attempt was cut off. Rows of a decided batch are
                    -- `pending` before any of it goes out.
                    ALTER TABLE notification ADD COLUMN sending_until INTEGER;
                    """
            )
        }
        return m
    }
}
