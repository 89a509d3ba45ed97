package import DutyCalendar

// Personal links (`[web]`): when an official's links and sessions were last revoked.

extension DutyStore {
    /// Ends every link and session of `official` issued before `at` (seconds since 1970). Audited; the
    /// plan is not touched (no revision moves).
    package func revokeLinks(of official: String, at: Instant) throws(StoreError) {
        try change(nil) { db, audit in
            guard try db.exists("SELECT 1 FROM official WHERE id = ?", [.text(official)]) else {
                throw StoreError(
                    .notFound,
                    "no official '\(shown(official))'; `dutyctl official ls` lists them",
                    id: official
                )
            }
            try db.execute(
                """
                INSERT INTO web_revocation (official, revoked_at) VALUES (?, ?)
                ON CONFLICT(official) DO UPDATE SET revoked_at = excluded.revoked_at
                """,
                [.text(official), .integer(Int64(at.seconds))]
            )
            try audit.append("revoke-links", ["official": official])
        }
    }

    /// The moment `official`'s links were last revoked (seconds since 1970), if ever.
    package func linksRevoked(of official: String) throws(StoreError) -> Int? {
        try read { db in
            try db.integer("SELECT revoked_at FROM web_revocation WHERE official = ?", [.text(official)])
        }
    }
}
