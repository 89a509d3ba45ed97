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
}
