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

struct Upcoming: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upcoming",
        abstract: "Occurrences due from now through --within, with deadline, days left and who is responsible.",
        discussion: """
            Examples:
              dutyctl upcoming --config config/dutyd.toml --within 90d
              dutyctl upcoming --unit gd.gz --subtree --within 400d --at 2026-11-29T09:00:00+08:00 --json
            --state lists other states (open, late, done, waived or all; default open).
            """
    )

    @OptionGroup var filters: FilterOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try listOccurrences(global, filters, overdue: false)
    }
}

struct Overdue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue",
        abstract: "Occurrences past their deadline and not done, since tracking began.",
        discussion: "--state lists other states of past deadlines (done, waived or all; default late)."
    )

    @OptionGroup var filters: FilterOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try listOccurrences(global, filters, overdue: true)
    }
}

/// `upcoming` and `overdue`: the same filters, output and notes; only the question differs. Remote
/// mode asks the daemon; direct mode answers with the same function on the files. Rows are printed
/// as they arrive: a national answer is never held whole.
private func listOccurrences(_ global: GlobalOptions, _ filters: FilterOptions, overdue: Bool) throws {
    try running {
        let (states, options) = try global.stateFilter()
        var r = filters.request(states: states)
        r.overdue = overdue
        // A table needs only the brief rows; --json prints the full ones.
        r.brief = !global.json
        let printer = OccurrencePrinter(json: global.json)
        let ending =
            overdue
            ? try options.rows(DutyOperations.Overdue.self, r, json: global.json, printer.add)
            : try options.rows(DutyOperations.Upcoming.self, r, json: global.json, printer.add)
        printer.finish(ending)
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "How an occurrence's deadline and every notification time were derived.",
        discussion: """
            Shows the rule, the date it gives, how it moved off a day off (which holiday, which make-up \
            working day, which year is provisional), each reminder and escalation time, and who gets each.
            Example: dutyctl explain semiannual-report/gd.gz/2026-H2 --config config/dutyd.toml
            """
    )

    @Argument(help: ArgumentHelp("obligation/subject/period, as upcoming lists it.", valueName: "occurrence"))
    var occurrence: String

    @Option(name: .long, help: ArgumentHelp("Explain as of this time (default now).", valueName: "time"))
    var at: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            var r = ExplainRequest(occurrence: occurrence)
            r.at = at
            let answer: ExplainAnswer = try global.perform(DutyOperations.Explain.self, r)
            if global.json {
                struct Out: Encodable {
                    var occurrence: OccurrenceView
                    var explanation: [String]
                }
                printJSON(Out(occurrence: answer.occurrence, explanation: answer.explanation))
            } else {
                for l in answer.explanation { print(l) }
            }
            warn(answer.warnings)
        }
    }
}
