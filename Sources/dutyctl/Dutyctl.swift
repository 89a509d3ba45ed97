import ArgumentParser
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries

/// `dutyctl`: the administrator's command line for dutyd.
///
/// Exit status (docs/design.md): 0 success, 1 failure at run time, 64 bad usage, 65 bad input data,
/// 69 daemon unavailable, 77 not allowed (the API refused the user), 78 bad configuration.
@main
struct Dutyctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dutyctl",
        abstract: "Manage dutyd and ask what is due.",
        discussion: """
            Exit status: 0 success, 1 failure at run time, 64 bad usage, 65 bad input data \
            (file:line:column and what was expected), 69 daemon unavailable, 77 not allowed, 78 bad \
            configuration.

            Without --config, commands ask the running dutyd over its API socket (--socket, default \
            /run/dutyd/api.sock); with --config PATH they work on the files and the state store directly.
            """,
        version: dutydVersion,
        subcommands: [
            Status.self, Reload.self, Upcoming.self, Overdue.self, Explain.self, Done.self, Ack.self,
            ExtendCommand.self,
            Undo.self,
            Waive.self,
            EventCommand.self,
            UnitCommand.self, OfficialCommand.self,
            Report.self, Summary.self, BulletinCommand.self, Ledger.self, AuditCommand.self, NotifyCommand.self,
            PolicyCommand.self, ConfigCommand.self, CalendarCommand.self, StoreCommand.self,
        ]
    )
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The settings file.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The state store, instead of the settings' state.", valueName: "path"))
    var state: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The running dutyd's API socket (default /run/dutyd/api.sock).", valueName: "path")
    )
    var socket: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false
}
