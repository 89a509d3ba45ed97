import DutyCalendar
import DutyCore

extension DutyStore {
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
}
