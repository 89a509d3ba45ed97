package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyStore
import Foundation

// `unit add|set|rm|ls|show`: the requests as typed, their answers, and the functions both front ends
// call (direct mode on the files, dutyd for its API). Imports and exports: ImportsExports.swift.

extension Workspace {
    private func check(_ r: UnitChange) throws {
        if let kind = r.kind, !policy.kinds.isEmpty, policy.kinds[kind] == nil {
            throw Failure(
                ExitStatus.usage,
                "--kind: unknown kind '\(shown(kind))'; expected one of \(policy.kinds.keys.sorted().joined(separator: ", "))"
            )
        }
        if let email = r.email, let p = OrganisationCSV.emailProblem(email) {
            throw Failure(ExitStatus.usage, "--email: \(p)")
        }
        if let parent = r.parent, let p = Identifier.problem(parent) {
            throw Failure(ExitStatus.usage, "--parent: \(p)")
        }
    }

    /// `unit add`.
    package func addUnit(_ r: UnitChange, store: DutyStore, now: Instant) throws -> UnitView {
        if let p = Identifier.problem(r.id) { throw Failure(ExitStatus.usage, p) }
        try check(r)
        guard let name = r.name, let kind = r.kind else {
            throw Failure(ExitStatus.usage, "a new unit needs --name and --kind")
        }
        let unit = OrgUnit(
            id: r.id,
            name: name,
            kind: kind,
            parent: r.parent,
            email: r.email,
            addedOn: settings.timezone.day(of: now),
            trackFrom: try r.trackFrom.map { try parseDate($0, option: "--track-from") }
        )
        try store.addUnit(unit)
        return UnitView(unit)
    }

    /// `unit set`.
    package func setUnit(_ r: UnitChange, store: DutyStore) throws -> UnitView {
        guard var unit = try store.unit(r.id) else { throw Failure.noUnit(r.id) }
        var f = r
        if f.email == "" {
            unit.email = nil
            f.email = nil
        }
        if f.parent == "" {
            unit.parent = nil
            f.parent = nil
        }
        if f.trackFrom == "" {
            unit.trackFrom = nil
            f.trackFrom = nil
        }
        try check(f)
        if let v = f.name { unit.name = v }
        if let v = f.kind { unit.kind = v }
        if let v = f.parent { unit.parent = v }
        if let v = f.email { unit.email = v }
        if let v = f.trackFrom { unit.trackFrom = try parseDate(v, option: "--track-from") }
        try store.updateUnit(unit)
        return UnitView(unit)
    }

    /// `unit rm`.
    package func removeUnit(_ r: UnitRemoval, store: DutyStore) throws -> UnitRemoved {
        let (units, officials) = try store.removeUnit(r.id, recursive: r.recursive)
        return UnitRemoved(removed_units: units, removed_officials: officials)
    }

    /// `unit ls`: every unit picked to `emit`, in tree order with its depth (a million at national
    /// scale: streamed, never collected).
    package func units(_ r: UnitListRequest, planner: Planner, _ emit: (UnitView) throws -> Void) throws -> RowCount {
        let org = planner.organisation
        var range = 0..<org.units.count
        if let under = r.under {
            let u = try org.number(ofUnit: under)
            range = Int(u)..<Int(org.subtreeEnd[Int(u)])
        }
        // Depths along the walk: a unit's is one more than its parent's, and parents come first.
        var depth = [Int32](repeating: 0, count: range.count)
        var count = 0
        for i in range {
            let p = Int(org.parent[i])
            let d =
                p >= range.lowerBound ? depth[p - range.lowerBound] + 1 : Int32(org.ancestry(of: Int32(i)).count - 1)
            depth[i - range.lowerBound] = d
            guard r.kind == nil || org.units[i].kind == r.kind else { continue }
            if count & 1023 == 0 { try StopSignal.throwIfStopped() }
            count += 1
            try emit(UnitView(org.units[i], depth: Int(d)))
        }
        return RowCount(count: count)
    }

    /// `unit show`.
    package func unit(_ r: UnitShowRequest, planner: Planner) throws -> UnitShow {
        let u = try planner.organisation.number(ofUnit: r.id)
        let unit = planner.organisation.units[Int(u)]
        let people = planner.organisation.officials(of: u).map { planner.organisation.officials[Int($0)] }
        return UnitShow(
            unit: UnitView(unit),
            officials: people.map(OfficialView.init),
            obligations: planner.policy.obligations.indices.filter {
                !planner.policy.obligations[$0].appliesTo.subjectsAreOfficials && planner.isSubject(u, of: $0)
            }
            .map { planner.policy.obligations[$0].id },
            kindName: policy.kinds[unit.kind]?.name ?? "",
            trackedFrom: (unit.trackFrom ?? settings.trackFrom ?? unit.addedOn).description
        )
    }
}

/// `unit ls`.
package enum ListUnits: RowsOperation {
    package typealias Request = UnitListRequest
    package typealias Answer = UnitList
    package static let route = "units"
    package static let access = Access.read
    package static let command = ["unit", "ls"]
    package static let rowsKey = "units"
    package static func rows(
        _ r: UnitListRequest,
        _ c: OperationContext,
        _ emit: (UnitView) throws -> Void
    ) throws -> RowCount {
        try c.workspace.units(r, planner: try c.planner(), emit)
    }
    package static func answer(rows: [UnitView], ending: RowCount) -> UnitList { UnitList(units: rows) }
}

/// `unit show`.
package enum ShowUnit: DutyOperation {
    package static let route = "unit"
    package static let access = Access.read
    package static let command = ["unit", "show"]
    package static func perform(_ r: UnitShowRequest, _ c: OperationContext) throws -> UnitShow {
        try c.workspace.unit(r, planner: try c.planner())
    }
}

/// `unit add`.
package enum AddUnit: DutyOperation {
    package static let route = "units/add"
    package static let access = Access.write
    package static let command = ["unit", "add"]
    package static func perform(_ r: UnitChange, _ c: OperationContext) throws -> UnitView {
        try c.workspace.addUnit(r, store: c.store, now: c.now)
    }
    package static func journal(_ r: UnitChange, _ a: UnitView) -> (message: String, fields: [String: String]) {
        ("added unit \(r.id)", [:])
    }
}

/// `unit set`.
package enum SetUnit: DutyOperation {
    package static let route = "units/set"
    package static let access = Access.write
    package static let command = ["unit", "set"]
    package static func perform(_ r: UnitChange, _ c: OperationContext) throws -> UnitView {
        try c.workspace.setUnit(r, store: c.store)
    }
    package static func journal(_ r: UnitChange, _ a: UnitView) -> (message: String, fields: [String: String]) {
        ("changed unit \(r.id)", [:])
    }
}

/// `unit rm`.
package enum RemoveUnit: DutyOperation {
    package static let route = "units/remove"
    package static let access = Access.write
    package static let command = ["unit", "rm"]
    package static func perform(_ r: UnitRemoval, _ c: OperationContext) throws -> UnitRemoved {
        try c.workspace.removeUnit(r, store: c.store)
    }
    package static func journal(_ r: UnitRemoval, _ a: UnitRemoved) -> (message: String, fields: [String: String]) {
        ("removed unit \(r.id)\(r.recursive ? " and everything below it" : "")", [:])
    }
}
