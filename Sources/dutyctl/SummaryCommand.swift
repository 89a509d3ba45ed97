import ArgumentParser
import DutyAPI
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation

/// `dutyctl summary [--unit ID] [--depth N]`: a node's year so far and its children's.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "How a unit and the units below it stand this year: open, late, done, waived, colours, on-time rate.",
        discussion: """
            Each line counts the unit's whole subtree (itself and everything below it) for the deadlines \
            of the year, as they stand now (or --at). RED is late, YELLOW in the last working days, BLUE \
            past its first reminder. ON TIME is done by the deadline day out of those done or late (waived \
            ones and those still open left out), as `report` counts it. Without --unit the first line is the whole organisation and its \
            lines are the top units. --csv writes UTF-8 with a byte-order mark, for Excel.
            Examples:
              dutyctl summary
              dutyctl summary --unit gd --depth 2 --config config/dutyd.toml
              dutyctl summary --unit gd.gz --csv > 广州.csv
            """
    )
    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The unit (default: the whole organisation).", valueName: "id"))
    var unit: String?

    @Option(help: ArgumentHelp("Levels of units below it to list, 0 to 4 (default 1).", valueName: "n"))
    var depth: Int?

    @Option(help: ArgumentHelp("As things stand at this time, ISO 8601 (default now).", valueName: "time"))
    var at: String?

    @Flag(help: "Comma-separated values, one line per unit.")
    var csv = false

    func run() throws {
        try running {
            var r = SummaryRequest()
            r.unit = unit
            r.depth = depth
            r.at = at
            let answer: SummaryAnswer = try global.perform(DutyOperations.Summary.self, r)
            defer { warn(answer.warnings) }
            if global.json {
                printJSON(answer)
                return
            }
            var rows: [[String]] = []
            func walk(_ n: SummaryNode, _ level: Int) {
                let t = n.tally
                rows.append(
                    [
                        String(repeating: "  ", count: level) + (n.unit ?? "(all)"), n.name, "\(n.units)", "\(t.open)",
                        "\(t.late)", "\(t.done)", "\(t.waived)", "\(t.red)", "\(t.yellow)", "\(t.blue)",
                        Report.rate(t.onTimeRate), Report.rate(t.receiptRate),
                    ]
                )
                for c in n.children ?? [] { walk(c, level + 1) }
            }
            walk(answer.node, 0)
            if csv {
                var lines = [
                    "unit,name,units,open,late,done,waived,red,yellow,blue,due,on_time,on_time_rate,received_on_time,received_late,receipt_overdue,receipt_rate"
                ]
                func csvWalk(_ n: SummaryNode) {
                    let t = n.tally
                    lines.append(
                        CSV.spreadsheetLine(
                            [
                                n.unit ?? "", n.name, "\(n.units)", "\(t.open)", "\(t.late)", "\(t.done)",
                                "\(t.waived)",
                                "\(t.red)", "\(t.yellow)", "\(t.blue)", "\(t.due)", "\(t.onTime)",
                                n.onTimeRate.map { String(format: "%.3f", $0) } ?? "", "\(t.receivedOnTime)",
                                "\(t.receivedLate)", "\(t.receiptOverdue)",
                                n.receiptRate.map { String(format: "%.3f", $0) } ?? "",
                            ],
                            numeric: Set(2...16)
                        )
                    )
                    for c in n.children ?? [] { csvWalk(c) }
                }
                csvWalk(answer.node)
                print("\u{FEFF}" + lines.joined(separator: "\r\n"), terminator: "\r\n")
                return
            }
            print("\(answer.year), as of \(answer.at)")
            printTable(
                [
                    "UNIT", "NAME", "UNITS", "OPEN", "LATE", "DONE", "WAIVED", "RED", "YELLOW", "BLUE", "ON TIME",
                    "RECEIPT",
                ],
                rows
            )
        }
    }
}
