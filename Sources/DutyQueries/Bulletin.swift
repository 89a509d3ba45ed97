package import DutyCalendar
package import DutyCore

/// The bulletin (通报) of a period for one supervising region: the units its committee and propaganda
/// department supervise (the region's own units, and the committees of the regions directly below
/// it), those late or late in the period listed by unit in tree order — never a ranking of persons —
/// with their on-time and timely-receipt figures, and the region's totals.
package struct BulletinRegion: Codable, Sendable, Equatable {
    /// The region's committee.
    package var unit: String
    package var name: String
    /// Who it goes to: the committee and its propaganda department.
    package var supervisors: [String]
    /// Units it supervises that had deadlines in the period.
    package var units: Int
    /// Those late now or done late in the period, in tree order.
    package var late: [YearReport.Line]
    /// Every supervised unit's figures together.
    package var total: YearReport.Line
}

extension Planner {
    /// The bulletin of the deadlines from `first` through `last` as they stand at `at`, for every
    /// supervising region (`region` nil) or one: each region to `emit`, in tree order.
    package func eachBulletinRegion(
        deadlines first: CivilDate,
        through last: CivilDate,
        region: Int32?,
        at: Instant,
        records: DutyRecords,
        _ emit: (BulletinRegion) throws -> Void
    ) throws {
        // The units a region supervises are its subtree's, less the sub-regions' own units: count the
        // region's subtree (or everything) and keep each unit under its supervising region.
        var q = OccurrenceQuery(at: at)
        if let region {
            q.unit = organisation.units[Int(region)].id
            q.subtree = true
        }
        var regions: [Int32: BulletinRegion] = [:]
        _ = try eachReportLine(deadlines: first, through: last, q, records: records) { line in
            guard line.obligation.isEmpty, let u = organisation.index[line.unit] else { return }
            let r = supervisingRegion(of: u)
            guard r >= 0, region == nil || r == region else { return }
            var b =
                regions[r]
                ?? BulletinRegion(
                    unit: organisation.units[Int(r)].id,
                    name: organisation.units[Int(r)].name,
                    supervisors: [r, unit(Relation(.self, department: "propaganda"), from: r)].filter { $0 >= 0 }.map {
                        organisation.units[Int($0)].id
                    },
                    units: 0,
                    late: [],
                    total: YearReport.Line(
                        unit: organisation.units[Int(r)].id,
                        unit_name: organisation.units[Int(r)].name,
                        obligation: "",
                        title: "",
                        article: ""
                    )
                )
            b.units += 1
            b.total.add(line)
            if line.late > 0 || line.overdue > 0 { b.late.append(line) }
            regions[r] = b
        }
        for r in regions.keys.sorted() {
            var b = regions[r]!
            b.total.finish()
            try emit(b)
        }
    }
}
