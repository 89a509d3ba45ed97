import DutyCalendar
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The SMTP client against a real server (python3-aiosmtpd) with STARTTLS on a certificate made for
/// the test, and AUTH.
@Suite(.ownThreads) struct SMTPTests {
    func configuration(
        _ server: MailServer,
        security: SMTPConfiguration.Security = .starttls,
        ca: Bool = true
    )
        -> SMTPConfiguration
    {
        var c = SMTPConfiguration(
            host: "localhost",
            port: server.port,
            security: security,
            username: server.user,
            passwordFile: server.passwordFile,
            caFile: ca ? server.certificate : nil,
            helo: "dutyd.test"
        )
        // Far above what a loaded CI machine needs: only the hang test is about timeouts (it sets its own).
        c.replyTimeout = 30
        c.sessionTimeout = 120
        return c
    }

    func mail(to: [String], subject: String = "【提醒】深圳市图书馆：意识形态工作情况报告") throws -> OutgoingMail {
        OutgoingMail(
            message: MailMessage(
                from: try MailAddress(parsing: "督办提醒 <dutyd@example.org>"),
                to: try to.map { try MailAddress(name: "收件人", address: $0) },
                subject: subject,
                body: "第一行\n.\n最后一行",
                messageID: "m1.dutyd@example.org",
                date: Instant(iso: "2026-12-18T09:00:00+08:00")!,
                zone: Zone.named("Asia/Shanghai")!
            ),
            recipients: to
        )
    }

    @Test func startTLSThenAuthPlainDeliversAndOneRefusedRecipientHoldsNoOneBack() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let session = try await SMTPSession.open(configuration(server))
        let m = try mail(to: ["wang@example.org", "reject.li@example.org", "zhao@example.org"])
        let results = try await session.send(from: "dutyd@example.org", to: m.recipients, data: m.message.bytes())
        await session.close()
        #expect(results[0] == .accepted && results[2] == .accepted)
        guard case .permanent(let why) = results[1] else {
            Issue.record("550 is permanent: \(results[1])")
            return
        }
        #expect(why.contains("550") && why.contains("reject.li@example.org"))
        let got = try server.messages()
        #expect(got.count == 1)
        #expect(got[0].rcpt_tos == ["wang@example.org", "zhao@example.org"])
        #expect(got[0].mail_from == "dutyd@example.org")
        #expect(got[0].parsed.subject == "【提醒】深圳市图书馆：意识形态工作情况报告")
        #expect(got[0].parsed.body == "第一行\n.\n最后一行\n")
        // TLS first, then EHLO again, then AUTH; the password never in the transcript.
        let t = session.transcript.map { $0.components(separatedBy: " → ")[0] }
        #expect(t.prefix(5) == ["(greeting)", "EHLO dutyd.test", "STARTTLS", "EHLO dutyd.test", "AUTH PLAIN ****"])
        let b64 = Data("\0\(server.user)\0\(server.password)".utf8).base64EncodedString()
        #expect(!session.transcript.joined().contains(b64))
        #expect(!session.transcript.joined().contains(server.password))
    }

    @Test(
        "a headers-only server (the failover tests') reads the same Message-ID, Date, addresses and raw headers as the full parse"
    )
    func headersOnlyAgreesWithTheFullParse() async throws {
        let full = try MailServer()
        defer { full.stop() }
        let headersOnly = try MailServer(headersOnly: true)
        defer { headersOnly.stop() }
        let m = try mail(to: ["wang@example.org", "zhao@example.org"])
        for server in [full, headersOnly] {
            let session = try await SMTPSession.open(configuration(server))
            _ = try await session.send(from: "dutyd@example.org", to: m.recipients, data: m.message.bytes())
            await session.close()
        }
        let a = try #require(try full.messages().first).parsed
        let b = try #require(try headersOnly.messages().first).parsed
        #expect(b.message_id == a.message_id && a.message_id == "<m1.dutyd@example.org>")
        #expect(b.date == a.date && a.date != nil)
        #expect(b.to_addresses == a.to_addresses && a.to_addresses == ["wang@example.org", "zhao@example.org"])
        #expect(b.headers == a.headers && b.max_line == a.max_line)
        // What needs decoding is left out, not guessed.
        #expect(b.subject == nil && b.body == nil && a.subject != nil)
    }

    @Test("the test server's messages come in the order received past 999,999 too (1000000.json after 999999.json)")
    func messagesInTheOrderReceived() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let m = try mail(to: ["wang@example.org"])
        let session = try await SMTPSession.open(configuration(server))
        _ = try await session.send(from: "dutyd@example.org", to: m.recipients, data: m.message.bytes())
        await session.close()
        // The one received, copied as messages 999,999 and 1,000,000 with senders that tell them apart.
        let out = server.folder.appendingPathComponent("out")
        var record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("000001.json")))
                as? [String: Any]
        )
        for n in [1_000_000, 999_999] {
            record["mail_from"] = "n\(n)@example.org"
            try JSONSerialization.data(withJSONObject: record).write(to: out.appendingPathComponent("\(n).json"))
        }
        #expect(
            try server.messages().map(\.mail_from)
                == ["dutyd@example.org", "n999999@example.org", "n1000000@example.org"]
        )
        #expect(try server.messages(after: 2).map(\.mail_from) == ["n1000000@example.org"])
        #expect(try server.messageCount() == 3)
    }

    @Test func authLoginWhenPlainIsNotOffered() async throws {
        let server = try MailServer(loginOnly: true)
        defer { server.stop() }
        let session = try await SMTPSession.open(configuration(server))
        let m = try mail(to: ["wang@example.org"])
        let r = try await session.send(from: "dutyd@example.org", to: m.recipients, data: m.message.bytes())
        await session.close()
        #expect(r == [.accepted])
        #expect(session.transcript.contains { $0.hasPrefix("(password) → 235") })
        #expect(try server.messageCount() == 1)
    }

    @Test func implicitTLS() async throws {
        let server = try MailServer(implicitTLS: true)
        defer { server.stop() }
        let results = await SMTPTransport(configuration: configuration(server, security: .implicit)).send([
            try mail(to: ["wang@example.org"])
        ])
        #expect(results == [[.sent]])
        #expect(try server.messageCount() == 1)
    }

    @Test func aWrongPasswordStopsTheBatchAndIsRetriedOnceMended() async throws {
        let server = try MailServer()
        defer { server.stop() }
        try server.writePasswordFile("wrong")
        await #expect {
            try await SMTPSession.open(configuration(server))
        } throws: { e in
            let e = e as! SMTPError
            return e.settings && e.message.contains("did not accept the SMTP login") && !e.message.contains("wrong")
        }
        // Every message of the batch is left for a retry (the login fails the same for all), and once
        // the password is mended the retry goes out.
        let transport = SMTPTransport(configuration: configuration(server))
        let first = await transport.send([try mail(to: ["a@example.org"]), try mail(to: ["b@example.org"])])
        #expect(first.allSatisfy { if case .transient = $0[0] { true } else { false } })
        try server.writePasswordFile(server.password)
        #expect(await transport.send([try mail(to: ["a@example.org"])]) == [[.sent]])
    }

    @Test func neverFallsBackToPlainText() async throws {
        let server = try MailServer(tls: false, auth: false)
        defer { server.stop() }
        var c = configuration(server)
        c.username = nil
        let results = await SMTPTransport(configuration: c).send([try mail(to: ["wang@example.org"])])
        guard case .transient(let why) = results[0][0] else {
            Issue.record("\(results)")
            return
        }
        #expect(why.contains("does not offer STARTTLS"))
        #expect(try server.messages().isEmpty)
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        let server = try MailServer()
        defer { server.stop() }
        await #expect {
            try await SMTPSession.open(configuration(server, ca: false))
        } throws: { e in
            (e as! SMTPError).message.contains("TLS failed")
        }
        #expect(try server.messages().isEmpty)
    }

    @Test func fourHundredFiftyOneIsTransient() async throws {
        let server = try MailServer()
        defer { server.stop() }
        server.set("tempfail", true)
        let results = await SMTPTransport(configuration: configuration(server)).send([
            try mail(to: ["wang@example.org"])
        ])
        guard case .transient(let why) = results[0][0] else {
            Issue.record("\(results)")
            return
        }
        #expect(why.contains("451"))
        server.set("tempfail", false)
        let again = await SMTPTransport(configuration: configuration(server)).send([try mail(to: ["wang@example.org"])])
        #expect(again == [[.sent]])
    }

    @Test func aServerThatStopsAnsweringTimesOutAndTheBatchEnds() async throws {
        let server = try MailServer()
        defer { server.stop() }
        server.set("hang", true)
        var c = configuration(server)
        c.replyTimeout = 1
        let started = Date()
        let results = await SMTPTransport(configuration: c).send([
            try mail(to: ["a@example.org"]), try mail(to: ["b@example.org"]), try mail(to: ["c@example.org"]),
        ])
        let took = Date().timeIntervalSince(started)
        #expect(results.count == 3)
        for r in results {
            guard case .transient(let why) = r[0] else {
                Issue.record("\(r)")
                continue
            }
            #expect(why.contains("did not answer in time"))
        }
        // Two sessions tried (one reply timeout each), then the rest left for a retry: far less than
        // the server's hour-long silence. Alone this takes 2 s; the bound allows for a loaded machine.
        // (It was 360 s while blocking tests held Swift Testing's two threads: `.ownThreads` now keeps
        // them off.)
        #expect(took < 60, "\(took) s")
        #expect(try server.messages().isEmpty)
    }

    @Test func anOfficialAndAUnitMailboxWithOneAddressGetOneMessageWithOneLine() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let channel = EmailChannel(
            from: try MailAddress(parsing: "督办提醒 <dutyd@example.org>"),
            transport: SMTPTransport(configuration: configuration(server)),
            templates: try MailTemplates.load(folder: nil, language: "zh-CN"),
            zone: Zone.named("Asia/Shanghai")!,
            now: { Instant(iso: "2026-12-18T09:00:00+08:00")! }
        )
        let official = Notice.Person(id: "wang", name: "王建国", email: "Office@example.org", role: "clerk", unit: "gd")
        let mailbox = Notice.Person(
            id: "mailbox:gd",
            name: "中共广东省委",
            email: "office@example.org",
            role: nil,
            unit: "gd"
        )
        let nobody = Notice.Person(id: "li", name: "李四", email: nil, role: "clerk", unit: "gd")
        let n = DigestView.sample(language: "zh-CN").items[0]
        let results = await channel.deliver([(n, official), (n, mailbox), (n, nobody)])
        #expect(results[0] == .sent && results[1] == .sent)
        guard case .permanent(let why) = results[2] else {
            Issue.record("no address is permanent")
            return
        }
        #expect(why.contains("dutyctl official set li --email"))
        let got = try server.messages()
        #expect(got.count == 1)
        #expect(got.first?.parsed.subject?.hasPrefix("【逾期升级】") == true)  // one item, not two
    }
}
