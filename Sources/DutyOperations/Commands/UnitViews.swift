import DutyCalendar
package import DutyCore
import DutyFiles
import DutyStore
import Foundation

/// A unit as `unit add|set|ls|show --json` prints it.
package struct UnitView: Codable, Sendable {
    package var id, name, kind: String
    package var parent, email: String?
    package var addedOn: String
    package var trackFrom: String?
    /// In `unit ls`: levels below the top of the tree (the table indents by it).
    package var depth: Int?

    package init(_ u: OrgUnit, depth: Int? = nil) {
        (id, name, kind, parent, email) = (u.id, u.name, u.kind, u.parent, u.email)
        addedOn = u.addedOn.description
        trackFrom = u.trackFrom?.description
        self.depth = depth
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, parent, email, depth
        case addedOn = "added_on"
        case trackFrom = "track_from"
    }
}

/// `unit ls [--under ID] [--kind KIND]`.
package struct UnitListRequest: Codable, Sendable {
    package var under: String?
    package var kind: String?

    package init() {}
}

/// The units in tree order, each with its depth; `{"units": [...]}` is what `--json` prints.
package struct UnitList: Codable, Sendable {
    package var units: [UnitView]
}

/// `unit show ID`.
package struct UnitShowRequest: Codable, Sendable {
    package var id: String

    package init(id: String) { self.id = id }
}

package struct UnitShow: Codable, Sendable {
    package var unit: UnitView
    package var officials: [OfficialView]
    package var obligations: [String]
    /// The kind's name in the policy (`党委`), empty when it has none.
    package var kindName: String
    package var trackedFrom: String

    enum CodingKeys: String, CodingKey {
        case unit, officials, obligations
        case kindName = "kind_name"
        case trackedFrom = "tracked_from"
    }
}

/// `unit add ID …` and `unit set ID …`: the fields as typed; on `set`, an empty email, parent or
/// track_from clears it.
package struct UnitChange: Codable, Sendable {
    package var id: String
    package var name: String?
    package var kind: String?
    package var parent: String?
    package var email: String?
    package var trackFrom: String?

    package init(id: String) { self.id = id }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, parent, email
        case trackFrom = "track_from"
    }
}

/// `unit rm ID [--recursive]`.
package struct UnitRemoval: Codable, Sendable {
    package var id: String
    @Default<False> package var recursive: Bool

    package init(id: String, recursive: Bool) {
        self.id = id
        self.recursive = recursive
    }
}

/// `{"removed_units": N, "removed_officials": M}`, what `unit rm --json` prints.
package struct UnitRemoved: Codable, Sendable {
    package var removed_units: Int
    package var removed_officials: Int
}
