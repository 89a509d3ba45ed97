import DutyCalendar

// Relations (`parent`, `region.propaganda`, ...): the unit a relation names, seen from a unit.

extension Planner {
    /// The region whose committee supervises unit `u` (the bulletin's): a region's own committee is
    /// supervised by the region above it, every other unit by its region; -1 for the top region.
    package func supervisingRegion(of u: Int32) -> Int32 {
        let r = region[Int(u)]
        guard r == u else { return r }
        let p = organisation.parent[Int(u)]
        return p >= 0 ? region[Int(p)] : -1
    }

    /// Whether `u` is a region's committee (its kind has `region = true`).
    package func isRegion(_ u: Int32) -> Bool { region[Int(u)] == u }

    /// The unit that `relation` names, seen from unit `u`; -1 when there is none.
    package func unit(_ relation: Relation, from u: Int32) -> Int32 {
        PartialPlanner.unit(
            relation,
            from: u,
            region: region,
            parent: organisation.parent,
            kindKeys: kindKeys,
            departments: departments
        )
    }
}

/// What relations need, usable while the planner is being built.
struct PartialPlanner {
    var region: [Int32]
    var parent: [Int32]
    var kindKeys: [String]
    var departments: [Int32: [UInt16: Int32]]

    func unit(_ relation: Relation, from u: Int32) -> Int32 {
        Self.unit(relation, from: u, region: region, parent: parent, kindKeys: kindKeys, departments: departments)
    }

    static func unit(
        _ relation: Relation,
        from u: Int32,
        region: [Int32],
        parent: [Int32],
        kindKeys: [String],
        departments: [Int32: [UInt16: Int32]]
    ) -> Int32 {
        guard u >= 0 else { return -1 }
        var base: Int32
        switch relation.base {
        case .self, .subject: base = u
        case .parent: base = parent[Int(u)]
        case .region: base = region[Int(u)]
        case .parentRegion:
            let r = region[Int(u)]
            base = r >= 0 && parent[Int(r)] >= 0 ? region[Int(parent[Int(r)])] : -1
        }
        guard base >= 0, let d = relation.department else { return base }
        guard let code = kindKeys.firstIndex(of: d) else { return -1 }
        return departments[base]?[UInt16(code)] ?? -1
    }
}
