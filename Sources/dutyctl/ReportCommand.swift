import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// `dutyctl report --year YYYY`: how a year's deadlines went, per unit and obligation.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "How a year's deadlines went, per unit and obligation: on time, late, waived, overdue, open.",
        discussion: """
            The figures a yearly assessment asks for (第八条, 第十一条). A deadline counts in the year its \
            deadline day falls in, once its unit is tracked. The on-time rate is on time out of those done or \
            overdue (waived ones, and open ones not yet due, left out). --csv writes UTF-8 with a byte-order mark, so \
            Excel shows the Chinese names.
            Examples:
              dutyctl report --year 2026 --config config/dutyd.toml
              dutyctl report --year 2026 --unit gd.gz --subtree --csv > 2026-广州.csv
            """
    )
    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The year (its deadlines).", valueName: "yyyy"))
    var year: Int

    @Option(help: ArgumentHelp("Only this unit.", valueName: "id"))
    var unit: String?

    @Flag(help: "With --unit: everything below it too.")
    var subtree = false

    @Option(help: ArgumentHelp("As things stood at this time, ISO 8601 (default now).", valueName: "time"))
    var at: String?

    @Flag(help: "Comma-separated values, one line per unit and obligation.")
    var csv = false

    func run() throws {
        try running {
            var r = ReportRequest(year: year)
            r.unit = unit
            r.subtree = subtree
            r.at = at
            // Printed as the lines come, unit by unit: a national report has two million.
            let json = JSONListPrinter(key: "lines")
            let table = StreamingTable(
                [
                    "UNIT", "OBLIGATION", "DUE", "ON TIME", "LATE (MAX DAYS)", "WAIVED", "OVERDUE", "OPEN",
                    "ON-TIME RATE", "EXTENDED",
                ]
            )
            // The CSV header with the first line, not before the question: a refused question (no
            // daemon, no such unit) prints nothing on standard output.
            var headed = false
            func csvLine(_ line: YearReport.Line) {
                if !headed { print("\u{FEFF}" + Report.csvHeader, terminator: "\r\n") }
                headed = true
                print(Report.csvLine(line), terminator: "\r\n")
            }
            let end = try global.rows(DutyOperations.Report.self, r, json: global.json) { row in
                switch row {
                case .json(let bytes): json.add(bytes)
                case .value(let line):
                    if csv { csvLine(line) } else { table.add(Report.tableRow(line)) }
                }
            }
            if global.json {
                struct Rest: Encodable {
                    var year: Int
                    var at: String
                    var total: YearReport.Line
                }
                json.finish(with: Rest(year: end.year, at: end.at, total: end.total))
            } else if csv {
                csvLine(end.total)
            } else if end.count == 0 || end.total.due == 0 {
                print("no deadlines in \(end.year) for \(unit.map { "unit \($0)" } ?? "any unit") (tracked ones only)")
            } else {
                table.finish()
                print(
                    "\(end.year), as of \(end.at): \(end.total.due) deadline(s), on time \(Report.rate(end.total.on_time_rate))"
                        + (end.total.receipt_rate.map { ", receipt on time (及时签收率) \(Report.rate($0))" } ?? "")
                        + (end.total.extended > 0 ? ", \(end.total.extended) extended (延期)" : "")
                )
            }
            warn(end.warnings)
        }
    }

    static func rate(_ r: Double?) -> String {
        guard let r else { return "—" }
        return String(format: "%.1f%%", r * 100)
    }

    static let csvHeader =
        "unit,unit_name,obligation,title,article,due,on_time,late,late_days_max,late_days_total,waived,overdue,open,on_time_rate,received_on_time,received_late,receipt_overdue,receipt_rate,extended"

    /// A line as CSV: a unit's total has no obligation, the whole report's no unit.
    static func csvLine(_ l: YearReport.Line) -> String {
        CSV.spreadsheetLine(
            [
                l.unit, l.unit_name, l.obligation, l.title, l.article, "\(l.due)", "\(l.on_time)", "\(l.late)",
                "\(l.late_days_max)", "\(l.late_days_total)", "\(l.waived)", "\(l.overdue)", "\(l.open)",
                l.on_time_rate.map { String(format: "%.3f", $0) } ?? "", "\(l.received_on_time)", "\(l.received_late)",
                "\(l.receipt_overdue)", l.receipt_rate.map { String(format: "%.3f", $0) } ?? "", "\(l.extended)",
            ],
            numeric: Set(5...18)
        )
    }

    /// A line as the table shows it: a unit's total with its name, its obligations below it.
    static func tableRow(_ l: YearReport.Line) -> [String] {
        [
            l.obligation.isEmpty ? l.unit + " " + l.unit_name : "", l.obligation.isEmpty ? "(all)" : l.obligation,
            "\(l.due)", "\(l.on_time)", "\(l.late) (\(l.late_days_max))", "\(l.waived)", "\(l.overdue)", "\(l.open)",
            Report.rate(l.on_time_rate), "\(l.extended)",
        ]
    }
}
