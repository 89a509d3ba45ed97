import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// `dutyctl ledger`: what was sent, to whom, when, what failed and why (the notification ledger).
struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Show the notification ledger: what was sent, to whom, when, and what failed and why.",
        discussion: """
            One row per step of an occurrence, recipient and channel, newest first. States: sent, retry \
            (failed for now; NEXT says when it is tried again), failed (never tried again; ERROR says \
            why), sending (cut off by a crash; sent again), collapsed (fell due while dutyd was not \
            running and was folded into a later step), cancelled (done or waived before a retry).

            Examples:
              dutyctl ledger --state failed,retry      (--state takes these names, or the store's path)
              dutyctl ledger --occurrence unit-situation-report/gd.sz.tsg/2026-H2
              dutyctl ledger --occurrence unit-situation-report/gd.sz.tsg/   (every period)
              dutyctl ledger --recipient wang.jianguo --channel email --since 2026-12-01
            """,
        aliases: ["notifications"]
    )
    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("An occurrence id, or its beginning ending in /.", valueName: "id"))
    var occurrence: String?

    @Option(help: ArgumentHelp("An official's id, mailbox:UNIT, or * for one-per-step channels.", valueName: "id"))
    var recipient: String?

    @Option(help: ArgumentHelp("journal, email or hook:NAME.", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp("Only steps due on or after this date or instant.", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("At most this many rows (default 100).", valueName: "n"))
    var limit = 100

    func run() throws {
        try running {
            let (states, store) = try global.stateWords(LedgerEntry.State.allCases.map(\.rawValue))
            var r = LedgerRequest()
            r.occurrence = occurrence
            r.recipient = recipient
            r.channel = channel
            r.since = since
            r.limit = limit
            r.state = states
            func short(_ s: String?) -> String {
                guard let s else { return "" }
                return String(s.prefix(16)).replacingOccurrences(of: "T", with: " ")
            }
            // Printed as the rows are read: a national ledger is never held whole.
            let json = JSONListPrinter(key: "notifications")
            let table = StreamingTable(
                ["DUE", "STATE", "CHANNEL", "RECIPIENT", "OCCURRENCE", "STEP", "TRIES", "SENT/NEXT", "ERROR"]
            )
            let end = try store.rows(DutyOperations.Ledger.self, r, json: global.json) { row in
                switch row {
                case .json(let bytes): json.add(bytes)
                case .value(let entry):
                    table.add([
                        short(entry.due), entry.state, entry.channel, entry.recipient, entry.occurrence, entry.step,
                        "\(entry.attempts)",
                        entry.state == "retry"
                            ? "next " + short(entry.next_attempt)
                            : entry.state == "sending" ? "until " + short(entry.sending_until) : short(entry.sent),
                        entry.error ?? "",
                    ])
                }
            }
            if global.json {
                json.finish()
                return
            }
            if end.count == 0 {
                print(
                    "no notifications match"
                        + ((states ?? []).isEmpty && occurrence == nil ? " (nothing sent yet)" : "")
                )
                return
            }
            table.finish()
            if end.count == limit { print("(the first \(limit); --limit N for more)") }
        }
    }
}

/// `dutyctl notify test --to ADDRESS`: one message through the configured transport.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Try the delivery settings.",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send one test message through the configured mail transport and show the server's answers.",
            discussion: """
                Uses [email] of the settings: SMTP (each command and the server's answer are shown; \
                the password never is) or sendmail. Exit status 0 when the message was accepted, 1 when \
                it was not, 78 when [email] is missing or wrong.
                """
        )
        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Where to send it (repeat for several).", valueName: "address"))
        var to: [String] = []

        func run() async throws {
            try await runningAsync {
                let r = NotifyTestRequest(to: to)
                let answer: NotifyTestAnswer
                if let client = global.remote {
                    answer = try client.post("/v1/notify/test", r)
                } else {
                    answer = try await Direct.settings(global).notifyTest(r)
                }
                for line in answer.lines { print(line) }
                if let failure = answer.failure { throw Failure(ExitStatus.runtime, failure) }
            }
        }
    }
}
