package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyQueries
import Foundation

// `bulletin`: the periodic bulletin (通报) of the late, per supervising region: the request as the
// options were typed, its answer, and the function both front ends call.

/// `bulletin --period 2026-H2 [--unit ID] [--at TIME]`.
package struct BulletinRequest: Codable, Sendable {
    /// `2026`, `2026-H2`, `2026-Q4` or `2026-11`.
    package var period: String
    /// A region's committee or one of its departments: that region only.
    package var unit: String?
    package var at: String?

    package init(period: String) { self.period = period }
}

/// What follows the regions: the period's days, the moment, how many regions, the warnings.
package struct BulletinEnding: Codable, Sendable, Equatable {
    package var period: String
    package var from: String
    package var through: String
    package var at: String
    package var count: Int
    package var warnings: [String]
}

/// `{"regions": [...], "period", "from", "through", "at", "count", "warnings"}`.
package struct BulletinAnswer: Codable, Sendable {
    package var regions: [BulletinRegion]
    package var ending: BulletinEnding
}

extension Workspace {
    /// The first and last day of a period named as occurrences name theirs.
    package static func periodDays(_ text: String) throws -> (CivilDate, CivilDate) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let usage = Failure(
            ExitStatus.usage,
            "--period \(shown(text)): expected a year (2026), a half year (2026-H2), a quarter (2026-Q4) or a month (2026-11)"
        )
        guard let year = Int(parts[0]), (1970...9999).contains(year), parts[0].count == 4 else { throw usage }
        func months(_ a: Int, _ b: Int) -> (CivilDate, CivilDate) {
            (
                CivilDate(year: year, month: a, day: 1)!,
                CivilDate(year: year, month: b, day: CivilDate.daysInMonth(year: year, month: b))!
            )
        }
        if parts.count == 1 { return months(1, 12) }
        guard parts.count == 2 else { throw usage }
        let rest = String(parts[1])
        switch (rest.first, Int(rest.dropFirst()), Int(rest)) {
        case ("H", let h?, _) where (1...2).contains(h): return months(h * 6 - 5, h * 6)
        case ("Q", let q?, _) where (1...4).contains(q): return months(q * 3 - 2, q * 3)
        case (_, _, let m?) where (1...12).contains(m) && rest.count == 2: return months(m, m)
        default: throw usage
        }
    }

    /// `bulletin`: each supervising region's bulletin to `emit`, then the ending.
    package func bulletin(
        _ r: BulletinRequest,
        planner: Planner,
        records: DutyRecords,
        now: Instant,
        _ emit: (BulletinRegion) throws -> Void
    ) throws -> BulletinEnding {
        let (from, through) = try Self.periodDays(r.period)
        let at = try r.at.map { try parseInstant($0, zone: settings.timezone, option: "--at") } ?? now
        var region: Int32?
        if let id = r.unit {
            let u = try planner.organisation.number(ofUnit: id)
            // A department stands for its region: the propaganda department gets the same bulletin.
            let own = planner.unit(Relation(.region), from: u)
            guard own >= 0 else {
                throw Failure(ExitStatus.dataError, "unit '\(shown(id))' is in no region; a bulletin is a region's")
            }
            region = own
        }
        var count = 0
        try planner.eachBulletinRegion(deadlines: from, through: through, region: region, at: at, records: records) {
            count += 1
            try emit($0)
        }
        return BulletinEnding(
            period: r.period,
            from: from.description,
            through: through.description,
            at: at.format(in: settings.timezone),
            count: count,
            warnings: workdays.unpublishedWarnings([from, through])
        )
    }
}

/// `bulletin`.
package enum Bulletin: RowsOperation {
    package typealias Request = BulletinRequest
    package typealias Answer = BulletinAnswer
    package static let route = "bulletin"
    package static let access = Access.read
    package static let command = ["bulletin"]
    package static let rowsKey = "regions"
    package static func rows(
        _ r: BulletinRequest,
        _ c: OperationContext,
        _ emit: (BulletinRegion) throws -> Void
    ) throws -> BulletinEnding {
        try c.workspace.bulletin(r, planner: try c.planner(), records: try c.records(), now: c.now, emit)
    }
    package static func answer(rows: [BulletinRegion], ending: BulletinEnding) -> BulletinAnswer {
        BulletinAnswer(regions: rows, ending: ending)
    }
}

extension BulletinRegion {
    /// The spreadsheet's header: one line per late unit, then the region's total (no unit).
    package static let csvHeader =
        "region,region_name,unit,unit_name,due,on_time,late,late_days_max,overdue,on_time_rate,received_on_time,received_late,receipt_overdue,receipt_rate"

    /// The region's lines: its late units, then its total; formulas neutralised, numbers as numbers.
    package var csvLines: [String] {
        func rate(_ r: Double?) -> String { r.map { String(format: "%.3f", $0) } ?? "" }
        func line(_ l: YearReport.Line, total: Bool) -> String {
            CSV.spreadsheetLine(
                [
                    unit, name, total ? "" : l.unit, total ? "" : l.unit_name, "\(l.due)", "\(l.on_time)", "\(l.late)",
                    "\(l.late_days_max)", "\(l.overdue)", rate(l.on_time_rate), "\(l.received_on_time)",
                    "\(l.received_late)", "\(l.receipt_overdue)", rate(l.receipt_rate),
                ],
                numeric: Set(4...13)
            )
        }
        return late.map { line($0, total: false) } + [line(total, total: true)]
    }

    /// The whole file Excel opens: UTF-8 with a byte-order mark, CRLF.
    package var csvDocument: String {
        "\u{FEFF}" + ([Self.csvHeader] + csvLines).map { $0 + "\r\n" }.joined()
    }
}
