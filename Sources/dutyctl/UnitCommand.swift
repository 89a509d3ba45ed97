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

struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "Manage the unit tree: add, change, remove, list, import and export (CSV).",
        subcommands: [Add.self, SetFields.self, Remove.self, List.self, Show.self, Import.self, Export.self]
    )

    /// The fields `add` and `set` take (checked in `Workspace.addUnit`/`setUnit`).
    struct Fields: ParsableArguments {
        @Option(name: .long, help: "The unit's name.") var name: String?
        @Option(name: .long, help: "Its kind, as the policy declares (committee, propaganda, …).") var kind: String?
        @Option(name: .long, help: ArgumentHelp("Its parent unit's id.", valueName: "id")) var parent: String?
        @Option(name: .long, help: ArgumentHelp("The unit's mailbox.", valueName: "address")) var email: String?
        @Option(
            name: .customLong("track-from"),
            help: ArgumentHelp("Track its obligations from this day.", valueName: "date")
        )
        var trackFrom: String?

        func change(_ id: String) -> UnitChange {
            var r = UnitChange(id: id)
            (r.name, r.kind, r.parent, r.email, r.trackFrom) = (name, kind, parent, email, trackFrom)
            return r
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a unit.",
            discussion: "Example: dutyctl unit add gd.gz.panyu --name 中共广州市番禺区委 --kind committee --parent gd.gz"
        )
        @Argument(help: ArgumentHelp("The new unit's id (ASCII, dotted: gd.gz.panyu).", valueName: "id")) var id: String
        @OptionGroup var fields: Fields
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = fields.change(id)
                let unit: UnitView = try global.perform(AddUnit.self, r)
                if global.json { printJSON(unit) } else { print("added unit \(unit.id) \(unit.name)") }
            }
        }
    }

    struct SetFields: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a unit's name, kind, parent, mailbox or tracking start.",
            discussion: "An empty value clears an optional field: --email '' --parent ''."
        )
        @Argument(help: ArgumentHelp("The unit's id.", valueName: "id")) var id: String
        @OptionGroup var fields: Fields
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = fields.change(id)
                let unit: UnitView = try global.perform(SetUnit.self, r)
                if global.json { printJSON(unit) } else { print("changed unit \(id)") }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a unit (its completions and events stay as history)."
        )
        @Argument(help: ArgumentHelp("The unit's id.", valueName: "id")) var id: String
        @Flag(name: .long, help: "Remove everything below it and their officials too.") var recursive = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = UnitRemoval(id: id, recursive: recursive)
                let removed: UnitRemoved = try global.perform(RemoveUnit.self, r)
                if global.json {
                    printJSON(removed)
                } else {
                    print("removed \(removed.removed_units) unit(s) and \(removed.removed_officials) official(s)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List units in tree order.")
        @Option(name: .long, help: ArgumentHelp("Only this unit and everything below it.", valueName: "id")) var under:
            String?
        @Option(name: .long, help: "Only units of this kind.") var kind: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = UnitListRequest()
                r.under = under
                r.kind = kind
                // Printed as they come: a national list is a million lines.
                let json = JSONListPrinter(key: "units")
                let table = StreamingTable(["ID", "NAME", "KIND", "PARENT"])
                var base: Int?
                _ = try global.rows(ListUnits.self, r, json: global.json) { row in
                    switch row {
                    case .json(let bytes): json.add(bytes)
                    case .value(let unit):
                        let depth = unit.depth ?? 0
                        if base == nil { base = depth }
                        table.add([
                            String(repeating: "  ", count: max(0, depth - (base ?? 0))) + unit.id, unit.name, unit.kind,
                            unit.parent ?? "—",
                        ])
                    }
                }
                if global.json { json.finish() } else { table.finish() }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a unit, its officials and what applies to it."
        )
        @Argument(help: ArgumentHelp("The unit's id.", valueName: "id")) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = UnitShowRequest(id: id)
                let answer: UnitShow = try global.perform(ShowUnit.self, r)
                if global.json {
                    struct Out: Encodable {
                        var unit: UnitView
                        var officials: [OfficialView]
                        var obligations: [String]
                    }
                    printJSON(Out(unit: answer.unit, officials: answer.officials, obligations: answer.obligations))
                    return
                }
                let unit = answer.unit
                print("unit: \(unit.id) \(unit.name)")
                print("kind: \(unit.kind)" + (answer.kindName.isEmpty ? "" : " (\(answer.kindName))"))
                print("parent: \(unit.parent ?? "—")")
                print("email: \(unit.email ?? "—")")
                print("added: \(unit.addedOn); tracked from: \(answer.trackedFrom)")
                print("officials:")
                if answer.officials.isEmpty { print("  —") }
                for p in answer.officials {
                    print(
                        "  \(p.id) \(p.name) (\(p.roles.joined(separator: ", ")))" + (p.email.map { " <\($0)>" } ?? "")
                    )
                }
                print("obligations: " + (answer.obligations.isEmpty ? "—" : answer.obligations.joined(separator: ", ")))
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update units from CSV (id,name,kind,parent,email,track_from).",
            discussion: """
                The file is UTF-8, with or without a byte-order mark; the first line names the columns. \
                Nothing changes unless every line is good. Units already in the store keep the day they were \
                added; new ones are tracked from today (or --track-from, or their track_from column).
                Example: dutyctl unit import config/organisation/units.csv --config config/dutyd.toml
                """
        )
        @Argument(help: ArgumentHelp("The CSV file, or - for standard input.", valueName: "file")) var file: String
        @Flag(name: .long, help: "Remove units (and their officials) that the file does not list.") var replace = false
        @Option(
            name: .customLong("track-from"),
            help: ArgumentHelp("Track new units from this day.", valueName: "date")
        )
        var trackFrom: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = ImportRequest(file: file, data: Data(try readInput(file)))
                r.replace = replace
                r.trackFrom = trackFrom
                let count: ImportAnswer = try global.perform(ImportUnits.self, r)
                printImport(count, what: "unit", json: global.json)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the units as CSV (UTF-8, in tree order) to standard output; --json for JSON."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                if global.json {
                    let json = JSONListPrinter(key: "units")
                    _ = try global.rows(ListUnits.self, UnitListRequest(), json: true) { row in
                        if case .json(let bytes) = row { json.add(bytes) }
                    }
                    json.finish()
                } else {
                    let answer = try global.perform(ExportUnits.self, NoRequest())
                    FileHandle.standardOutput.write(Data(answer.csv.utf8))
                }
            }
        }
    }
}

/// A file's bytes, or standard input's for `-`.
func readInput(_ file: String) throws -> [UInt8] {
    if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
    var folder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &folder) else {
        throw Failure(
            ExitStatus.usage,
            "\(file): cannot read this file: it does not exist; check the path (or give - for standard input)"
        )
    }
    guard !folder.boolValue else {
        throw Failure(ExitStatus.usage, "\(file): cannot read this file: it is a folder; give the CSV file in it")
    }
    guard let data = FileManager.default.contents(atPath: file) else {
        throw Failure(ExitStatus.usage, "\(file): cannot read this file; check its permissions")
    }
    return Array(data)
}

/// An import's counts, as text or JSON.
func printImport(_ count: ImportAnswer, what: String, json: Bool) {
    if json {
        printJSON(["added": count.added, "updated": count.updated, "removed": count.removed])
    } else {
        print("\(count.added) \(what)(s) added, \(count.updated) updated, \(count.removed) removed")
    }
}
