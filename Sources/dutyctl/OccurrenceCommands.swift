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

/// The filters `upcoming` and `overdue` share.
struct FilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this unit (and its officials).", valueName: "id"))
    var unit: String?

    @Flag(name: .long, help: "With --unit: everything below it too.")
    var subtree = false

    @Option(
        name: .long,
        help: ArgumentHelp("How far ahead to look: 30d, 8w, 20wd (default 30d).", valueName: "duration")
    )
    var within: String?

    @Option(name: .long, help: ArgumentHelp("Ask as of this time, ISO 8601 (default now).", valueName: "time"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("Only this obligation (repeat for more).", valueName: "id"))
    var obligation: [String] = []

    /// The request these options and `--state` words (states to list) make.
    func request(states: [String]?) -> OccurrencesRequest {
        var r = OccurrencesRequest()
        r.unit = unit
        r.subtree = subtree
        r.within = within
        r.at = at
        r.obligation = obligation
        r.state = states
        return r
    }
}

extension GlobalOptions {
    /// `--state` on `upcoming` and `overdue`: state names (`open`, `late`, `done`, `waived`, `all`,
    /// comma-separated) filter; anything else is the state store's path, as on every other command.
    func stateFilter() throws -> (states: [String]?, store: GlobalOptions) {
        let (words, store) = try stateWords(Occurrence.State.allCases.map(\.rawValue) + ["all"])
        return (words, store)
    }

    /// `--state` as a filter when every comma-separated word is one of `names` (the options without
    /// it then name the store), else the store's path; a word that is neither is a usage error.
    func stateWords(_ names: [String]) throws -> (words: [String]?, store: GlobalOptions) {
        guard let state else { return (nil, self) }
        let words = state.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if !words.isEmpty && words.allSatisfy(Set(names).contains) {
            var copy = self
            copy.state = nil
            return (words, copy)
        }
        if !state.contains("/") && !state.contains(".") {
            throw Failure(
                ExitStatus.usage,
                "--state: unknown state '\(state)'; expected \(names.joined(separator: ", ")) (or a state store path)"
            )
        }
        return (nil, self)
    }
}

/// Prints occurrences as a table or as `{"occurrences": [...]}`, and the answer's warnings.
func printOccurrences(_ list: OccurrenceList, json: Bool) {
    defer { warn(list.warnings) }
    let views = list.occurrences
    if json {
        printJSON(["occurrences": views])
        return
    }
    if views.isEmpty {
        print(
            list.noUnits
                ? "the state store holds no units yet; import them: dutyctl unit import units.csv (see config/organisation/)"
                : list.empty
        )
        return
    }
    var provisional = false
    let rows = views.map { v -> [String] in
        provisional = provisional || v.provisional
        let state = v.state + (v.colour.map { "/\($0)" } ?? "")
        let people = v.responsible.map(\.name).joined(separator: " ")
        return [
            v.deadlineDate + " " + v.weekday + (v.provisional ? "*" : ""), String(v.daysLeft), state, v.id,
            v.subjectName, people,
        ]
    }
    printTable(["DEADLINE", "DAYS", "STATE", "OCCURRENCE", "SUBJECT", "RESPONSIBLE"], rows)
    print("\(views.count) occurrence(s)")
    if provisional {
        print("* provisional: depends on a holiday schedule not published yet (the weekend rule is used until it is)")
    }
}

struct Upcoming: ParsableCommand {
    static let configuration = CommandConfiguration(
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
/// mode asks the daemon; direct mode answers with the same function on the files.
private func listOccurrences(_ global: GlobalOptions, _ filters: FilterOptions, overdue: Bool) throws {
    try running {
        let (states, options) = try global.stateFilter()
        var r = filters.request(states: states)
        r.overdue = overdue
        let list =
            overdue
            ? try options.perform(DutyOperations.Overdue.self, r) : try options.perform(DutyOperations.Upcoming.self, r)
        printOccurrences(list, json: global.json)
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
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
