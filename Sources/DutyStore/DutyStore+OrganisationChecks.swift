import DutyCalendar
import DutyCore

extension DutyStore {
    // MARK: Checks

    static func exists(_ db: any SQLSession, _ table: String, _ id: String) throws -> Bool {
        try db.exists("SELECT 1 FROM \(table) WHERE id = ?", [.text(id)])
    }

    static func checkParent(_ db: any SQLSession, _ u: OrgUnit) throws {
        if let p = u.parent {
            if p == u.id { throw StoreError(.conflict, "unit '\(shown(u.id))' cannot be its own parent") }
            guard try exists(db, "unit", p) else {
                throw StoreError(
                    .notFound,
                    "parent '\(shown(p))' of unit '\(shown(u.id))' does not exist; add it first"
                )
            }
        }
    }

    static func checkUnit(_ db: any SQLSession, _ o: Official) throws {
        guard try exists(db, "unit", o.unit) else {
            throw StoreError(
                .notFound,
                "official '\(shown(o.id))' names unit '\(shown(o.unit))', which does not exist; add the unit first"
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
