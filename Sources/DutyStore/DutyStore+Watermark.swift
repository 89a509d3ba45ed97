package import DutyCalendar
import GRDB

// The daemon's watermark (what has been performed up to when) and the revisions that tell a cached
// planner it is stale.

extension DutyStore {
    /// How far the daemon has performed the plan: every step before this instant was handled.
    package func watermark() throws(StoreError) -> Instant? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM daemon_state WHERE key = 'performed_through'")
                .flatMap(Int.init).map { Instant(microseconds: $0) }
        }
    }

    /// The real time of the run that set the watermark, when it was behind the watermark (a run at
    /// `--now` ahead of the clock): the steps after it were handled only as that run saw them.
    package func watermarkWall() throws(StoreError) -> Instant? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM daemon_state WHERE key = 'performed_at_wall'")
                .flatMap(Int.init).map { Instant(microseconds: $0) }
        }
    }

    /// Every step before `at` was handled, by a run whose real time was `wall`.
    package func setWatermark(_ at: Instant, wall: Instant? = nil) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO daemon_state (key, value) VALUES ('performed_through', ?)",
                arguments: [String(at.microseconds)]
            )
            try db.execute(
                sql: "INSERT OR REPLACE INTO daemon_state (key, value) VALUES ('performed_at_wall', ?)",
                arguments: [String(min(wall ?? at, at).microseconds)]
            )
        }
    }

    /// The revision of each part; a part whose number moved has changed since it was last read.
    package func revisions() throws(StoreError) -> [Revision: Int] {
        try read { db in
            var out: [Revision: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT name, value FROM revision") {
                if let part = Revision(rawValue: r[0]) { out[part] = r[1] }
            }
            return out
        }
    }
}
