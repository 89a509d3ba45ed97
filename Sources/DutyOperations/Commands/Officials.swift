import DutyCalendar
package import DutyCore
import DutyFiles
import DutyNotify
package import DutyStore
import Foundation

// `official add|set|rm|ls|show|import|export`: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// An official as `official … --json` prints it.
package struct OfficialView: Codable, Sendable {
    package var id, name, unit: String
    package var email: String?
    package var roles: [String]

    package init(_ o: Official) { (id, name, unit, email, roles) = (o.id, o.name, o.unit, o.email, o.roles) }
}

/// `official ls [--unit ID [--subtree]] [--role ROLE]`.
package struct OfficialListRequest: Codable, Sendable {
    package var unit: String?
    @Default<False> package var subtree: Bool
    package var role: String?

    package init() {}
}

/// `{"officials": [...]}` is what `official ls --json` prints.
package struct OfficialList: Codable, Sendable {
    package var officials: [OfficialView]

    package init(officials: [OfficialView]) { self.officials = officials }
}

/// `official show ID`.
package struct OfficialShowRequest: Codable, Sendable {
    package var id: String

    package init(id: String) { self.id = id }
}

package struct OfficialShow: Codable, Sendable {
    package var official: OfficialView
    package var unitName: String
    /// `secretary (书记)`, as the policy names the roles.
    package var roles: [String]

    enum CodingKeys: String, CodingKey {
        case official, roles
        case unitName = "unit_name"
    }
}

/// `official add ID …` and `official set ID …`; on `set`, an empty email clears it.
package struct OfficialChange: Codable, Sendable {
    package var id: String
    package var name: String?
    package var email: String?
    package var unit: String?
    package var roles: [String]?

    package init(id: String) { self.id = id }
}

/// `official rm ID`; `{"removed": ID}` is what `--json` prints.
package struct OfficialRemoval: Codable, Sendable {
    package var removed: String

    package init(removed: String) { self.removed = removed }
}

extension Workspace {

    private func check(_ r: OfficialChange) throws {
        for role in r.roles ?? [] where !policy.roles.isEmpty && policy.roles[role] == nil {
            throw Failure(
                ExitStatus.usage,
                "--roles: unknown role '\(shown(role))'; expected one of \(policy.roles.keys.sorted().joined(separator: ", "))"
            )
        }
        if let roles = r.roles, roles.isEmpty { throw Failure(ExitStatus.usage, "--roles: name at least one role") }
        if let email = r.email, !email.isEmpty, let p = OrganisationCSV.emailProblem(email) {
            throw Failure(ExitStatus.usage, "--email: \(p)")
        }
    }

    /// `official add`.
    package func addOfficial(_ r: OfficialChange, store: DutyStore) throws -> OfficialView {
        if let p = Identifier.problem(r.id) { throw Failure(ExitStatus.usage, p) }
        try check(r)
        guard let name = r.name, let unit = r.unit, let roles = r.roles else {
            throw Failure(ExitStatus.usage, "a new official needs --name, --unit and --roles")
        }
        let o = Official(id: r.id, name: name, email: r.email, unit: unit, roles: roles)
        try store.addOfficial(o)
        return OfficialView(o)
    }

    /// `official set`.
    package func setOfficial(_ r: OfficialChange, store: DutyStore) throws -> OfficialView {
        try check(r)
        guard var o = try store.official(r.id) else { throw Failure.noOfficial(r.id) }
        if let v = r.name { o.name = v }
        if let v = r.email { o.email = v.isEmpty ? nil : v }
        if let v = r.unit { o.unit = v }
        if let v = r.roles { o.roles = v }
        try store.updateOfficial(o)
        return OfficialView(o)
    }

    /// `official rm`.
    package func removeOfficial(_ r: OfficialRemoval, store: DutyStore) throws -> OfficialRemoval {
        try store.removeOfficial(r.removed)
        return r
    }

    /// `official ls`.
    package func officials(
        _ r: OfficialListRequest,
        planner: Planner,
        _ emit: (OfficialView) throws -> Void
    ) throws -> RowCount {
        let org = planner.organisation
        var range: Range<Int32> = 0..<Int32(org.units.count)
        if let unit = r.unit {
            let u = try org.number(ofUnit: unit)
            range = u..<(r.subtree ? org.subtreeEnd[Int(u)] : u + 1)
        }
        var count = 0
        for u in range {
            if u & 1023 == 0 { try StopSignal.throwIfStopped() }
            for k in org.officials(of: u) {
                let o = org.officials[Int(k)]
                if r.role == nil || o.roles.contains(r.role!) {
                    count += 1
                    try emit(OfficialView(o))
                }
            }
        }
        return RowCount(count: count)
    }

    /// `official show`.
    package func official(_ r: OfficialShowRequest, planner: Planner) throws -> OfficialShow {
        let org = planner.organisation
        guard let k = org.officialIndex[r.id] else { throw Failure.noOfficial(r.id) }
        let o = org.officials[Int(k)]
        return OfficialShow(
            official: OfficialView(o),
            unitName: org.index[o.unit].map { org.units[Int($0)].name } ?? "",
            roles: o.roles.map { role in policy.roles[role].map { "\(role) (\($0))" } ?? role }
        )
    }
}

/// `official ls`.
package enum ListOfficials: RowsOperation {
    package typealias Request = OfficialListRequest
    package typealias Answer = OfficialList
    package static let route = "officials"
    package static let access = Access.read
    package static let command = ["official", "ls"]
    package static let rowsKey = "officials"
    package static func rows(
        _ r: OfficialListRequest,
        _ c: OperationContext,
        _ emit: (OfficialView) throws -> Void
    ) throws -> RowCount {
        try c.workspace.officials(r, planner: try c.planner(), emit)
    }
    package static func answer(rows: [OfficialView], ending: RowCount) -> OfficialList {
        OfficialList(officials: rows)
    }
}

/// `official show`.
package enum ShowOfficial: DutyOperation {
    package static let route = "official"
    package static let access = Access.read
    package static let command = ["official", "show"]
    package static func perform(_ r: OfficialShowRequest, _ c: OperationContext) throws -> OfficialShow {
        try c.workspace.official(r, planner: try c.planner())
    }
}

/// `official add`.
package enum AddOfficial: DutyOperation {
    package static let route = "officials/add"
    package static let access = Access.write
    package static let command = ["official", "add"]
    package static func perform(_ r: OfficialChange, _ c: OperationContext) throws -> OfficialView {
        try c.workspace.addOfficial(r, store: c.store)
    }
    package static func journal(_ r: OfficialChange, _ a: OfficialView) -> (message: String, fields: [String: String]) {
        ("added official \(r.id)", [:])
    }
}

/// `official set`.
package enum SetOfficial: DutyOperation {
    package static let route = "officials/set"
    package static let access = Access.write
    package static let command = ["official", "set"]
    package static func perform(_ r: OfficialChange, _ c: OperationContext) throws -> OfficialView {
        try c.workspace.setOfficial(r, store: c.store)
    }
    package static func journal(_ r: OfficialChange, _ a: OfficialView) -> (message: String, fields: [String: String]) {
        ("changed official \(r.id)", [:])
    }
}

/// `official rm`.
package enum RemoveOfficial: DutyOperation {
    package static let route = "officials/remove"
    package static let access = Access.write
    package static let command = ["official", "rm"]
    package static func perform(_ r: OfficialRemoval, _ c: OperationContext) throws -> OfficialRemoval {
        try c.workspace.removeOfficial(r, store: c.store)
    }
    package static func journal(
        _ r: OfficialRemoval,
        _ a: OfficialRemoval
    ) -> (message: String, fields: [String: String]) {
        ("removed official \(r.removed)", [:])
    }
}
