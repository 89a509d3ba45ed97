import ArgumentParser
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyStore
import Foundation

/// `dutyctl store copy`: moves a deployment from one state store to another (SQLite to PostgreSQL,
/// or back), everything in one transaction on the target, compared table by table.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Copy the state store to another engine (SQLite to PostgreSQL, or back).",
        subcommands: [Copy.self]
    )

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy every unit, official, record, ledger row and audit row to another store, and compare them.",
            discussion: """
                Stop dutyd first (systemctl stop dutyd): a store a running dutyd changes meanwhile would be \
                copied as it was when the copy began. The target is written in one transaction, then each \
                table's rows are counted and checksummed on both sides and the target's audit chain is \
                verified; a target that already holds anything is refused unless --replace.

                Examples:
                  dutyctl store copy --from sqlite:/var/lib/dutyd/dutyd.sqlite \\
                      --to 'postgresql://dutyd@db1/dutyd?password_file=/etc/dutyd/db-password'
                  dutyctl store copy --from 'host=/var/run/postgresql dbname=dutyd' --to /var/lib/dutyd/back.sqlite

                Exit status: 0 copied and equal, 1 a store cannot be opened or written, 64 --from names no store, 65 the target is \
                not empty or the copy differs.
                """
        )

        @Option(
            help: ArgumentHelp(
                "The store to copy: a SQLite path (sqlite:PATH) or a PostgreSQL connection string.",
                valueName: "state"
            )
        )
        var from: String

        @Option(
            help: ArgumentHelp(
                "The store to write: a SQLite path (sqlite:PATH) or a PostgreSQL connection string.",
                valueName: "state"
            )
        )
        var to: String

        @Flag(help: "Empty the target first when it holds anything.")
        var replace = false

        @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
        var json = false

        func run() throws {
            try running {
                // Opening a SQLite path makes the file: a mistyped --from would copy an empty store.
                let from = Self.state(from)
                if !Settings.isDatabase(from) && !FileManager.default.fileExists(atPath: from) {
                    throw Failure(
                        ExitStatus.usage,
                        "--from \(from): no such state store; give the path of the SQLite file dutyd uses (the settings' state), or a postgresql:// connection string"
                    )
                }
                let source = try DutyStore.open(from)
                let target = try DutyStore.open(Self.state(to)).acting(as: .processUser)
                if let path = source.path, let pid = StateLock.holder(of: path) {
                    throw Failure(
                        ExitStatus.runtime,
                        "dutyd (pid \(pid)) is running on \(path); stop it first (systemctl stop dutyd), so that nothing changes during the copy"
                    )
                }
                let tables = try source.copy(to: target, replace: replace)
                if json {
                    printJSON(
                        Answer(
                            from: source.name,
                            to: target.name,
                            tables: tables.map { .init(table: $0.table, rows: $0.rows, checksum: $0.checksum) }
                        )
                    )
                    return
                }
                print("copied \(source.name) to \(target.name):")
                printTable(
                    ["TABLE", "ROWS", "SHA-256"],
                    tables.map { [$0.table, "\($0.rows)", String($0.checksum.prefix(16))] }
                )
                print("every table has the same rows on both sides; the audit trail verifies")
            }
        }

        struct Answer: Encodable {
            struct Table: Encodable {
                var table: String
                var rows: Int
                var checksum: String
            }
            var from: String
            var to: String
            var tables: [Table]
        }

        /// `sqlite:PATH` is a path; anything else is what the setting `state` takes.
        static func state(_ text: String) -> String {
            text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        }
    }
}
