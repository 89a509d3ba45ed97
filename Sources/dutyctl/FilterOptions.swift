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
