package import DutyCalendar

// The daemon's watermark (what has been performed up to when) and the revisions that tell a cached
// planner it is stale.

extension DutyStore {
    /// How far the daemon has performed the plan: every step before this instant was handled.
    package func watermark() throws(StoreError) -> Instant? {
        try read { db in
            try db.text("SELECT value FROM daemon_state WHERE key = 'performed_through'")
                .flatMap(Int.init).map { Instant(microseconds: $0) }
        }
    }

    /// The real time of the run that set the watermark, when it was behind the watermark (a run at
    /// `--now` ahead of the clock): the steps after it were handled only as that run saw them.
    package func watermarkWall() throws(StoreError) -> Instant? {
        try read { db in
            try db.text("SELECT value FROM daemon_state WHERE key = 'performed_at_wall'")
                .flatMap(Int.init).map { Instant(microseconds: $0) }
        }
    }

    /// Every step before `at` was handled, by a run whose real time was `wall`.
    package func setWatermark(_ at: Instant, wall: Instant? = nil) throws(StoreError) {
        try write { db in
            try Self.setState(db, "performed_through", String(at.microseconds))
            try Self.setState(db, "performed_at_wall", String(min(wall ?? at, at).microseconds))
        }
    }

    /// The revision of each part; a part whose number moved has changed since it was last read.
    package func revisions() throws(StoreError) -> [Revision: Int] {
        try read { db in
            var out: [Revision: Int] = [:]
            try db.each("SELECT name, value FROM revision", []) { r in
                if let part = Revision(rawValue: try r.string(0)) { out[part] = try r.int(1) }
            }
            return out
        }
    }

    /// Sets one of the daemon's values in `daemon_state`.
    static func setState(_ db: any SQLSession, _ key: String, _ value: String) throws {
        try db.execute(
            "INSERT INTO daemon_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [.text(key), .text(value)]
        )
    }
}
