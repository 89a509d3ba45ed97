import DutyCalendar
package import DutyCore
package import DutyFiles
import DutyNotify
import DutyQueries
import DutyStore
import Foundation

// `config check`, `policy check` and `config template`: dutyctl runs them on the files (like nginx -t,
// docs/design.md); dutyd answers the same at GET /v1/config/check, /v1/policy/check, /v1/config/template,
// reading its settings file again as its own user (what a reload would take, and whether dutyd may read
// it).

/// `config check` (the state store: `--state`, else the settings').
package struct ConfigCheckRequest: Codable, Sendable {
    package init() {}
}

package struct ConfigCheckAnswer: Codable, Sendable {
    /// What was checked and found good, a line each.
    package var ok: [String]
    package var warnings: [String]
}

extension Settings {
    /// Every file, like nginx -t: settings, policy, holidays, delivery, the state store and the
    /// organisation in it. A file that is wrong throws its place (78); a store that cannot be opened, 1.
    ///
    /// `planner`: the organisation already in memory (dutyd's), instead of reading it from the store
    /// again (a million units is seconds and hundreds of MiB).
    ///
    /// `commands`: whether hook command lines are shown whole. Their arguments may hold tokens, so
    /// dutyd shows them only to root and the admin groups; a reader sees the program alone.
    package func check(
        state: String? = nil,
        planner loaded: Planner? = nil,
        commands: Bool = true
    ) throws -> ConfigCheckAnswer {
        var lines = ["settings \(file ?? "(defaults)"): ok"]
        let workspace = try Workspace.load(self)
        lines.append(
            "policy: ok, \(workspace.policy.obligations.count) obligation(s) from \(policy.joined(separator: ", "))"
        )
        let years = workspace.workdays.publishedYears.sorted()
        lines.append(
            "holidays: ok, published years \(years.map(String.init).joined(separator: ", ")) from \(holidays.joined(separator: ", "))"
        )
        var warnings: [String] = []
        if let last = years.last {
            warnings.append(
                "holiday years after \(last) are provisional (weekend rule) until their schedule is added"
            )
        }
        lines += try deliveryLines(warnings: &warnings, commands: commands)
        lines += listenerLines(warnings: &warnings)
        let statePath = state ?? self.state
        // A database is checked by connecting to it (the string parsed, the server reached, the
        // schema made); it is named as the store names itself, without a password.
        if Settings.isDatabase(statePath) || FileManager.default.fileExists(atPath: statePath) {
            let planner = try loaded ?? workspace.planner(try workspace.openStore(state))
            let name = try PostgresLocation(statePath)?.name ?? statePath
            lines.append(
                "state \(name): ok, \(planner.organisation.units.count) unit(s), \(planner.organisation.officials.count) official(s)"
            )
            warnings += planner.organisationWarnings().map(\.message)
        } else {
            warnings.append("state \(statePath) does not exist yet; `dutyctl unit import` or dutyd creates it")
        }
        return ConfigCheckAnswer(ok: lines, warnings: warnings)
    }

    /// Where dutyd answers: the API's socket and who may ask and change, the officials' pages and the
    /// metrics when they are on. A web key dutyd could not use is a warning here (dutyd stops at start
    /// with it); the checker may not be allowed to read the key that dutyd can.
    func listenerLines(warnings: inout [String]) -> [String] {
        var lines: [String] = []
        if api.enabled {
            lines.append(
                "api: socket \(api.socket), questions for group \(api.group), changes for root and \(api.adminGroups.joined(separator: ", ")); "
                    + "a question may take \(Int(api.questionTimeout)) s, an idle connection is closed after \(Int(api.idleTimeout)) s"
            )
        } else {
            lines.append("api: off (dutyctl works on the files with --config)")
        }
        if let web {
            lines.append(
                "web: pages on \(web.host):\(web.port) as \(web.baseURL), personal links last \(web.linkLifetime / 86_400) day(s)"
                    + (web.trustUserHeader.map { ", signed-on user from the \($0) header" } ?? "")
            )
            do {
                _ = try web.key()
            } catch {
                warnings.append("\(error.message) (dutyd stops at start without a usable key)")
            }
        } else {
            lines.append("web: off (add [web] with listen, base_url and secret_file for the officials' pages)")
        }
        if let metrics {
            lines.append(
                "metrics: Prometheus text on \(metrics.host):\(metrics.port)/metrics, and /metrics on the API socket"
            )
        } else {
            lines.append("metrics: /metrics on the API socket ([metrics] listen adds a TCP port)")
        }
        return lines
    }

    /// What `[email]` and `[[hook]]` say, checked: the sender, the transport, every template override
    /// parsed and tried on a sample digest, every hook's program found.
    func deliveryLines(warnings: inout [String], commands: Bool = true) throws -> [String] {
        let email = self.email
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
        let templates = try mailTemplates()
        lines.append(
            "templates: ok, \(templates.language)"
                + (templates.overrides.isEmpty
                    ? ", shipped" : ", overridden by \(templates.overrides.joined(separator: ", "))")
        )
        for hook in hooks {
            let program = hook.command[0]
            let events = hook.events.isEmpty ? "every notification" : hook.events.sorted().joined(separator: ", ")
            let shown =
                commands || hook.command.count == 1
                ? hook.command.joined(separator: " ")
                : "\(program) (\(hook.command.count - 1) argument(s), shown to administrators only)"
            lines.append("hook \(hook.name): \(shown) on \(events), timeout \(hook.timeout)s")
            if program.contains("/"), !FileManager.default.isExecutableFile(atPath: program) {
                warnings.append("hook \(hook.name): \(program) is not an executable file")
            }
        }
        return lines
    }

    /// `policy check`: every policy file read (a mistake throws its place, 78).
    package func checkPolicy() throws -> PolicyCheckAnswer {
        let files = try PolicyFiles.files(in: policy)
        let p = try PolicyFiles.load(paths: policy, zone: timezone)
        return PolicyCheckAnswer(
            files: files,
            obligations: p.obligations.count,
            kinds: p.kinds.count,
            roles: p.roles.count
        )
    }
}

/// `config check`: the files as they are now (what a reload would take: the settings file is read
/// again), with the organisation already planned. Hook command lines are shown whole only to those
/// who may change things. dutyctl's direct mode calls `Settings.check` itself, since the files it
/// checks may not load.
package enum CheckConfig: DutyOperation {
    package static let route = "config/check"
    package static let access = Access.read
    package static let command = ["config", "check"]
    package static func perform(_ r: ConfigCheckRequest, _ c: OperationContext) throws -> ConfigCheckAnswer {
        try c.workspace.settingsOnDisk().check(planner: try c.planner(), commands: c.mayChange)
    }
}

extension Workspace {
    /// The settings as the file says now, not as loaded at the last start or reload.
    package func settingsOnDisk() throws -> Settings {
        try settings.file.map { try Settings.load(path: $0) } ?? settings
    }
}
