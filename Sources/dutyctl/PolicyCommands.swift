import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check and show the policy: obligations, deadlines, reminders and escalations.",
        subcommands: [Check.self, Show.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Read every policy file and report each problem with file:line:column (exit 78), like nginx -t."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let answer: PolicyCheckAnswer = try global.filesUnlessAsked(CheckPolicy.self, PolicyCheckRequest()) {
                    try Direct.settings(global).checkPolicy()
                }
                if global.json {
                    printJSON([
                        "ok": "true", "files": answer.files.joined(separator: " "),
                        "obligations": String(answer.obligations),
                    ])
                } else {
                    print(
                        "policy ok: \(answer.obligations) obligation(s), \(answer.kinds) unit kind(s), \(answer.roles) role(s) in \(answer.files.joined(separator: ", "))"
                    )
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "List the obligations, or show one in full.",
            discussion:
                "Through the running dutyd (the policy in force there), or with --config on the policy files."
        )
        @Argument(help: ArgumentHelp("An obligation id.", valueName: "obligation")) var obligation: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = PolicyRequest(obligation: obligation)
                let answer = try global.perform(ShowPolicy.self, r)
                if global.json {
                    printJSON(answer)
                    return
                }
                if obligation == nil {
                    printTable(
                        ["OBLIGATION", "ARTICLE", "APPLIES TO", "DEADLINES", "SHIFT", "REMIND"],
                        answer.obligations.map {
                            [$0.id, $0.article, $0.appliesTo, $0.rule, $0.shift, $0.remind.joined(separator: " ")]
                        }
                    )
                    return
                }
                let o = answer.obligations[0]
                print("\(o.id) — \(o.title)")
                print("article: \(o.article)")
                print("defined in: \(o.source)")
                print("applies to: \(o.appliesTo)")
                print("deadlines: \(o.rule)")
                print("shift: \(o.shift)")
                print(
                    "reminders: \(o.remind.isEmpty ? "none" : o.remind.joined(separator: ", ")) to \(o.remindTo.joined(separator: "; "))"
                )
                print("yellow: last \(o.yellow)")
                print("responsible: \(o.responsible.joined(separator: ", "))")
                print("ladder:")
                for s in o.ladder {
                    print("  \(s.kind) \(s.after) after the deadline: \(s.recipients.joined(separator: "; "))")
                }
                print("receipt (签收): \(o.acknowledge.map { "within \($0) of the first notice" } ?? "not asked")")
                print("extension (延期): \(o.extensionRule ?? "none")")
                print(
                    "liability (第十三条): main \(answer.liability.main.joined(separator: ", ")); important \(answer.liability.important.joined(separator: ", "))"
                )
            }
        }
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration; print the shipped mail templates.",
        subcommands: [Check.self, Template.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract:
                "Validate every file like nginx -t: settings, policy, holidays, the state store and the organisation in it.",
            discussion:
                "Exit status 0 when all is well (warnings included), 78 for a bad configuration file, 1 when the state store cannot be opened."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let answer: ConfigCheckAnswer = try global.filesUnlessAsked(CheckConfig.self, ConfigCheckRequest()) {
                    try Direct.settings(global).check(state: global.state)
                }
                if global.json {
                    printJSON(["ok": answer.ok, "warnings": answer.warnings])
                } else {
                    for l in answer.ok { print(l) }
                    for w in answer.warnings { print("warning: \(w)") }
                }
            }
        }
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Print a shipped mail template, to start an override from.",
            discussion: """
                Without a name, lists the templates. To change one, save it in the templates folder \
                ([email] templates, by default templates/ beside the settings file) under the same name \
                with .mustache, edit it, and run `dutyctl config check`:
                  dutyctl config template body.zh-CN > /etc/dutyd/templates/body.zh-CN.mustache
                """
        )

        @Argument(help: ArgumentHelp("subject.zh-CN, body.zh-CN, subject.en or body.en.", valueName: "name"))
        var name: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = TemplateRequest(name: name)
                let answer = try global.filesUnlessAsked(ShowTemplate.self, r) { try TemplateAnswer(r) }
                if let text = answer.text {
                    print(text, terminator: "")
                } else {
                    for n in answer.names { print(n) }
                }
            }
        }
    }
}
