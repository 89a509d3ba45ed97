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

struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Record events that start deadlines (major-situation, accountability-decision, …).",
        subcommands: [Record.self, List.self, Remove.self]
    )

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record an event at a unit; the obligations it triggers get their deadlines.",
            discussion: "Example: dutyctl event record major-situation --unit gd.gz --on 2026-11-29 --note 网络舆情"
        )
        @Argument(help: ArgumentHelp("The event's kind, as the policy's triggers name it.", valueName: "kind"))
        var kind: String
        @Option(name: .long, help: ArgumentHelp("The unit it happened at.", valueName: "id")) var unit: String
        @Option(name: .long, help: ArgumentHelp("The day it happened (default today).", valueName: "date")) var on:
            String?
        @Option(name: .long, help: ArgumentHelp("The event's id (default KIND-DATE).", valueName: "id")) var id: String?
        @Option(name: .long, help: ArgumentHelp("A note.", valueName: "text")) var note: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = EventRequest(kind: kind, unit: unit)
                r.on = on
                r.id = id
                r.note = note
                let answer: EventAnswer = try global.perform(RecordEvent.self, r)
                if global.json {
                    struct Out: Encodable {
                        var event, unit, kind, on: String
                        var starts: [String]
                    }
                    printJSON(
                        Out(
                            event: answer.event,
                            unit: answer.unit,
                            kind: answer.kind,
                            on: answer.on,
                            starts: answer.starts.map(\.id)
                        )
                    )
                } else {
                    print("recorded \(answer.kind) at \(answer.unit) on \(answer.on) as \(answer.event)")
                    printStarts(answer.starts)
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List recorded events.")
        @Option(name: .long, help: ArgumentHelp("Only events at this unit.", valueName: "id")) var unit: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let json = JSONListPrinter(key: "events")
                let table = StreamingTable(["ON", "UNIT", "EVENT", "KIND", "BY", "NOTE"])
                _ = try global.rows(ListEvents.self, EventQuery(unit: unit), json: global.json) { row in
                    switch row {
                    case .json(let bytes): json.add(bytes)
                    case .value(let e): table.add([e.on, e.unit, e.id, e.kind, e.by, e.note ?? ""])
                    }
                }
                if global.json { json.finish() } else { table.finish() }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a mistaken event; the deadlines it started go with it."
        )
        @Argument(help: ArgumentHelp("The event's id.", valueName: "id")) var id: String
        @Option(name: .long, help: ArgumentHelp("The unit it was recorded at.", valueName: "id")) var unit: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = EventRemoval(id: id, unit: unit)
                let _: EventRemoval = try global.perform(RemoveEvent.self, r)
                if global.json { printJSON(["removed": id]) } else { print("removed event \(id) at \(unit)") }
            }
        }
    }
}
