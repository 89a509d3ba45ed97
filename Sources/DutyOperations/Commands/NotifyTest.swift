import DutyCalendar
import DutyCore
package import DutyFiles
import DutyNotify
import Foundation

/// `notify test --to ADDRESS…`.
package struct NotifyTestRequest: Codable, Sendable {
    package var to: [String]

    package init(to: [String]) { self.to = to }
}

/// What to show (SMTP: each command and the server's answer; the password never), and why the test
/// failed (dutyctl exits 1), if it did.
package struct NotifyTestAnswer: Codable, Sendable {
    package var lines: [String]
    package var failure: String?
}

extension Settings {
    /// `notify test`: one message through the configured transport. Usage and configuration mistakes
    /// throw; a refusal is in the answer, after the transcript that shows it.
    package func notifyTest(_ r: NotifyTestRequest) async throws -> NotifyTestAnswer {
        var lines: [String] = []
        guard !r.to.isEmpty else { throw Failure(ExitStatus.usage, "--to ADDRESS: where to send the test message") }
        let settings = self
        let email = settings.email
        guard email.transport != .none, let from = email.from else {
            throw Failure(
                ExitStatus.config,
                "no mail transport: add [email] with transport = \"smtp\" (or \"sendmail\") and from = \"…\" to \(settings.file ?? "the settings")"
            )
        }
        let recipients = try r.to.map { address throws(Failure) in
            do {
                return try MailAddress(parsing: address)
            } catch {
                throw Failure(ExitStatus.usage, "--to \(error)")
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
            messageID: stableDigest(["test", now.description] + r.to) + ".dutyd@" + from.domain,
            date: now,
            zone: settings.timezone
        )
        let addresses = recipients.map(\.address)
        switch email.transport {
        case .smtp:
            let c = email.smtp!
            lines.append("connecting to \(c.host):\(c.port) (\(c.security.rawValue))")
            let session: SMTPSession
            do throws(SMTPError) {
                session = try await SMTPSession.open(c)
            } catch {
                return NotifyTestAnswer(lines: lines, failure: "\(error)")
            }
            var results: [SMTPSession.RecipientResult] = []
            var failure: SMTPError?
            do throws(SMTPError) {
                results = try await session.send(from: from.address, to: addresses, data: message.bytes())
            } catch {
                failure = error
            }
            await session.close()
            lines += session.transcript.map { "  " + $0 }
            if let failure { return NotifyTestAnswer(lines: lines, failure: failure.message) }
            var ok = true
            for (a, r) in zip(addresses, results) {
                switch r {
                case .accepted: lines.append("\(a): accepted")
                case .transient(let why):
                    ok = false
                    lines.append("\(a): refused for now (a retry would follow): \(why)")
                case .permanent(let why):
                    ok = false
                    lines.append("\(a): refused: \(why)")
                }
            }
            if !ok { return NotifyTestAnswer(lines: lines, failure: "not every recipient accepted the test message") }
        case .sendmail:
            let r = await SendmailTransport(path: email.sendmail).send([
                OutgoingMail(message: message, recipients: addresses)
            ])
            guard r.first?.first == .sent else {
                return NotifyTestAnswer(lines: lines, failure: "\(r.first?.first.map { "\($0)" } ?? "no answer")")
            }
            lines.append("\(email.sendmail) accepted the message for \(addresses.joined(separator: ", "))")
        case .none:
            break
        }
        return NotifyTestAnswer(lines: lines, failure: nil)
    }
}
