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

/// Prints occurrences as they come: a table, or `{"occurrences": [...]}` (one row a line); then the
/// count, the notes, and the answer's warnings on standard error.
final class OccurrencePrinter {
    let json: Bool
    private var count = 0
    private var provisional = false
    private let table = StreamingTable(["DEADLINE", "DAYS", "STATE", "OCCURRENCE", "SUBJECT", "RESPONSIBLE"])

    init(json: Bool) { self.json = json }

    func add(_ row: StreamedRow<OccurrenceRow>) {
        count += 1
        switch row {
        case .json(let bytes):
            Output.write(count == 1 ? "{\"occurrences\":[\n" : ",\n")
            Output.write(bytes)
        case .value(.brief(let b)):
            addRow(
                b.deadlineDate,
                b.weekday,
                b.provisional,
                b.daysLeft,
                b.state,
                b.colour,
                b.id,
                b.subjectName,
                b.responsible
            )
        case .value(.full(let v)):
            addRow(
                v.deadlineDate,
                v.weekday,
                v.provisional,
                v.daysLeft,
                v.state,
                v.colour,
                v.id,
                v.subjectName,
                v.responsible.map(\.name)
            )
        }
    }

    private func addRow(
        _ date: String,
        _ weekday: String,
        _ isProvisional: Bool,
        _ daysLeft: Int,
        _ state: String,
        _ colour: String?,
        _ id: String,
        _ subject: String,
        _ people: [String]
    ) {
        provisional = provisional || isProvisional
        table.add([
            date + " " + weekday + (isProvisional ? "*" : ""), String(daysLeft),
            state + (colour.map { "/\($0)" } ?? ""),
            id, subject, people.joined(separator: " "),
        ])
    }

    func finish(_ ending: OccurrencesEnding) {
        defer { warn(ending.warnings) }
        if json {
            Output.write(count == 0 ? "{\"occurrences\":[]}\n" : "\n]}\n")
            Output.flush()
            return
        }
        if count == 0 {
            print(
                ending.noUnits
                    ? "the state store holds no units yet; import them: dutyctl unit import units.csv (see config/organisation/)"
                    : ending.empty
            )
            return
        }
        table.finish()
        print("\(count) occurrence(s)")
        if provisional {
            print(
                "* provisional: depends on a holiday schedule not published yet (the weekend rule is used until it is)"
            )
        }
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
