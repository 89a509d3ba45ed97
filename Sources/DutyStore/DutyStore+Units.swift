import DutyCalendar
package import DutyCore

extension DutyStore {
    // MARK: Units

    /// Adds a new unit; its parent must exist.
    package func addUnit(_ u: OrgUnit) throws(StoreError) {
        try change(.organisation) { db, audit in
            if try Self.exists(db, "unit", u.id) {
                throw StoreError(.conflict, "unit '\(shown(u.id))' exists already; use `dutyctl unit set` to change it")
            }
            try Self.checkParent(db, u)
            try Self.upsert(db, [u])
            try audit.append("unit-add", unit: u.id, Self.fields(u))
        }
    }

    /// Replaces a unit's fields (not its id or `addedOn`); moving it under one of its own descendants is refused.
    package func updateUnit(_ u: OrgUnit) throws(StoreError) {
        try change(.organisation) { db, audit in
            guard try Self.exists(db, "unit", u.id) else {
                throw StoreError(.notFound, "no unit '\(shown(u.id))'; `dutyctl unit ls` lists them")
            }
            try Self.checkParent(db, u)
            var p = u.parent
            var hops = 0
            while let x = p, hops < 10_000 {
                if x == u.id {
                    throw StoreError(
                        .conflict,
                        "unit '\(shown(u.id))' cannot move under its own descendant '\(shown(u.parent!))'"
                    )
                }
                p = try db.text("SELECT parent FROM unit WHERE id = ?", [.text(x)])
                hops += 1
            }
            try db.execute(
                "UPDATE unit SET name = ?, kind = ?, parent = ?, email = ?, track_from = ? WHERE id = ?",
                [
                    .text(u.name), .text(u.kind), SQLValue(u.parent), SQLValue(u.email),
                    SQLValue(u.trackFrom?.description), .text(u.id),
                ]
            )
            try audit.append("unit-set", unit: u.id, Self.fields(u))
        }
    }

    /// Removes a unit. With `recursive`, its whole subtree and their officials go too; without, a unit
    /// that has child units or officials is refused. Completions and events stay as history.
    @discardableResult
    package func removeUnit(_ id: String, recursive: Bool) throws(StoreError) -> (units: Int, officials: Int) {
        try change(.organisation) { db, audit in
            guard try Self.exists(db, "unit", id) else {
                throw StoreError(.notFound, "no unit '\(shown(id))'; `dutyctl unit ls` lists them")
            }
            var ids = [id]
            if recursive {
                ids = try db.all(
                    """
                    WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE id = ? UNION SELECT unit.id FROM unit JOIN sub ON unit.parent = sub.id)
                    SELECT id FROM sub
                    """,
                    [.text(id)]
                ) { try $0.string(0) }
            } else {
                let children = try db.integer("SELECT count(*) FROM unit WHERE parent = ?", [.text(id)]) ?? 0
                let people = try db.integer("SELECT count(*) FROM official WHERE unit = ?", [.text(id)]) ?? 0
                if children > 0 || people > 0 {
                    throw StoreError(
                        .conflict,
                        "unit '\(shown(id))' has \(children) child unit(s) and \(people) official(s); move or remove them first, or pass --recursive to remove them all"
                    )
                }
            }
            var officials = 0
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(ids.count, chunk + 500)])
                let marks = placeholders(part.count)
                let values = part.map { SQLValue.text($0) }
                officials += try db.execute("DELETE FROM official WHERE unit IN (\(marks))", values)
                try db.execute("DELETE FROM unit WHERE id IN (\(marks))", values)
            }
            try audit.append(
                "unit-rm",
                unit: id,
                ["recursive": "\(recursive)", "units": "\(ids.count)", "officials": "\(officials)"]
            )
            return (ids.count, officials)
        }
    }

    /// Adds or updates many units in one transaction. Each unit's parent must be in the store or in
    /// `units`, and the tree must stay free of cycles; otherwise nothing changes. Existing units keep
    /// their `addedOn`. With `replace`, units not in the list are removed with their officials.
    package func importUnits(_ units: [OrgUnit], replace: Bool) throws(StoreError) -> ImportCount {
        try change(.organisation) { db, audit in
            let before = try Self.count(db, "unit")
            // Officials of units that go, go with them.
            let removed =
                replace
                ? try Self.removeUnlisted(
                    db,
                    "unit",
                    keeping: units.lazy.map(\.id),
                    alsoDeleting: ("official", "unit")
                )
                : 0
            try Self.upsert(db, units)
            try Self.checkTree(db)
            let count = try Self.importCount(db, "unit", before: before, removed: removed, listed: units.count)
            try audit.append("unit-import", how: "import", Self.fields(count, replace: replace, via: audit.actor))
            return count
        }
    }
}
