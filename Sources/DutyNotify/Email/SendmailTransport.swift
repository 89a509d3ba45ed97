import DutyCalendar

/// The local mail system: each message piped to `sendmail -i -f FROM -- RECIPIENTS` with LF line ends
/// and no dot-stuffing (`-i`: a lone dot is text, not the end). Exit 0 is sent; the sysexits that mean
/// "try later" (EX_TEMPFAIL 75, EX_UNAVAILABLE 69, EX_OSERR 71, EX_IOERR 74) are transient; any other
/// status is permanent.
package struct SendmailTransport: MailTransport {
    package var path: String
    package var timeout: Double

    package init(path: String, timeout: Double = 60) {
        self.path = path
        self.timeout = timeout
    }

    package func send(
        _ mails: [OutgoingMail],
        report: @escaping @Sendable (Int, [Delivery]) -> Void
    ) async -> [[Delivery]] {
        var results: [[Delivery]] = []
        for (m, mail) in mails.enumerated() {
            if Task.isCancelled {
                results.append(mail.recipients.map { _ in stoppingDelivery })
                continue
            }
            let outcome = await CommandRunner.run(
                [path, "-i", "-f", mail.message.from.address, "--"] + mail.recipients,
                input: mail.message.bytes(crlf: false),
                timeout: timeout
            )
            let said = outcome.output.isEmpty ? "" : ": " + outcome.output.trimmingSpaces
            let d: Delivery
            switch outcome.status {
            case .exited(0): d = .sent
            case .exited(let code) where [75, 69, 71, 74].contains(code):
                d = .transient("\(path) exited with status \(code)\(said)")
            case .exited(let code): d = .permanent("\(path) exited with status \(code)\(said)")
            case .signalled(let s): d = .transient("\(path) was killed by signal \(s)\(said)")
            case .timedOut: d = .transient("\(path) did not finish within \(Int(timeout)) s")
            case .outOfResources(let why): d = .transient(why)
            case .couldNotStart(let why):
                d = .permanent(
                    "\(why); set sendmail = \"/usr/sbin/sendmail\" in [email] or install a mail transfer agent"
                )
            }
            results.append(mail.recipients.map { _ in d })
            report(m, results[m])
        }
        return results
    }
}
