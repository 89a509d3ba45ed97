import ArgumentParser
import DutyAPI
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries

/// `dutyctl status`: what the running dutyd has in force and what it does next.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The running dutyd: version, uptime, configuration in force, next steps, ledger, holiday years.",
        discussion: """
            Asks the daemon over its API socket (--socket, default /run/dutyd/api.sock); exits 69 when it \
            is not running. To check the files without a daemon: dutyctl config check.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            let s: StatusView = try global.daemon("status").get("/v1/status", [String: String]())
            if global.json {
                printJSON(s)
                return
            }
            let up = s.uptimeSeconds
            print(
                "dutyd \(s.version), pid \(s.pid), up \(up / 86_400)d \(up % 86_400 / 3600)h \(up % 3600 / 60)m (since \(s.startedAt))"
            )
            print("configuration: \(s.config), loaded \(s.loadedAt)")
            print("  zone \(s.timezone); state \(s.state); API \(s.socket)")
            print("  policy \(s.policy.joined(separator: ", ")); holidays \(s.holidays.joined(separator: ", "))")
            print("  \(s.units) units, \(s.officials) officials, \(s.obligations) obligations")
            let published = s.holidayYears.map(String.init).joined(separator: ", ")
            print(
                "holidays: \(published.isEmpty ? "none published" : published)"
                    + (s.provisionalYears.isEmpty
                        ? ""
                        : "; provisional (weekend rule until published): \(s.provisionalYears.map(String.init).joined(separator: ", "))")
            )
            if s.next.isEmpty {
                print("next: nothing scheduled within 400 days")
            } else {
                print("next:")
                printTable(["AT", "OBLIGATION", "STEP"], s.next.map { [$0.at, $0.obligation, $0.step] })
            }
            let order = ["pending", "sending", "sent", "retry", "failed", "collapsed", "cancelled"]
            let counts = s.ledger.sorted {
                (order.firstIndex(of: $0.key) ?? 99, $0.key) < (order.firstIndex(of: $1.key) ?? 99, $1.key)
            }
            print(
                "ledger: " + (counts.isEmpty ? "empty" : counts.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            )
            if let sender = s.sender {
                let who =
                    sender.holder.map { "\($0) sends (term \(sender.term), since \(sender.since ?? "?"))" }
                    ?? "no instance sends now (term \(sender.term)); one takes over within the takeover interval"
                print("sender: \(who); this is \(sender.instance)\(sender.sending ? ", the sender" : ", standing by")")
                for i in sender.instances {
                    print("  \(i.name)\(i.name == sender.holder ? " (sends)" : ""), seen \(i.seen)")
                }
            }
        }
    }
}

/// `dutyctl reload`: what `systemctl reload dutyd` does, and says whether it worked.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running dutyd read its settings, policy and holidays again; says whether they were taken.",
        discussion: """
            Like systemctl reload dutyd (SIGHUP), but waits and tells: exit 0 when the new configuration is \
            in force, 78 with the mistake and its place when it was refused (the previous one stays). \
            Check first with dutyctl config check.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try running {
            let answer: ReloadAnswer = try global.daemon("reload").post("/v1/reload", [String: String]())
            if global.json {
                printJSON(answer)
            } else {
                print("dutyd reloaded \(answer.config); in force since \(answer.loadedAt)")
            }
        }
    }
}

extension GlobalOptions {
    /// The running daemon, for a command that only it can answer (`status`, `reload`).
    func daemon(_ command: String) throws -> APIClient {
        guard let client = remote else {
            throw Failure(
                ExitStatus.usage,
                "\(command) asks the running dutyd, not the files: leave out --config/--state (and pass --socket PATH if needed); `dutyctl config check --config PATH` checks the files"
            )
        }
        return client
    }
}
