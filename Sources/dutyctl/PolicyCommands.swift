import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyNotify
import DutyService
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
            abstract: "Read every policy file and report each problem with file:line:column (exit 78), like nginx -t."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let settings = try Direct.settings(global)
                let files = try PolicyFiles.files(in: settings.policy)
                let policy = try PolicyFiles.load(paths: settings.policy, zone: settings.timezone)
                if global.json {
                    printJSON([
                        "ok": "true", "files": files.joined(separator: " "),
                        "obligations": String(policy.obligations.count),
                    ])
                } else {
                    print(
                        "policy ok: \(policy.obligations.count) obligation(s), \(policy.kinds.count) unit kind(s), \(policy.roles.count) role(s) in \(files.joined(separator: ", "))"
                    )
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the obligations, or show one in full.",
            discussion:
                "Through the running dutyd (the policy in force there), or with --config on the policy files."
        )
        @Argument(help: ArgumentHelp("An obligation id.", valueName: "obligation")) var obligation: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let r = PolicyRequest(obligation: obligation)
                let answer: PolicyAnswer
                if let client = global.remote {
                    answer = try client.get("/v1/policy", r)
                } else {
                    let settings = try Direct.settings(global)
                    answer = try PolicyFiles.load(paths: settings.policy, zone: settings.timezone).show(r)
                }
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
            abstract:
                "Validate every file like nginx -t: settings, policy, holidays, the state store and the organisation in it.",
            discussion:
                "Exit status 0 when all is well (warnings included), 78 for a bad configuration file, 1 when the state store cannot be opened."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try running {
                let settings = try Direct.settings(global)
                var lines = ["settings \(settings.file ?? "(defaults)"): ok"]
                let workspace = try Workspace.load(settings)
                lines.append(
                    "policy: ok, \(workspace.policy.obligations.count) obligation(s) from \(settings.policy.joined(separator: ", "))"
                )
                let years = workspace.workdays.publishedYears.sorted()
                lines.append(
                    "holidays: ok, published years \(years.map(String.init).joined(separator: ", ")) from \(settings.holidays.joined(separator: ", "))"
                )
                var warnings: [String] = []
                if let last = years.last {
                    warnings.append(
                        "holiday years after \(last) are provisional (weekend rule) until their schedule is added"
                    )
                }
                lines += try deliveryLines(settings, warnings: &warnings)
                let statePath = global.state ?? settings.state
                if FileManager.default.fileExists(atPath: statePath) {
                    let store = try workspace.openStore(global.state)
                    let planner = try workspace.planner(store)
                    lines.append(
                        "state \(statePath): ok, \(planner.organisation.units.count) unit(s), \(planner.organisation.officials.count) official(s)"
                    )
                    warnings += planner.organisationWarnings().map(\.message)
                } else {
                    warnings.append("state \(statePath) does not exist yet; `dutyctl unit import` or dutyd creates it")
                }
                if global.json {
                    printJSON(["ok": lines, "warnings": warnings])
                } else {
                    for l in lines { print(l) }
                    for w in warnings { print("warning: \(w)") }
                }
            }
        }
    }

    /// What `[email]` and `[[hook]]` say, checked: the sender, the transport, every template override
    /// parsed and tried on a sample digest, every hook's program found.
    static func deliveryLines(_ settings: Settings, warnings: inout [String]) throws -> [String] {
        let email = settings.email
        var lines: [String] = []
        switch email.transport {
        case .none:
            lines.append("email: off (add [email] with transport = \"smtp\" or \"sendmail\" to send mail)")
        case .smtp:
            let c = email.smtp!
            lines.append(
                "email: ok, smtp \(c.host):\(c.port) (\(c.security.rawValue))"
                    + (c.username.map { ", user \($0)" } ?? "") + ", from \(email.from!)"
            )
            if c.username != nil {
                let file = c.passwordFile ?? SMTPConfiguration.credentialFile
                if let file, !FileManager.default.isReadableFile(atPath: file) {
                    warnings.append("email.password_file \(file) cannot be read by this user (dutyd needs to read it)")
                } else if file == nil {
                    warnings.append(
                        "email.username is set but not password_file: under systemd dutyd reads the credential dutyd-smtp-password (see README, Mail); elsewhere set password_file"
                    )
                }
            }
        case .sendmail:
            lines.append("email: ok, \(email.sendmail) -i -f \(email.from!.address), from \(email.from!)")
            if !FileManager.default.isExecutableFile(atPath: email.sendmail) {
                warnings.append(
                    "email.sendmail \(email.sendmail) is not an executable file; install a mail transfer agent or change the path"
                )
            }
        }
        let templates = try settings.mailTemplates()
        lines.append(
            "templates: ok, \(templates.language)"
                + (templates.overrides.isEmpty
                    ? ", shipped" : ", overridden by \(templates.overrides.joined(separator: ", "))")
        )
        for hook in settings.hooks {
            let program = hook.command[0]
            let events = hook.events.isEmpty ? "every notification" : hook.events.sorted().joined(separator: ", ")
            lines.append(
                "hook \(hook.name): \(hook.command.joined(separator: " ")) on \(events), timeout \(hook.timeout)s"
            )
            if program.contains("/") ? !FileManager.default.isExecutableFile(atPath: program) : false {
                warnings.append("hook \(hook.name): \(program) is not an executable file")
            }
        }
        return lines
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
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

        func run() throws {
            try running {
                guard let name else {
                    for n in MailTemplates.names { print(n) }
                    return
                }
                guard let text = MailTemplates.builtin(name) else {
                    throw Failure(
                        Failure.usage,
                        "no template is called \(name); expected one of \(MailTemplates.names.joined(separator: ", "))"
                    )
                }
                print(text, terminator: "")
            }
        }
    }
}
