import ArgumentParser

/// `dutyctl`: the administrator's command line for dutyd.
///
/// Exit status (DESIGN.md): 0 success, 1 failure at run time, 64 bad usage, 65 bad input data,
/// 69 daemon unavailable, 78 bad configuration.
@main
struct Dutyctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dutyctl",
        abstract: "Manage dutyd and ask what is due.",
        discussion: """
            Exit status: 0 success, 1 failure at run time, 64 bad usage, 65 bad input data \
            (file:line:column and what was expected), 69 daemon unavailable, 78 bad configuration.
            """,
        subcommands: [
            Upcoming.self, Overdue.self, Explain.self, Done.self, Undo.self, Waive.self, EventCommand.self,
            UnitCommand.self, OfficialCommand.self,
            Report.self, Ledger.self, NotifyCommand.self,
            PolicyCommand.self, ConfigCommand.self, CalendarCommand.self,
        ]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The settings file.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The state store, instead of the settings' state.", valueName: "path"))
    var state: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false
}
