/// One message and the addresses it goes to.
package struct OutgoingMail: Sendable {
    package var message: MailMessage
    /// Envelope recipients.
    package var recipients: [String]

    package init(message: MailMessage, recipients: [String]) {
        self.message = message
        self.recipients = recipients
    }
}

/// How mail leaves: direct SMTP or a sendmail(8) pipe.
package protocol MailTransport: Sendable {
    /// Sends each mail; one result per mail and recipient, in order. Failures are results, never thrown.
    /// `report` is told each mail's results as soon as its transaction ends (`DeliveryReport`); a
    /// cancelled task starts no further mail.
    func send(_ mails: [OutgoingMail], report: @escaping @Sendable (Int, [Delivery]) -> Void) async -> [[Delivery]]
}

extension MailTransport {
    package func send(_ mails: [OutgoingMail]) async -> [[Delivery]] { await send(mails, report: { _, _ in }) }
}

/// Direct SMTP: one session for the whole batch; a session that breaks (timeout, dropped connection)
/// is closed and the batch goes on in a new one, at most twice, after which the rest is left for a
/// retry.
package struct SMTPTransport: MailTransport {
    package var configuration: SMTPConfiguration

    package init(configuration: SMTPConfiguration) { self.configuration = configuration }

    package func send(
        _ mails: [OutgoingMail],
        report: @escaping @Sendable (Int, [Delivery]) -> Void
    ) async -> [[Delivery]] {
        var results: [[Delivery]] = []
        results.reserveCapacity(mails.count)
        var session: SMTPSession?
        var breaks = 0
        var gaveUp: SMTPError?
        for (m, mail) in mails.enumerated() {
            if let gaveUp {
                results.append(mail.recipients.map { _ in gaveUp.delivery })
                continue
            }
            if Task.isCancelled {
                results.append(mail.recipients.map { _ in stoppingDelivery })
                continue
            }
            do throws(SMTPError) {
                if session == nil { session = try await SMTPSession.open(configuration) }
                let s = session!
                let sent = await withTaskCancellationHandler {
                    do throws(SMTPError) {
                        return Result<[SMTPSession.RecipientResult], SMTPError>.success(
                            try await s.send(
                                from: mail.message.from.address,
                                to: mail.recipients,
                                data: mail.message.bytes()
                            )
                        )
                    } catch {
                        return .failure(error)
                    }
                } onCancel: { [closer = s.closer] in
                    closer()
                }
                let answers = try sent.get()
                results.append(
                    answers.map {
                        switch $0 {
                        case .accepted: .sent
                        case .transient(let why): .transient(why)
                        case .permanent(let why): .permanent(why)
                        }
                    }
                )
                report(m, results[m])
            } catch {
                session?.abort()
                session = nil
                breaks += 1
                results.append(mail.recipients.map { _ in error.delivery })
                // A refused login or TLS set-up fails the same way for every message.
                if breaks >= 2 || !error.transient || error.settings { gaveUp = error }
            }
        }
        await session?.close()
        return results
    }
}

extension SMTPError {
    var delivery: Delivery { transient ? .transient(message) : .permanent(message) }
}
