package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyQueries
import Foundation

// `summary`: how a node and the nodes below it stand this year, for supervisors (and the board and
// the bulletin to come).

/// `summary [--unit ID] [--depth N] [--at TIME]`.
package struct SummaryRequest: Codable, Sendable, Equatable {
    /// The node; the whole organisation (its top units as children) when absent.
    package var unit: String?
    /// Levels of children to show: 0 the node alone, 1 (default) its children, up to 4.
    package var depth: Int?
    package var at: String?

    package init() {}

    /// The deepest `--depth`.
    package static let maximumDepth = 4
    /// The most nodes one answer lists.
    package static let maximumNodes = 5_000
}

/// One node: its subtree's tally, and its children's when asked for.
package struct SummaryNode: Codable, Sendable, Equatable {
    /// The unit's id; `nil` for the whole organisation.
    package var unit: String?
    package var name: String
    package var kind: String?
    /// Units in the subtree, itself included.
    package var units: Int
    package var tally: Tally
    /// `tally.onTime / tally.due`; absent before any deadline of the year has passed.
    package var onTimeRate: Double?
    /// Timely receipt (及时签收率), as `report` counts it; absent when none is counted.
    package var receiptRate: Double? = nil
    package var children: [SummaryNode]?

    enum CodingKeys: String, CodingKey {
        case unit, name, kind, units, tally, children
        case onTimeRate = "on_time_rate"
        case receiptRate = "receipt_rate"
    }
}

package struct SummaryAnswer: Codable, Sendable, Equatable {
    package var year: Int
    /// The moment the tally is for, ISO 8601.
    package var at: String
    package var node: SummaryNode
    /// A year whose holidays are not published: its deadlines, and so the counts, are provisional.
    package var warnings: [String]
}

extension Workspace {
    /// `summary`, from a year's tally (the daemon keeps one per store revision; direct mode counts).
    package func summary(
        _ r: SummaryRequest,
        planner: Planner,
        now: Instant,
        tally: (Instant) throws -> YearTally
    ) throws -> SummaryAnswer {
        let depth = r.depth ?? 1
        guard (0...SummaryRequest.maximumDepth).contains(depth) else {
            throw Failure(
                ExitStatus.usage,
                "--depth \(depth): expected 0 to \(SummaryRequest.maximumDepth) (levels of units below the one asked about)"
            )
        }
        let at = try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        let org = planner.organisation
        var root: Int32?
        if let id = r.unit {
            guard let u = org.index[id] else {
                throw Failure(ExitStatus.dataError, "no unit '\(shown(id))'; `dutyctl unit ls` lists them")
            }
            root = u
        }
        // The nodes it would list, counted before anything is built.
        var listed = 1
        func count(_ children: [Int32], _ level: Int) {
            guard level <= depth, listed <= SummaryRequest.maximumNodes else { return }
            listed += children.count
            for c in children { count(Self.children(of: c, org), level + 1) }
        }
        count(root.map { Self.children(of: $0, org) } ?? Self.roots(org), 1)
        guard listed <= SummaryRequest.maximumNodes else {
            throw Failure(
                ExitStatus.usage,
                "--depth \(depth) would list more than \(SummaryRequest.maximumNodes) units; ask for less depth, or for a unit lower down (--unit)"
            )
        }
        let year = try tally(at)
        func node(_ u: Int32, _ level: Int) -> SummaryNode {
            let unit = org.units[Int(u)]
            let t = year.subtree(u, org)
            return SummaryNode(
                unit: unit.id,
                name: unit.name,
                kind: unit.kind,
                units: Int(org.subtreeEnd[Int(u)] - u),
                tally: t,
                onTimeRate: t.onTimeRate,
                receiptRate: t.receiptRate,
                children: level < depth ? Self.children(of: u, org).map { node($0, level + 1) } : nil
            )
        }
        let top: SummaryNode
        if let root {
            top = node(root, 0)
        } else {
            let t = year.everything
            top = SummaryNode(
                unit: nil,
                name: "the whole organisation",
                kind: nil,
                units: org.units.count,
                tally: t,
                onTimeRate: t.onTimeRate,
                receiptRate: t.receiptRate,
                children: depth > 0 ? Self.roots(org).map { node($0, 1) } : nil
            )
        }
        return SummaryAnswer(
            year: year.year,
            at: at.format(in: settings.timezone),
            node: top,
            warnings: workdays.unpublishedWarnings([
                CivilDate(year: year.year, month: 1, day: 1)!, CivilDate(year: year.year, month: 12, day: 31)!,
            ])
        )
    }

    /// A unit's children: the subtree is a range, each child's subtree a run in it.
    static func children(of u: Int32, _ org: Organisation) -> [Int32] {
        var out: [Int32] = []
        var c = u + 1
        let end = org.subtreeEnd[Int(u)]
        while c < end {
            out.append(c)
            c = org.subtreeEnd[Int(c)]
        }
        return out
    }

    package static func roots(_ org: Organisation) -> [Int32] {
        var out: [Int32] = []
        var c: Int32 = 0
        while Int(c) < org.units.count {
            out.append(c)
            c = org.subtreeEnd[Int(c)]
        }
        return out
    }
}

/// `summary`: a node's year so far and its children's, by state and colour, with the on-time rate.
package enum Summary: DutyOperation {
    package static let route = "summary"
    package static let access = Access.read
    package static let command = ["summary"]
    package static func perform(_ r: SummaryRequest, _ c: OperationContext) throws -> SummaryAnswer {
        try c.workspace.summary(r, planner: try c.planner(), now: c.now, tally: c.yearTally)
    }
}
