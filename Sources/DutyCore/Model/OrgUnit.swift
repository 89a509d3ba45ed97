package import DutyCalendar

/// One unit of the organisation: a committee, a department, a party group (docs/design.md, Domain).
///
/// ```swift
/// OrgUnit(id: "gd.gz", name: "广州市委", kind: "committee", parent: "gd", addedOn: today)
/// ```
package struct OrgUnit: Sendable, Hashable {
    /// Stable ASCII id, dotted by convention (`gd.gz.panyu`).
    package var id: String
    package var name: String
    /// A kind the policy declares (`committee`, `propaganda`, …).
    package var kind: String
    package var parent: String?
    /// The unit's own mailbox, if it has one.
    package var email: String?
    /// The day the unit was added to the store: its obligations are tracked from then unless
    /// `trackFrom` or the settings' `track_from` say otherwise.
    package var addedOn: CivilDate
    /// Tracking start given when the unit was added or imported.
    package var trackFrom: CivilDate?

    package init(
        id: String,
        name: String,
        kind: String,
        parent: String? = nil,
        email: String? = nil,
        addedOn: CivilDate,
        trackFrom: CivilDate? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.parent = parent
        self.email = email
        self.addedOn = addedOn
        self.trackFrom = trackFrom
    }
}

/// A person with one or more roles in a unit.
package struct Official: Sendable, Hashable {
    package var id: String
    package var name: String
    package var email: String?
    package var unit: String
    /// Role keys the policy declares (`secretary`, `deputy`, `member`, `head`, `clerk`).
    package var roles: [String]

    package init(id: String, name: String, email: String? = nil, unit: String, roles: [String]) {
        self.id = id
        self.name = name
        self.email = email
        self.unit = unit
        self.roles = roles
    }
}

/// Ids of units, officials and events: ASCII letters, digits, `.`, `-` and `_`, starting with a letter
/// or digit, at most 128 characters. They appear in occurrence ids (`obligation/subject/period`), so
/// they never contain `/`.
package enum Identifier {
    package static func problem(_ id: String) -> String? {
        if id.isEmpty { return "an id is empty" }
        if id.utf8.count > 128 { return "id '\(id)' is longer than 128 characters" }
        guard let first = id.utf8.first, isAlphanumeric(first) else {
            return "id '\(id)' must start with an ASCII letter or digit"
        }
        for c in id.unicodeScalars {
            guard c.isASCII, isAlphanumeric(UInt8(c.value)) || c == "." || c == "-" || c == "_" else {
                return "id '\(id)' contains '\(c)'; use ASCII letters, digits, '.', '-' and '_'"
            }
        }
        return nil
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
