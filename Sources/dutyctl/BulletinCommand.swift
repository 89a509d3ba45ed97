import ArgumentParser
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation

/// `dutyctl bulletin`: the periodic bulletin (通报) of the late, per supervising region.
struct BulletinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "The bulletin (通报) of a period: per supervising region, its units that are or were late.",
        discussion: """
            For each region, the units its committee and propaganda department supervise (the region's \
            own units and the committees of the regions directly below it) that are late, or were late, \
            with deadlines in the period: by unit, never a ranking of persons, with each unit's on-time \
            and timely-receipt (及时签收率) rates and the region's. --csv is UTF-8 with a byte-order mark, \
            for Excel.
            Examples:
              dutyctl bulletin --period 2026-H2
              dutyctl bulletin --period 2026-11 --unit gd.gz.xcb --csv > 广州-2026-11.csv
            """
    )
    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("2026, 2026-H2, 2026-Q4 or 2026-11.", valueName: "period"))
    var period: String

    @Option(help: ArgumentHelp("A region's committee or department: that region only.", valueName: "id"))
    var unit: String?

    @Option(help: ArgumentHelp("As things stand at this moment (default now).", valueName: "time"))
    var at: String?

    @Flag(help: "CSV (UTF-8 with a byte-order mark) instead of a table.")
    var csv = false

    func run() throws {
        try running {
            var r = BulletinRequest(period: period)
            r.unit = unit
            r.at = at
            let json = JSONListPrinter(key: "regions")
            var sections: [(title: String, rows: [[String]])] = []
            if csv { Output.write("\u{FEFF}" + BulletinRegion.csvHeader + "\r\n") }
            let end = try global.rows(DutyOperations.Bulletin.self, r, json: global.json) { row in
                switch row {
                case .json(let bytes): json.add(bytes)
                case .value(let b):
                    if csv {
                        for line in b.csvLines { Output.write(line + "\r\n") }
                        return
                    }
                    let title =
                        "\(b.name) (\(b.unit)) — to \(b.supervisors.joined(separator: ", ")): \(b.units) unit(s), "
                        + "\(b.late.count) late; on time \(Report.rate(b.total.on_time_rate))"
                        + (b.total.receipt_rate.map { ", timely receipt \(Report.rate($0))" } ?? "")
                    let rows = b.late.map { l in
                        [
                            "  " + l.unit, l.unit_name, "\(l.due)", "\(l.on_time)", "\(l.late) (\(l.late_days_max))",
                            "\(l.overdue)", Report.rate(l.on_time_rate), Report.rate(l.receipt_rate),
                        ]
                    }
                    sections.append((title, rows))
                }
            }
            if global.json {
                json.finish(with: end)
            } else if csv {
                Output.flush()
            } else if end.count == 0 {
                print(
                    "no deadlines from \(end.from) through \(end.through) for any supervised unit (tracked ones only)"
                )
            } else {
                print("bulletin \(end.period) (\(end.from) – \(end.through)), as of \(end.at)")
                for (title, rows) in sections {
                    print("")
                    print(title)
                    if !rows.isEmpty {
                        printTable(
                            ["  UNIT", "NAME", "DUE", "ON TIME", "LATE (DAYS)", "OVERDUE", "ON-TIME RATE", "RECEIPT"],
                            rows
                        )
                    }
                }
            }
            warn(end.warnings)
        }
    }
}
