import ArgumentParser
import DutyOperations
import Foundation

/// `dutyctl audit`: every change by a user, oldest first; `dutyctl audit verify`: whether any row was
/// changed or removed afterwards.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Every change made by a user: who, when, how and what, in a chain of hashes.",
        discussion: """
            Every done, undo, waive, event, unit and official change, import and reload is kept in the \
            state store with who made it (the Unix user, through the API or on the files), when and how. \
            Each row carries a hash of itself and of the row before it: `dutyctl audit verify` finds a \
            row changed or removed afterwards and names the first.
            """,
        subcommands: [List.self, Verify.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the changes, oldest first (the default of `dutyctl audit`).",
            discussion: """
                Examples:
                  dutyctl audit --occurrence unit-situation-report/gd.sz.tsg/2026-H2
                  dutyctl audit --occurrence unit-situation-report/gd.sz.tsg/   (every period)
                  dutyctl audit --unit gd.gz --since 2026-12-01 --json
                """
        )
        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("An occurrence id, or its beginning ending in /.", valueName: "id"))
        var occurrence: String?

        @Option(help: ArgumentHelp("Changes to this unit, its officials and its events.", valueName: "id"))
        var unit: String?

        @Option(help: ArgumentHelp("Only changes made on or after this date or instant.", valueName: "date"))
        var since: String?

        @Option(help: ArgumentHelp("At most this many rows.", valueName: "n"))
        var limit: Int?

        func run() throws {
            try running {
                var r = AuditRequest()
                r.occurrence = occurrence
                r.unit = unit
                r.since = since
                r.limit = limit
                let json = JSONListPrinter(key: "changes")
                let table = StreamingTable(["#", "AT", "WHO", "HOW", "ACTION", "OF", "WHAT"])
                let end = try global.rows(Audit.self, r, json: global.json) { row in
                    switch row {
                    case .json(let bytes): json.add(bytes)
                    case .value(let e):
                        table.add([
                            "\(e.seq)", String(e.at.prefix(19)).replacingOccurrences(of: "T", with: " "), e.who, e.how,
                            e.action, e.occurrence ?? e.unit ?? "—",
                            e.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                        ])
                    }
                }
                if global.json {
                    json.finish()
                } else if end.count == 0 {
                    print("no changes match")
                } else {
                    table.finish()
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that no row of the audit trail was changed or removed afterwards.",
            discussion: """
                Exit status 0 when the chain is whole (the last row's number and hash are printed: note \
                them somewhere else to find later whether the trail was rewritten from its start), 65 \
                when a row was changed or removed, naming the first.
                """
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let answer = try global.perform(AuditVerify.self, NoRequest())
                if global.json {
                    printJSON(answer)
                } else if answer.intact {
                    print(
                        "the audit trail is whole: \(answer.rows) rows"
                            + (answer.headSeq.map { ", the last is \($0) with hash \(answer.headHash ?? "")" } ?? "")
                    )
                }
                if !answer.intact {
                    throw Failure(
                        ExitStatus.dataError,
                        "the audit trail was tampered with: \(answer.problem ?? "a row does not match its hash"). "
                            + "Restore the state store from a backup to see what the row said, and find who had write access to it"
                    )
                }
            }
        }
    }
}
