package import DutyCalendar
package import DutyNotify
import Foundation

/// The `[email]` table and the `[[hook]]` list of the settings file (docs/design.md, Files).
extension Settings {
    /// `10s`, `500ms`, `2min`, `1h`, or a plain number of seconds; `nil` unless it is from 10 ms to
    /// `maximum` seconds.
    static func seconds(_ node: TOMLNode, maximum: Double) -> Double? {
        let v: Double
        if let i = node.int {
            v = Double(i)
        } else {
            guard let t = node.string else { return nil }
            let digits = t.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard digits.count <= 12, let n = Double(digits) else { return nil }
            switch t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces) {
            case "", "s", "sec": v = n
            case "ms": v = n / 1000
            case "m", "min": v = n * 60
            case "h": v = n * 3600
            case "d": v = n * 86_400
            default: return nil
            }
        }
        return v >= 0.01 && v <= maximum ? v : nil
    }

    /// The longest waits the settings may ask for. A reply or a hook run stays within the five minutes
    /// of the unit's `WatchdogSec=` (`WatchdogFeeder` feeds while deliveries end); the session timeout
    /// bounds a whole batch, which feeds the watchdog as it goes. A stop cancels any wait at once.
    static let maximumReplyTimeout = 300.0
    static let maximumSessionTimeout = 3600.0
    static let maximumHookTimeout = 300.0

    static func parseEmail(
        _ table: TOMLTable,
        path: String,
        resolve: (String) -> String
    ) throws(ConfigError) -> EmailSettings {
        func fail(_ node: TOMLNode, _ message: String) -> ConfigError {
            ConfigError(path, node.position.line, node.position.column, message)
        }
        func string(_ key: String, _ what: String) throws(ConfigError) -> String? {
            guard let n = table[key] else { return nil }
            guard let s = n.string else { throw fail(n, "email.\(key): expected \(what) in quotes") }
            return s
        }
        var e = EmailSettings()
        let transport =
            try string("transport", "smtp, sendmail or none") ?? (table["smtp_host"] != nil ? "smtp" : "none")
        guard let t = EmailSettings.Transport(rawValue: transport) else {
            throw fail(
                table["transport"]!,
                "email.transport: expected \"smtp\", \"sendmail\" or \"none\", found \"\(transport)\""
            )
        }
        e.transport = t
        if let from = try string("from", "a sender such as \"督办提醒 <dutyd@example.org>\"") {
            do {
                e.from = try MailAddress(parsing: from)
            } catch {
                throw fail(table["from"]!, "email.from: \(error.reason)")
            }
        } else if t != .none {
            throw ConfigError(
                path,
                table.position.line,
                table.position.column,
                "[email] needs from = \"督办提醒 <dutyd@example.org>\": the sender of every message"
            )
        }
        if let templates = try string("templates", "a folder path") { e.templates = resolve(templates) }
        if let language = try string("language", "\"zh-CN\" or \"en\"") {
            guard MailTemplates.languages.contains(language) else {
                throw fail(table["language"]!, "email.language: expected \"zh-CN\" or \"en\", found \"\(language)\"")
            }
            e.language = language
        }
        if let sendmail = try string("sendmail", "the path of sendmail") { e.sendmail = sendmail }

        let securityName = try string("tls", "starttls, implicit or none") ?? "starttls"
        guard let security = SMTPConfiguration.Security(rawValue: securityName) else {
            throw fail(
                table["tls"]!,
                "email.tls: expected \"starttls\" (port 587), \"implicit\" (port 465) or \"none\", found \"\(securityName)\""
            )
        }
        let host = try string("smtp_host", "a host name")
        if t == .smtp && (host ?? "").isEmpty {
            throw ConfigError(
                path,
                table.position.line,
                table.position.column,
                "transport = \"smtp\" needs smtp_host = \"mail.example.org\" in [email]"
            )
        }
        var port = security == .implicit ? 465 : security == .starttls ? 587 : 25
        if let n = table["smtp_port"] {
            guard let p = n.int, (1...65535).contains(p) else {
                throw fail(n, "email.smtp_port: expected a port number from 1 to 65535")
            }
            port = p
        }
        var smtp = SMTPConfiguration(
            host: host ?? "",
            port: port,
            security: security,
            username: try string("username", "a user name"),
            passwordFile: try string("password_file", "a file path").map(resolve),
            caFile: try string("ca_file", "a file of CA certificates (PEM)").map(resolve),
            helo: try string("helo", "a host name") ?? ProcessInfo.processInfo.hostName
        )
        if security == .none, smtp.username != nil, !smtp.isLoopback {
            throw fail(
                table["tls"]!,
                "email.tls = \"none\" would send the SMTP password in plain text to \(smtp.host); use \"starttls\" or \"implicit\""
            )
        }
        for (key, maximum, set) in [
            ("timeout", maximumReplyTimeout, { (s: inout SMTPConfiguration, v: Double) in s.replyTimeout = v }),
            (
                "session_timeout", maximumSessionTimeout,
                { (s: inout SMTPConfiguration, v: Double) in s.sessionTimeout = v }
            ),
        ] {
            guard let n = table[key] else { continue }
            guard let v = seconds(n, maximum: maximum) else {
                throw fail(
                    n,
                    "email.\(key): expected a time from 10ms to \(Int(maximum))s, such as \"60s\" or \"2min\""
                )
            }
            set(&smtp, v)
        }
        if let file = smtp.passwordFile, let problem = SMTPConfiguration.passwordFileProblem(file) {
            throw fail(table["password_file"]!, "email.password_file: \(problem)")
        }
        if table["helo"] != nil, !SMTPConfiguration.isValidHelo(smtp.helo) {
            throw fail(
                table["helo"]!,
                "email.helo: expected this host's name, such as \"dutyd.example.org\" (letters, digits, '-' and '.'), "
                    + "or an address in brackets such as \"[192.0.2.1]\""
            )
        }
        if !SMTPConfiguration.isValidHelo(smtp.helo) { smtp.helo = "localhost" }
        if let ca = smtp.caFile, !FileManager.default.fileExists(atPath: ca) {
            throw fail(table["ca_file"]!, "email.ca_file: no file at \(ca)")
        }
        e.smtp = smtp
        return e
    }

    static func parseHooks(_ list: [TOMLNode], path: String) throws(ConfigError) -> [HookSettings] {
        var hooks: [HookSettings] = []
        for node in list {
            guard let t = node.table else { continue }  // checkKeys already refused it
            func fail(_ n: TOMLNode?, _ message: String) -> ConfigError {
                let p = n?.position ?? t.position
                return ConfigError(path, p.line, p.column, message)
            }
            guard let name = t["name"]?.string, !name.isEmpty,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else {
                throw fail(
                    t["name"],
                    "hook: expected name = \"sms\" (letters, digits, - and _), used in the ledger as hook:NAME"
                )
            }
            guard !hooks.contains(where: { $0.name == name }) else {
                throw fail(t["name"], "hook: a second hook called \(name); every hook needs a name of its own")
            }
            guard let argv = t["command"]?.array?.compactMap(\.string), !argv.isEmpty,
                argv.count == t["command"]?.array?.count, !argv[0].isEmpty
            else {
                throw fail(t["command"], "hook \(name): expected command = [\"/path/to/program\", \"argument\", …]")
            }
            var hook = HookSettings(name: name, command: argv)
            if let n = t["events"] {
                guard let list = n.array?.compactMap(\.string), list.count == n.array?.count else {
                    throw fail(n, "hook \(name): expected events = [\"overdue\", \"escalation\"]")
                }
                for (i, ev) in list.enumerated() where !HookSettings.eventNames.contains(ev) {
                    throw fail(
                        n.array![i],
                        "hook \(name): unknown event \"\(ev)\"; expected \(HookSettings.eventNames.joined(separator: ", "))"
                    )
                }
                hook.events = Set(list)
            }
            if let n = t["timeout"] {
                guard let v = seconds(n, maximum: maximumHookTimeout) else {
                    throw fail(
                        n,
                        "hook \(name): expected timeout = \"10s\" (from 10ms to \(Int(maximumHookTimeout))s)"
                    )
                }
                hook.timeout = v
            }
            if let n = t["credentials"] {
                guard let v = n.bool else {
                    throw fail(n, "hook \(name): expected credentials = true or false")
                }
                hook.credentials = v
            }
            if let n = t["concurrency"] {
                guard let v = n.int, (1...64).contains(v) else {
                    throw fail(n, "hook \(name): expected concurrency = a number from 1 to 64")
                }
                hook.concurrency = v
            }
            hooks.append(hook)
        }
        return hooks
    }
}

extension Settings {
    /// The mail transport `[email]` configures, or `nil` for `transport = "none"`.
    package func mailTransport() -> (any MailTransport)? {
        switch email.transport {
        case .none: return nil
        case .sendmail: return SendmailTransport(path: email.sendmail)
        case .smtp: return email.smtp.map { SMTPTransport(configuration: $0) }
        }
    }

    /// The templates in force: the shipped ones, overridden by files in `[email] templates` (by
    /// default `templates/` beside the settings file).
    package func mailTemplates() throws(TemplateError) -> MailTemplates {
        try MailTemplates.load(folder: templatesFolder, language: email.language)
    }

    package var templatesFolder: String? {
        email.templates
            ?? file.map { (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("templates") }
    }

    /// The email channel, or `nil` when mail is off; `now` is the clock its Date headers read.
    package func emailChannel(now: @escaping @Sendable () -> Instant) throws(TemplateError) -> EmailChannel? {
        guard let transport = mailTransport(), let from = email.from else { return nil }
        var channel = EmailChannel(
            from: from,
            transport: transport,
            templates: try mailTemplates(),
            zone: timezone,
            now: now
        )
        // A key that cannot be read leaves the links out (dutyd refuses to start its pages without it).
        channel.links = try? web?.links()
        return channel
    }
}
