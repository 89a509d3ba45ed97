import ArgumentParser
import DutyCalendar
import DutyCore
import DutyService
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

    /// The query these options and `--state` (states to list) ask.
    func query(zone: Zone, states: Set<Occurrence.State>?) throws -> OccurrenceQuery {
        var q = OccurrenceQuery(at: try at.map { try parseInstant($0, zone: zone, option: "--at") } ?? .now)
        if let within {
            do {
                q.within = try DutyDuration.parse(within)
            } catch {
                throw Failure(Failure.usage, "--within: \(error.message)")
            }
        }
        if subtree && unit == nil { throw Failure(Failure.usage, "--subtree needs --unit ID") }
        q.unit = unit
        q.subtree = subtree
        q.obligations = obligation
        q.states = states
        return q
    }
}

extension GlobalOptions {
    /// `--state` on `upcoming` and `overdue`: state names (`open`, `late`, `done`, `waived`, `all`,
    /// comma-separated) filter; anything else is the state store's path, as on every other command.
    func stateFilter() throws -> (states: Set<Occurrence.State>?, store: GlobalOptions) {
        let (words, store) = try stateWords(Occurrence.State.allCases.map(\.rawValue) + ["all"])
        guard let words else { return (nil, store) }
        if words.contains("all") { return (Set(Occurrence.State.allCases), store) }
        return (Set(words.compactMap(Occurrence.State.init(rawValue:))), store)
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
                Failure.usage,
                "--state: unknown state '\(state)'; expected \(names.joined(separator: ", ")) (or a state store path)"
            )
        }
        return (nil, self)
    }
}

/// Prints occurrences as a table or as `{"occurrences": [...]}`.
func printOccurrences(_ list: [Occurrence], planner: Planner, now: Instant, json: Bool, empty: String) {
    let views = list.map { planner.view($0, now: now) }
    if json {
        printJSON(["occurrences": views])
        return
    }
    if views.isEmpty {
        print(
            planner.organisation.units.isEmpty
                ? "the state store holds no units yet; import them: dutyctl unit import units.csv (see config/organisation/)"
                : empty
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
        try listOccurrences(global, filters) { planner, q, records in
            (try planner.upcoming(q, records: records), "nothing due within \(q.within)")
        }
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
        try listOccurrences(global, filters) { planner, q, records in
            (try planner.overdue(q, records: records), "nothing is overdue")
        }
    }
}

/// `upcoming` and `overdue`: the same filters, output and notes; only the question differs. `ask`
/// returns the occurrences and what to say when there are none.
private func listOccurrences(
    _ global: GlobalOptions,
    _ filters: FilterOptions,
    _ ask: (Planner, OccurrenceQuery, DutyRecords) throws -> ([Occurrence], String)
) throws {
    try running {
        let (states, options) = try global.stateFilter()
        let direct = try Direct.open(options)
        let planner = try direct.planner()
        let q = try filters.query(zone: direct.zone, states: states)
        let (list, empty) = try ask(planner, q, try direct.store.records())
        printOccurrences(list, planner: planner, now: q.at, json: global.json, empty: empty)
        direct.noteProvisional(list.filter(\.timing.provisional).map(\.timing.date))
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
            let direct = try Direct.open(global)
            let planner = try direct.planner()
            let records = try direct.store.records()
            let found = try locate(occurrence, planner: planner, records: records)
            let now = try at.map { try parseInstant($0, zone: direct.zone, option: "--at") } ?? .now
            let lines = planner.explain(found, now: now, records: RecordIndex(records: records, policy: direct.policy))
            if global.json {
                struct Out: Encodable {
                    var occurrence: OccurrenceView
                    var explanation: [String]
                }
                printJSON(Out(occurrence: planner.view(found, now: now), explanation: lines))
            } else {
                for l in lines { print(l) }
            }
            direct.noteProvisional(
                (found.timing.provisional ? [found.timing.date] : [])
                    + found.timing.steps.filter(\.provisional).map(\.day.date)
            )
        }
    }
}

/// The occurrence an id names, or a failure that says which part is wrong.
func locate(_ text: String, planner: Planner, records: DutyRecords) throws -> Occurrence {
    guard let id = OccurrenceID(text) else {
        throw Failure(
            Failure.usage,
            "'\(text)' is not an occurrence id; expected obligation/subject/period, such as semiannual-report/gd.gz/2026-H2"
        )
    }
    guard let o = planner.obligationNumber(id.obligation) else {
        throw Failure(
            Failure.dataError,
            "no obligation '\(id.obligation)' in the policy; expected one of \(planner.policy.obligations.map(\.id).joined(separator: ", "))"
        )
    }
    guard let subject = planner.subjectNumber(id.subject, obligation: o) else {
        let ob = planner.policy.obligations[o]
        let what = ob.appliesTo.subjectsAreOfficials ? "official" : "unit"
        throw Failure(
            Failure.dataError,
            "'\(id.subject)' is not a \(what) that \(id.obligation) applies to; `dutyctl \(what) show \(id.subject)` tells what it is"
        )
    }
    guard let found = planner.occurrence(id, records: records) else {
        throw Failure(
            Failure.dataError,
            "\(id.obligation) has no period '\(id.period)' for \(id.subject); `dutyctl upcoming --unit \(planner.organisation.units[Int(planner.unitOf(subject: subject, obligation: o))].id) --obligation \(id.obligation) --state all --within 400d` lists its periods"
        )
    }
    return found
}
