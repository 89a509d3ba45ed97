/// Which unit a recipient or a source deadline is found at, seen from the subject unit.
///
/// The written forms, as policies use them:
///
/// | form | the unit |
/// | --- | --- |
/// | `self` | the subject unit (for an official: the official's unit) |
/// | `parent` | its parent |
/// | `region` | the nearest unit, itself included, whose kind is a region kind (a committee) |
/// | `parent-region` | the region above that one |
/// | `region/KIND`, `parent-region/KIND` | the department of that kind directly under the region (`region/propaganda`: the local propaganda department) |
/// | `subject` | the official who is the subject (official obligations only) |
package struct Relation: Hashable, Sendable, CustomStringConvertible {
    package enum Base: String, Sendable, CaseIterable {
        case `self`
        case parent
        case region
        case parentRegion = "parent-region"
        case subject
    }

    package var base: Base
    /// A department kind under the base unit.
    package var department: String?

    package init(_ base: Base, department: String? = nil) {
        self.base = base
        self.department = department
    }

    package static let ownUnit = Relation(.self)

    package var description: String {
        department.map { "\(base.rawValue)/\($0)" } ?? base.rawValue
    }

    /// Parses a written relation; `nil` with a reason when it is not one.
    package static func parse(_ text: String) -> Result<Relation, PolicyProblem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let expected = "expected self, parent, region, parent-region, subject, or region/KIND or parent-region/KIND"
        guard parts.count <= 2, let base = Base(rawValue: String(parts[0])) else {
            return .failure(PolicyProblem("unknown relation '\(text)'; \(expected)"))
        }
        if parts.count == 2 {
            guard base == .region || base == .parentRegion || base == .parent || base == .self, !parts[1].isEmpty
            else {
                return .failure(PolicyProblem("'\(text)': only self, parent, region and parent-region take /KIND"))
            }
            return .success(Relation(base, department: String(parts[1])))
        }
        return .success(Relation(base))
    }
}
