package import DutyCalendar

/// Mail to the responsible officials: one digest per address per batch (the scheduler hands over a
/// send window's notifications to one address together), rendered from the templates, sent through
/// SMTP or sendmail. The ledger keeps one row per notification and recipient; all rows of a digest
/// share its outcome.
package struct EmailChannel: Channel {
    package let from: MailAddress
    package let transport: any MailTransport
    package let templates: MailTemplates
    package let zone: Zone
    /// The real time, for the `Date:` header and the digest's day.
    package let now: @Sendable () -> Instant
    /// Personal links to the web pages (`[web]`), one per official in their digest.
    package var links: PersonalLinks?

    package init(
        from: MailAddress,
        transport: any MailTransport,
        templates: MailTemplates,
        zone: Zone,
        now: @escaping @Sendable () -> Instant
    ) {
        self.from = from
        self.transport = transport
        self.templates = templates
        self.zone = zone
        self.now = now
    }

    package var name: String { "email" }
    package var perRecipient: Bool { true }

    package func digestKey(_ recipient: Notice.Person) -> String {
        guard let email = recipient.email, !email.isEmpty else { return "id:" + recipient.id }
        return email.lowercased()
    }

    /// The `Message-ID` of a digest: the same notifications to the same address give the same id, so a
    /// message sent again after a crash folds with the first in the reader's mail client.
    package func messageID(address: String, keys: [String]) -> String {
        stableDigest([address.lowercased()] + keys.sorted()) + ".dutyd@" + from.domain
    }

    package func deliver(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        report: @escaping DeliveryReport
    ) async -> [Delivery] {
        var results = [Delivery](repeating: .permanent("not delivered"), count: batch.count)
        var deliverable = Set<Int>()
        for (i, item) in batch.enumerated() {
            guard let p = item.recipient else { continue }
            guard let email = p.email, !email.isEmpty else {
                results[i] = .permanent(
                    p.id.hasPrefix("mailbox:")
                        ? "unit \(p.unit) has no email address on record; add one with dutyctl unit set \(p.unit) --email ADDRESS"
                        : "\(p.name) (\(p.id)) has no email address on record; add one with dutyctl official set \(p.id) --email ADDRESS"
                )
                continue
            }
            if let why = MailAddress.problem(email) {
                results[i] = .permanent("the address of \(p.id), \(email), cannot be used: \(why)")
                continue
            }
            deliverable.insert(i)
        }
        // A bulletin is a message of its own, with its spreadsheet; everything else goes in the digest.
        var groups = digests(batch) { deliverable.contains($0) && batch[$0].notification.bulletin == nil }
        groups += deliverable.sorted().filter { batch[$0].notification.bulletin != nil }.map { [$0] }
        let sentAt = now()
        var mails: [OutgoingMail] = []
        for members in groups {
            let person = batch[members[0]].recipient!
            let address = person.email!
            if let b = batch[members[0]].notification.bulletin {
                let zh = templates.language == "zh-CN"
                var message = MailMessage(
                    from: from,
                    to: [(try? MailAddress(name: person.name, address: address)) ?? from],
                    subject: BulletinMail.subject(b, zh: zh),
                    body: BulletinMail.body(b, recipient: person.name, zh: zh),
                    messageID: messageID(address: address, keys: ["bulletin/\(b.region)/\(b.period)/\(person.id)"]),
                    date: sentAt,
                    zone: zone
                )
                message.attachments = [
                    MailMessage.Attachment(name: b.csvName, type: "text/csv; charset=UTF-8", bytes: Array(b.csv.utf8))
                ]
                mails.append(OutgoingMail(message: message, recipients: [address]))
                continue
            }
            var view = DigestView(
                recipientName: person.name,
                recipientEmail: address,
                today: zone.day(of: batch[members[0]].notification.asOf),
                language: templates.language,
                items: DigestView.unique(members.map { batch[$0].notification })
            )
            if let links, !person.id.hasPrefix("mailbox:") {
                view.link = links.link(official: person.id, now: Int(sentAt.seconds))
            }
            let (subject, body) = templates.render(view)
            let keys = members.map {
                "\(batch[$0].notification.occurrence)/\(batch[$0].notification.step)/\(batch[$0].recipient!.id)"
            }
            // The address was checked above.
            let to = (try? MailAddress(name: person.name, address: address)) ?? from
            mails.append(
                OutgoingMail(
                    message: MailMessage(
                        from: from,
                        to: [to],
                        subject: subject,
                        body: body,
                        messageID: messageID(address: address, keys: keys),
                        date: sentAt,
                        zone: zone
                    ),
                    recipients: [address]
                )
            )
        }
        let outcomes = await transport.send(mails) { [groups] g, answers in
            let d = answers.first ?? .transient("no answer")
            report(groups[g], groups[g].map { _ in d })
        }
        for (g, members) in groups.enumerated() {
            let d = g < outcomes.count ? (outcomes[g].first ?? .transient("no answer")) : .transient("no answer")
            for i in members { results[i] = d }
        }
        return results
    }
}
