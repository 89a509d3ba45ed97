import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyNotify
import DutyService
import DutyStore
import Foundation

/// `dutyctl ledger`: what was sent, to whom, when, what failed and why (the notification ledger).
struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(
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
            let answer: LedgerAnswer = try store.answer(remote: { try $0.get("/v1/ledger", r) }) {
                try $0.workspace.ledger(r, store: $0.store)
            }
            if global.json {
                printJSON(answer)
                return
            }
            let rows = answer.notifications
            if rows.isEmpty {
                print(
                    "no notifications match"
                        + ((states ?? []).isEmpty && occurrence == nil ? " (nothing sent yet)" : "")
                )
                return
            }
            func short(_ s: String?) -> String {
                guard let s else { return "" }
                return String(s.prefix(16)).replacingOccurrences(of: "T", with: " ")
            }
            printTable(
                ["DUE", "STATE", "CHANNEL", "RECIPIENT", "OCCURRENCE", "STEP", "TRIES", "SENT/NEXT", "ERROR"],
                rows.map { e in
                    [
                        short(e.due), e.state, e.channel, e.recipient, e.occurrence, e.step, "\(e.attempts)",
                        e.state == "retry" ? "next " + short(e.next_attempt) : short(e.sent), e.error ?? "",
                    ]
                }
            )
            if rows.count == limit { print("(the first \(limit); --limit N for more)") }
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
                guard !to.isEmpty else { throw Failure(Failure.usage, "--to ADDRESS: where to send the test message") }
                let settings = try Direct.settings(global)
                let email = settings.email
                guard email.transport != .none, let from = email.from else {
                    throw Failure(
                        Failure.config,
                        "no mail transport: add [email] with transport = \"smtp\" (or \"sendmail\") and from = \"…\" to \(settings.file ?? "the settings")"
                    )
                }
                let recipients = try to.map { address throws(Failure) in
                    do {
                        return try MailAddress(parsing: address)
                    } catch {
                        throw Failure(Failure.usage, "--to \(error)")
                    }
                }
                _ = try settings.mailTemplates()  // a broken template is worth knowing about now
                let now = Instant.now
                let message = MailMessage(
                    from: from,
                    to: recipients,
                    subject: "【测试】dutyd 邮件测试 / test message",
                    body: """
                        这是 dutyd 发出的测试邮件。收到即说明邮件设置可用。
                        This is a test message from dutyd: the mail settings work.

                        发件设置 / settings: \(settings.file ?? "")
                        发送方式 / transport: \(email.transport.rawValue)
                        """,
                    messageID: stableDigest(["test", now.description] + to) + ".dutyd@" + from.domain,
                    date: now,
                    zone: settings.timezone
                )
                let addresses = recipients.map(\.address)
                switch email.transport {
                case .smtp:
                    let c = email.smtp!
                    print("connecting to \(c.host):\(c.port) (\(c.security.rawValue))")
                    let session: SMTPSession
                    do throws(SMTPError) {
                        session = try await SMTPSession.open(c)
                    } catch {
                        throw Failure(Failure.runtime, "\(error)")
                    }
                    var results: [SMTPSession.RecipientResult] = []
                    var failure: SMTPError?
                    do throws(SMTPError) {
                        results = try await session.send(from: from.address, to: addresses, data: message.bytes())
                    } catch {
                        failure = error
                    }
                    await session.close()
                    for line in session.transcript { print("  " + line) }
                    if let failure { throw Failure(Failure.runtime, failure.message) }
                    var ok = true
                    for (a, r) in zip(addresses, results) {
                        switch r {
                        case .accepted: print("\(a): accepted")
                        case .transient(let why):
                            ok = false
                            print("\(a): refused for now (a retry would follow): \(why)")
                        case .permanent(let why):
                            ok = false
                            print("\(a): refused: \(why)")
                        }
                    }
                    if !ok { throw Failure(Failure.runtime, "not every recipient accepted the test message") }
                case .sendmail:
                    let r = await SendmailTransport(path: email.sendmail).send([
                        OutgoingMail(message: message, recipients: addresses)
                    ])
                    guard r.first?.first == .sent else {
                        throw Failure(Failure.runtime, "\(r.first?.first.map { "\($0)" } ?? "no answer")")
                    }
                    print("\(email.sendmail) accepted the message for \(addresses.joined(separator: ", "))")
                case .none:
                    break
                }
            }
        }
    }
}
