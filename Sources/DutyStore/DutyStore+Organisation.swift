import DutyCalendar
package import DutyCore

extension DutyStore {
    // MARK: Reads

    package func units() throws(StoreError) -> [OrgUnit] {
        try read { db in
            try db.streamAll("SELECT \(Self.unitColumns) FROM unit ORDER BY position", [], Self.unit)
        }
    }

    package func unit(_ id: String) throws(StoreError) -> OrgUnit? {
        try read { db in
            try db.first("SELECT \(Self.unitColumns) FROM unit WHERE id = ?", [.text(id)], Self.unit)
        }
    }

    package func officials() throws(StoreError) -> [Official] {
        try read { db in
            var out: [Official] = []
            // A million officials hold a handful of distinct role lists: share them.
            var roleLists: [String: [String]] = [:]
            try db.stream("SELECT id, name, email, unit, roles FROM official ORDER BY position", []) { r in
                let text = try r.string(4)
                let roles = roleLists[text] ?? text.split(separator: " ").map(String.init)
                if roleLists.count < 1000 { roleLists[text] = roles }
                out.append(
                    Official(
                        id: try r.string(0),
                        name: try r.string(1),
                        email: try r.text(2),
                        unit: try r.string(3),
                        roles: roles
                    )
                )
            }
            return out
        }
    }

    package func official(_ id: String) throws(StoreError) -> Official? {
        try read { db in
            try db.first("SELECT id, name, email, unit, roles FROM official WHERE id = ?", [.text(id)], Self.official)
        }
    }

    static let unitColumns = "id, name, kind, parent, email, added_on, track_from"

    /// A unit from a row of `unitColumns`.
    static func unit(_ r: any SQLRow) throws -> OrgUnit {
        let id = try r.string(0)
        return OrgUnit(
            id: id,
            name: try r.string(1),
            kind: try r.string(2),
            parent: try r.text(3),
            email: try r.text(4),
            addedOn: try storedDay(try r.string(5), "unit.added_on of '\(id)'"),
            trackFrom: try r.text(6).map { (t: String) throws(StoreError) in
                try storedDay(t, "unit.track_from of '\(id)'")
            }
        )
    }

    static func official(_ r: any SQLRow) throws -> Official {
        Official(
            id: try r.string(0),
            name: try r.string(1),
            email: try r.text(2),
            unit: try r.string(3),
            roles: try r.string(4).split(separator: " ").map(String.init)
        )
    }

    // MARK: Units

    /// Adds a new unit; its parent must exist.
    package func addUnit(_ u: OrgUnit) throws(StoreError) {
        try change(.organisation) { db, audit in
            if try Self.exists(db, "unit", u.id) {
                throw StoreError(.conflict, "unit '\(u.id)' exists already; use `dutyctl unit set` to change it")
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
                throw StoreError(.notFound, "no unit '\(u.id)'; `dutyctl unit ls` lists them")
            }
            try Self.checkParent(db, u)
            var p = u.parent
            var hops = 0
            while let x = p, hops < 10_000 {
                if x == u.id {
                    throw StoreError(.conflict, "unit '\(u.id)' cannot move under its own descendant '\(u.parent!)'")
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
                throw StoreError(.notFound, "no unit '\(id)'; `dutyctl unit ls` lists them")
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
                        "unit '\(id)' has \(children) child unit(s) and \(people) official(s); move or remove them first, or pass --recursive to remove them all"
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

    // MARK: Officials

    package func addOfficial(_ o: Official) throws(StoreError) {
        try change(.organisation) { db, audit in
            if try Self.exists(db, "official", o.id) {
                throw StoreError(
                    .conflict,
                    "official '\(o.id)' exists already; use `dutyctl official set` to change them"
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
                throw StoreError(.notFound, "no official '\(o.id)'; `dutyctl official ls` lists them")
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
                throw StoreError(.notFound, "no official '\(id)'; `dutyctl official ls` lists them")
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

    // MARK: The audit trail's fields

    static func fields(_ u: OrgUnit) -> [String: String] {
        var fields = ["name": u.name, "kind": u.kind]
        if let p = u.parent { fields["parent"] = p }
        if let e = u.email { fields["email"] = e }
        if let t = u.trackFrom { fields["track_from"] = t.description }
        return fields
    }

    static func fields(_ o: Official) -> [String: String] {
        var fields = ["id": o.id, "name": o.name, "roles": o.roles.joined(separator: " ")]
        if let e = o.email { fields["email"] = e }
        return fields
    }

    static func fields(_ c: ImportCount, replace: Bool, via actor: AuditActor) -> [String: String] {
        [
            "added": "\(c.added)", "updated": "\(c.updated)", "removed": "\(c.removed)", "replace": "\(replace)",
            "via": actor.how,
        ]
    }

    // MARK: Bulk writes

    static func count(_ db: any SQLSession, _ table: String) throws -> Int {
        try db.integer("SELECT count(*) FROM \(table)") ?? 0
    }

    /// Deletes the rows of `table` whose id `keeping` does not list (and first the rows `alsoDeleting`
    /// names: a table and its column holding such an id, e.g. `("official", "unit")`); returns how many rows of `table` went.
    static func removeUnlisted(
        _ db: any SQLSession,
        _ table: String,
        keeping ids: some Sequence<String>,
        alsoDeleting dependent: (table: String, column: String)? = nil
    ) throws -> Int {
        try db.execute("CREATE TEMP TABLE keep(id TEXT PRIMARY KEY)")
        try db.insert(into: "keep", ["id"], ids.map { [.text($0)] }, suffix: "ON CONFLICT DO NOTHING")
        // NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a million ids row by row once they do
        // not fit its hash table's memory (hours); both engines make NOT EXISTS an anti-join.
        if let (t, c) = dependent {
            try db.execute("DELETE FROM \(t) WHERE NOT EXISTS (SELECT 1 FROM keep WHERE keep.id = \(t).\(c))")
        }
        let removed = try db.execute(
            "DELETE FROM \(table) WHERE NOT EXISTS (SELECT 1 FROM keep WHERE keep.id = \(table).id)"
        )
        try db.execute("DROP TABLE keep")
        return removed
    }

    /// Added and updated follow from the row counts before and after.
    static func importCount(
        _ db: any SQLSession,
        _ table: String,
        before: Int,
        removed: Int,
        listed: Int
    ) throws -> ImportCount {
        let added = try count(db, table) - (before - removed)
        return ImportCount(added: added, updated: listed - added, removed: removed)
    }

    /// Inserts or updates units; an existing unit keeps the day it was added, its place in the list
    /// (`position`: the order units were first added, which lists and the planner follow on either
    /// engine), and its tracking start unless a new one is given.
    static func upsert(_ db: any SQLSession, _ units: some Sequence<OrgUnit>) throws {
        var next = Int64(try db.integer("SELECT coalesce(max(position), 0) FROM unit") ?? 0)
        let rows = lastOfEach(units, \.id).map { u -> [SQLValue] in
            next += 1
            return [
                .text(u.id), .text(u.name), .text(u.kind), SQLValue(u.parent), SQLValue(u.email),
                .text(u.addedOn.description), SQLValue(u.trackFrom?.description), .integer(next),
            ]
        }
        try db.insert(
            into: "unit",
            ["id", "name", "kind", "parent", "email", "added_on", "track_from", "position"],
            rows,
            suffix: """
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, parent = excluded.parent,
                    email = excluded.email, track_from = coalesce(excluded.track_from, unit.track_from)
                """
        )
    }

    static func upsert(_ db: any SQLSession, _ officials: some Sequence<Official>) throws {
        var next = Int64(try db.integer("SELECT coalesce(max(position), 0) FROM official") ?? 0)
        let rows = lastOfEach(officials, \.id).map { o -> [SQLValue] in
            next += 1
            return [
                .text(o.id), .text(o.name), SQLValue(o.email), .text(o.unit), .text(o.roles.joined(separator: " ")),
                .integer(next),
            ]
        }
        try db.insert(
            into: "official",
            ["id", "name", "email", "unit", "roles", "position"],
            rows,
            suffix: """
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, unit = excluded.unit,
                    roles = excluded.roles
                """
        )
    }

    /// The items in their first order, each id once with its last values: what writing them one
    /// after the other would leave (a statement of many rows may not change one row twice).
    static func lastOfEach<T>(_ items: some Sequence<T>, _ key: KeyPath<T, String>) -> [T] {
        var out: [T] = []
        var at: [String: Int] = [:]
        for item in items {
            if let i = at[item[keyPath: key]] {
                out[i] = item
            } else {
                at[item[keyPath: key]] = out.count
                out.append(item)
            }
        }
        return out
    }

    // MARK: Checks

    static func exists(_ db: any SQLSession, _ table: String, _ id: String) throws -> Bool {
        try db.exists("SELECT 1 FROM \(table) WHERE id = ?", [.text(id)])
    }

    static func checkParent(_ db: any SQLSession, _ u: OrgUnit) throws {
        if let p = u.parent {
            if p == u.id { throw StoreError(.conflict, "unit '\(u.id)' cannot be its own parent") }
            guard try exists(db, "unit", p) else {
                throw StoreError(.notFound, "parent '\(p)' of unit '\(u.id)' does not exist; add it first")
            }
        }
    }

    static func checkUnit(_ db: any SQLSession, _ o: Official) throws {
        guard try exists(db, "unit", o.unit) else {
            throw StoreError(
                .notFound,
                "official '\(o.id)' names unit '\(o.unit)', which does not exist; add the unit first"
            )
        }
    }

    /// Every parent exists and no unit is its own ancestor.
    static func checkTree(_ db: any SQLSession) throws {
        if let orphan = try db.first(
            """
            SELECT c.id, c.parent FROM unit c
            WHERE c.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unit p WHERE p.id = c.parent) LIMIT 1
            """,
            [],
            { (try $0.string(0), try $0.string(1)) }
        ) {
            throw StoreError(
                .notFound,
                "unit '\(orphan.0)' names parent '\(orphan.1)', which does not exist",
                id: orphan.0
            )
        }
        // Every unit must be reachable from a root; the engine counts them along the parent index.
        let total = try db.integer("SELECT count(*) FROM unit") ?? 0
        let reachable =
            try db.integer(
                """
                WITH RECURSIVE reached(id) AS (
                    SELECT id FROM unit WHERE parent IS NULL
                    UNION ALL SELECT unit.id FROM unit JOIN reached ON unit.parent = reached.id
                )
                SELECT count(*) FROM reached
                """
            ) ?? 0
        if reachable == total { return }
        // Some unit is its own ancestor: find one cycle to name it.
        var parent: [String: String] = [:]
        try db.stream("SELECT id, parent FROM unit WHERE parent IS NOT NULL", []) { r in
            parent[try r.string(0)] = try r.string(1)
        }
        var rooted: Set<String> = []
        for start in parent.keys.sorted() where !rooted.contains(start) {
            var path: [String] = []
            var onPath: Set<String> = []
            var x: String? = start
            while let id = x, !rooted.contains(id) {
                if !onPath.insert(id).inserted {
                    throw StoreError(
                        .conflict,
                        "units form a cycle: \((path.drop { $0 != id } + [id]).joined(separator: " → "))",
                        id: id
                    )
                }
                path.append(id)
                x = parent[id]
            }
            rooted.formUnion(path)
        }
    }
}

/// What an import changed.
package struct ImportCount: Sendable, Equatable {
    package var added = 0
    package var updated = 0
    package var removed = 0

    package init(added: Int = 0, updated: Int = 0, removed: Int = 0) {
        self.added = added
        self.updated = updated
        self.removed = removed
    }
}
