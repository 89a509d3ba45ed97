import DutyCalendar
package import DutyCore

extension DutyStore {
    // MARK: Officials

    package func addOfficial(_ o: Official) throws(StoreError) {
        try change(.organisation) { db, audit in
            if try Self.exists(db, "official", o.id) {
                throw StoreError(
                    .conflict,
                    "official '\(shown(o.id))' exists already; use `dutyctl official set` to change them"
                )
            }
            try Self.checkUnit(db, o)
            try Self.upsert(db, [o])
            try audit.append("official-add", unit: o.unit, Self.fields(o))
        }
    }

    package func updateOfficial(_ o: Official) throws(StoreError) {
        try change(.organisation) { db, audit in
            guard try Self.exists(db, "official", o.id) else {
                throw StoreError(.notFound, "no official '\(shown(o.id))'; `dutyctl official ls` lists them")
            }
            try Self.checkUnit(db, o)
            try Self.upsert(db, [o])
            try audit.append("official-set", unit: o.unit, Self.fields(o))
        }
    }

    package func removeOfficial(_ id: String) throws(StoreError) {
        try change(.organisation) { db, audit in
            let unit = try db.text("SELECT unit FROM official WHERE id = ?", [.text(id)])
            if try db.execute("DELETE FROM official WHERE id = ?", [.text(id)]) == 0 {
                throw StoreError(.notFound, "no official '\(shown(id))'; `dutyctl official ls` lists them")
            }
            try audit.append("official-rm", unit: unit, ["id": id])
        }
    }

    /// Adds or updates many officials in one transaction; each one's unit must exist. With `replace`,
    /// officials not in the list are removed.
    package func importOfficials(_ officials: [Official], replace: Bool) throws(StoreError) -> ImportCount {
        try change(.organisation) { db, audit in
            let before = try Self.count(db, "official")
            let removed = replace ? try Self.removeUnlisted(db, "official", keeping: officials.lazy.map(\.id)) : 0
            try Self.upsert(db, officials)
            if let orphan = try db.first(
                "SELECT o.id, o.unit FROM official o WHERE NOT EXISTS (SELECT 1 FROM unit u WHERE u.id = o.unit) LIMIT 1",
                [],
                { (try $0.string(0), try $0.string(1)) }
            ) {
                throw StoreError(
                    .notFound,
                    "official '\(orphan.0)' names unit '\(orphan.1)', which does not exist; import the units first",
                    id: orphan.0
                )
            }
            let count = try Self.importCount(db, "official", before: before, removed: removed, listed: officials.count)
            try audit.append("official-import", how: "import", Self.fields(count, replace: replace, via: audit.actor))
            return count
        }
    }
}
