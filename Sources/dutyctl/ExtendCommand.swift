import ArgumentParser
import DutyOperations
import Foundation

/// `dutyctl extend request|approve|deny|ls`: extensions of a deadline (延期).
struct ExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Ask for, decide and list extensions of a deadline (延期).",
        discussion: """
            An obligation with `extension = { request_before = "3wd", longest = "30d", approvers = [...] }` \
            in the policy lets the people responsible ask for a later deadline: at least request_before \
            before the deadline day, to a working day at most longest after the first deadline. The \
            approvers are told; an administrator (or, with --by, an approver the policy names) approves \
            or denies it, and the responsible people are told. An approved extension moves the deadline \
            and every later reminder and ladder step of that occurrence; the report counts it on time if \
            done by the new day, and shows it was extended.
            """,
        subcommands: [Request.self, Approve.self, Deny.self, List.self]
    )

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Ask to move an occurrence's deadline; prints the request's id as its last line.",
            discussion: """
                Example: dutyctl extend request unit-situation-report/gd.sz.tsg/2026-H2 --until 2027-02-22 \
                --reason "年终总结会议改期"
                """
        )
        @Argument(help: ArgumentHelp("obligation/subject/period", valueName: "occurrence")) var occurrence: String
        @Option(help: ArgumentHelp("The new deadline day asked for (a working day).", valueName: "date"))
        var until: String
        @Option(help: ArgumentHelp("Why (the approvers read it).", valueName: "text")) var reason: String
        @Option(help: ArgumentHelp("The official asking (default you).", valueName: "official")) var by: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var r = ExtendRequest(occurrence: occurrence, until: until, reason: reason)
                r.by = by
                let answer = try global.perform(RequestExtension.self, r)
                if global.json {
                    printJSON(answer)
                } else {
                    print(
                        "\(answer.occurrence): asked to move the deadline from \(answer.deadline ?? "?") to \(answer.until); waiting for a decision"
                    )
                    print(answer.id)
                }
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Approve a request: the deadline moves to the day asked for.",
            discussion: "Example: dutyctl extend approve ext-3 --note \"同意\""
        )
        @Argument(help: ArgumentHelp("ext-N, as `dutyctl extend ls` lists them", valueName: "request"))
        var request: String
        @Option(help: ArgumentHelp("What the requester is told with the decision.", valueName: "text")) var note:
            String?
        @Option(help: ArgumentHelp("The approving official (default you, as administrator).", valueName: "official"))
        var by: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var d = ExtendDecision(request: request)
                d.note = note
                d.by = by
                let answer = try global.perform(ApproveExtension.self, d)
                if global.json {
                    printJSON(answer)
                } else {
                    print("\(answer.id) approved: \(answer.occurrence) is now due \(answer.until)")
                }
            }
        }
    }

    struct Deny: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deny",
            abstract: "Deny a request: the deadline stays.",
            discussion: "Example: dutyctl extend deny ext-3 --note \"请按期报送\""
        )
        @Argument(help: ArgumentHelp("ext-N, as `dutyctl extend ls` lists them", valueName: "request"))
        var request: String
        @Option(help: ArgumentHelp("Why (the requester is told).", valueName: "text")) var note: String?
        @Option(help: ArgumentHelp("The deciding official (default you, as administrator).", valueName: "official"))
        var by: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var d = ExtendDecision(request: request)
                d.note = note
                d.by = by
                let answer = try global.perform(DenyExtension.self, d)
                if global.json {
                    printJSON(answer)
                } else {
                    print("\(answer.id) denied: \(answer.occurrence) stays due \(answer.deadline ?? "as it was")")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the requests, oldest first."
        )
        @Option(help: ArgumentHelp("Only requests for this occurrence.", valueName: "id")) var occurrence: String?
        @Flag(help: "Only requests waiting for a decision.") var pending = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                var q = ExtendQuery()
                q.occurrence = occurrence
                q.pending = pending ? true : nil
                let json = JSONListPrinter(key: "requests")
                let table = StreamingTable(["ID", "OCCURRENCE", "UNTIL", "STATE", "ASKED BY", "DECIDED BY", "REASON"])
                let end = try global.rows(ListExtensions.self, q, json: global.json) { row in
                    switch row {
                    case .json(let bytes): json.add(bytes)
                    case .value(let r):
                        table.add([
                            r.id, r.occurrence, r.until, r.state, r.requestedBy, r.decidedBy ?? "—", r.reason,
                        ])
                    }
                }
                if global.json {
                    json.finish()
                } else if end.count == 0 {
                    print(pending ? "no request is waiting for a decision" : "no extension requests")
                } else {
                    table.finish()
                }
            }
        }
    }
}
