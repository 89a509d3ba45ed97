import ArgumentParser
import DutyAPI
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

struct OfficialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "official",
        abstract: "Manage officials: add, change, remove, list, import and export (CSV).",
        subcommands: [
            Add.self, SetFields.self, Remove.self, List.self, Show.self, Import.self, Export.self, RevokeLinks.self,
            Link.self,
        ]
    )

    /// The fields `add` and `set` take (checked in `Workspace.addOfficial`/`setOfficial`).
    struct Fields: ParsableArguments {
        @Option(name: .long, help: "Their name.") var name: String?
        @Option(name: .long, help: ArgumentHelp("Their mail address.", valueName: "address")) var email: String?
        @Option(name: .long, help: ArgumentHelp("Their unit's id.", valueName: "id")) var unit: String?
        @Option(
            name: .long,
            help: ArgumentHelp("Their roles, comma-separated: secretary,deputy,member,head,clerk.", valueName: "roles")
        )
        var roles: String?

        func change(_ id: String) -> OfficialChange {
            var r = OfficialChange(id: id)
            (r.name, r.email, r.unit) = (name, email, unit)
            r.roles = roles.map { $0.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init) }
            return r
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an official.",
            discussion:
                "Example: dutyctl official add luo.ting --name 罗婷 --unit gd.gz --roles clerk --email luo.ting@example.org"
        )
        @Argument(help: ArgumentHelp("The official's id (ASCII).", valueName: "id")) var id: String
        @OptionGroup var fields: Fields
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = fields.change(id)
                let o: OfficialView = try global.perform(AddOfficial.self, r)
                if global.json { printJSON(o) } else { print("added official \(o.id) \(o.name)") }
            }
        }
    }

    struct SetFields: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change an official's name, mail address, unit or roles."
        )
        @Argument(help: ArgumentHelp("The official's id.", valueName: "id")) var id: String
        @OptionGroup var fields: Fields
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = fields.change(id)
                let o: OfficialView = try global.perform(SetOfficial.self, r)
                if global.json { printJSON(o) } else { print("changed official \(id)") }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an official.")
        @Argument(help: ArgumentHelp("The official's id.", valueName: "id")) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = OfficialRemoval(removed: id)
                let _: OfficialRemoval = try global.perform(RemoveOfficial.self, r)
                if global.json { printJSON(["removed": id]) } else { print("removed official \(id)") }
            }
        }
    }

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "link",
            abstract: "Print a fresh personal link to the web pages for an official (needs [web]).",
            discussion: "Hand it to the official only: whoever opens it acts as them until it expires."
        )
        @Argument(help: ArgumentHelp("The official's id.", valueName: "id")) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let a = try global.perform(OfficialLink.self, OfficialLinkRequest(official: id))
                if global.json { printJSON(a) } else { print(a.link) }
            }
        }
    }

    struct RevokeLinks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-links",
            abstract: "End every personal link and web session of an official at once.",
            discussion: "The links in mails sent from now on work again; older ones never do."
        )
        @Argument(help: ArgumentHelp("The official's id.", valueName: "id")) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let a = try global.perform(DutyOperations.RevokeLinks.self, RevokeLinksRequest(official: id))
                if global.json {
                    printJSON(a)
                } else {
                    print("\(id): every personal link and web session issued until now is refused")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List officials, by unit.")
        @Option(name: .long, help: ArgumentHelp("Only officials of this unit.", valueName: "id")) var unit: String?
        @Flag(name: .long, help: "With --unit: of every unit below it too.") var subtree = false
        @Option(name: .long, help: "Only officials with this role.") var role: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = OfficialListRequest()
                r.unit = unit
                r.subtree = subtree
                r.role = role
                let json = JSONListPrinter(key: "officials")
                let table = StreamingTable(["ID", "NAME", "UNIT", "ROLES", "EMAIL"])
                _ = try global.rows(ListOfficials.self, r, json: global.json) { row in
                    switch row {
                    case .json(let bytes): json.add(bytes)
                    case .value(let o):
                        table.add([o.id, o.name, o.unit, o.roles.joined(separator: ","), o.email ?? "—"])
                    }
                }
                if global.json { json.finish() } else { table.finish() }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an official.")
        @Argument(help: ArgumentHelp("The official's id.", valueName: "id")) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = OfficialShowRequest(id: id)
                let answer: OfficialShow = try global.perform(ShowOfficial.self, r)
                let o = answer.official
                if global.json {
                    printJSON(o)
                } else {
                    print("official: \(o.id) \(o.name)")
                    print("unit: \(o.unit) \(answer.unitName)")
                    print("roles: \(answer.roles.joined(separator: ", "))")
                    print("email: \(o.email ?? "—")")
                }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update officials from CSV (id,name,email,unit,roles).",
            discussion: """
                UTF-8, with or without a byte-order mark; roles separated by spaces or semicolons. Every \
                unit must exist (import units first). Nothing changes unless every line is good.
                Example: dutyctl official import config/organisation/officials.csv --config config/dutyd.toml
                """
        )
        @Argument(help: ArgumentHelp("The CSV file, or - for standard input.", valueName: "file")) var file: String
        @Flag(name: .long, help: "Remove officials that the file does not list.") var replace = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = ImportRequest(file: file, data: Data(try readInput(file)))
                r.replace = replace
                let count: ImportAnswer = try global.perform(ImportOfficials.self, r)
                printImport(count, what: "official", json: global.json)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the officials as CSV (UTF-8) to standard output; --json for JSON."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                switch try global.perform(ExportOfficials.self, OfficialExportRequest(json: global.json ? true : nil)) {
                case .json(let list): printJSON(list)
                case .csv(let answer): FileHandle.standardOutput.write(Data(answer.csv.utf8))
                }
            }
        }
    }
}
