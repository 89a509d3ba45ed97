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
        abstract: "How a year's deadlines went, per unit and obligation: on time, late, waived, overdue, open.",
        discussion: """
            The figures a yearly assessment asks for (第八条, 第十一条). A deadline counts in the year its \
            deadline day falls in, once its unit is tracked. The on-time rate is on time out of those whose \
            deadline has passed, waived ones left out. --csv writes UTF-8 with a byte-order mark, so \
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
            let answer: ReportAnswer = try global.perform(DutyOperations.Report.self, r)
            warn(answer.warnings)
            let report = answer.report
            if global.json {
                printJSON(report)
            } else if csv {
                print("\u{FEFF}" + Report.csvLines(report).joined(separator: "\r\n"), terminator: "\r\n")
            } else {
                printText(report)
            }
        }
    }

    static func rate(_ r: Double?) -> String {
        guard let r else { return "—" }
        return String(format: "%.1f%%", r * 100)
    }

    static func csvLines(_ r: YearReport) -> [String] {
        var out = [
            "unit,unit_name,obligation,title,article,due,on_time,late,late_days_max,late_days_total,waived,overdue,open,on_time_rate"
        ]
        for l in r.lines + r.units + [r.total] {
            out.append(
                CSV.spreadsheetLine(
                    [
                        l.unit, l.unit_name, l.obligation, l.title, l.article, "\(l.due)", "\(l.on_time)", "\(l.late)",
                        "\(l.late_days_max)", "\(l.late_days_total)", "\(l.waived)", "\(l.overdue)", "\(l.open)",
                        l.on_time_rate.map { String(format: "%.3f", $0) } ?? "",
                    ],
                    numeric: Set(5...13)
                )
            )
        }
        return out
    }

    func printText(_ r: YearReport) {
        guard r.total.due > 0 else {
            print("no deadlines in \(r.year) for \(unit.map { "unit \($0)" } ?? "any unit") (tracked ones only)")
            return
        }
        print("\(r.year), as of \(r.at): \(r.total.due) deadline(s), on time \(Report.rate(r.total.on_time_rate))")
        // The lines come unit by unit in the units' order: one pass, not a search per unit (a
        // national report has a million units).
        let table = StreamingTable(
            ["UNIT", "OBLIGATION", "DUE", "ON TIME", "LATE (MAX DAYS)", "WAIVED", "OVERDUE", "OPEN", "ON-TIME RATE"]
        )
        var next = 0
        for unit in r.units {
            table.add([
                unit.unit + " " + unit.unit_name, "(all)", "\(unit.due)", "\(unit.on_time)",
                "\(unit.late) (\(unit.late_days_max))",
                "\(unit.waived)", "\(unit.overdue)", "\(unit.open)", Report.rate(unit.on_time_rate),
            ])
            while next < r.lines.count && r.lines[next].unit == unit.unit {
                let line = r.lines[next]
                next += 1
                table.add([
                    "", line.obligation, "\(line.due)", "\(line.on_time)", "\(line.late) (\(line.late_days_max))",
                    "\(line.waived)", "\(line.overdue)", "\(line.open)", Report.rate(line.on_time_rate),
                ])
            }
        }
        table.finish()
    }
}
