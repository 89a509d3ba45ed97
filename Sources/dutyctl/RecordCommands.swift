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

struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Record receipt (签收) of a duty's notice; its urging notice (催办) is not sent.",
        discussion: """
            An obligation with acknowledge = "3wd" in the policy asks for receipt within that time after \
            its first notice; without it, the urging notice goes to the responsible people. Recording the \
            duty as done gives receipt too.
            Example: dutyctl ack unit-situation-report/gd.gz.jyj/2026-H2 --by liang.shuang
            """
    )
    @Argument(help: ArgumentHelp("obligation/subject/period", valueName: "occurrence")) var occurrence: String
    @Option(name: .long, help: ArgumentHelp("The official who received it (default you).", valueName: "official"))
    var by: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            var r = AckRequest(occurrence: occurrence)
            r.by = by
            let answer = try global.perform(Acknowledge.self, r)
            if global.json {
                printJSON(answer)
            } else {
                print(
                    "\(answer.occurrence): received by \(answer.receivedBy)"
                        + (answer.state == "received-late"
                            ? ", after its day \(answer.receiptDue)" : " (due by \(answer.receiptDue))")
                )
            }
        }
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract:
            "Take back the latest done or waive of an occurrence; its steps resume (the latest one it skipped goes out now)."
    )
    @Argument(help: ArgumentHelp("obligation/subject/period", valueName: "occurrence")) var occurrence: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            let r = UndoRequest(occurrence: occurrence)
            let answer: UndoAnswer = try global.perform(DutyOperations.Undo.self, r)
            if global.json {
                printJSON(answer)
            } else {
                print("\(answer.occurrence): removed \(answer.undone)")
            }
        }
    }
}

struct Waive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waive",
        abstract: "Record that an occurrence will not be done, and why; its steps stop.",
        discussion: "Example: dutyctl waive joint-meeting/gd.gz.xcb/2026-Q4 --reason 与全会合并召开"
    )
    @Argument(help: ArgumentHelp("obligation/subject/period", valueName: "occurrence")) var occurrence: String
    @Option(name: .long, help: ArgumentHelp("Why (required).", valueName: "text")) var reason: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            let r = WaiveRequest(occurrence: occurrence, reason: reason)
            let answer: WaiveAnswer = try global.perform(DutyOperations.Waive.self, r)
            if global.json {
                printJSON(answer)
            } else {
                print("\(answer.occurrence): waived (\(answer.waived))")
            }
        }
    }
}
