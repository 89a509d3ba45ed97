import DutyCalendar
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The sendmail transport against a real sendmail(8) interface: msmtp (Debian's msmtp, which
/// `make test` installs) relaying to the test SMTP server.
@Suite(.ownThreads) struct SendmailTests {
    /// A `sendmail` that is msmtp pointed at `server` (msmtp takes sendmail's -i, -f and --).
    func sendmail(_ server: MailServer) throws -> String {
        let path = server.folder.appendingPathComponent("sendmail").path
        try writeExecutable(
            """
            #!/bin/sh
            exec /usr/bin/msmtp --host=127.0.0.1 --port=\(server.port) --tls=off --auth=off "$@"
            """.utf8,
            to: path
        )
        return path
    }

    func mail(_ to: String) throws -> OutgoingMail {
        OutgoingMail(
            message: MailMessage(
                from: try MailAddress(parsing: "督办提醒 <dutyd@example.org>"),
                to: [try MailAddress(name: "王建国", address: to)],
                subject: "【逾期】深圳图书馆党总支：向当地党委宣传部报送本单位意识形态工作情况",
                body: "第一行\n.\n..两个点\n最后一行",
                messageID: "s1.dutyd@example.org",
                date: Instant(iso: "2026-12-21T09:00:00+08:00")!,
                zone: Zone.named("Asia/Shanghai")!
            ),
            recipients: [to]
        )
    }

    @Test func pipedToSendmailItArrivesIntact() async throws {
        let server = try MailServer(tls: false, auth: false)
        defer { server.stop() }
        let transport = SendmailTransport(path: try sendmail(server))
        #expect(await transport.send([try mail("wang@example.org")]) == [[.sent]])
        let got = try #require(try server.messages().first)
        #expect(got.mail_from == "dutyd@example.org")
        #expect(got.rcpt_tos == ["wang@example.org"])
        #expect(got.parsed.subject == "【逾期】深圳图书馆党总支：向当地党委宣传部报送本单位意识形态工作情况")
        #expect(got.parsed.body == "第一行\n.\n..两个点\n最后一行\n")
        #expect(got.parsed.message_id == "<s1.dutyd@example.org>")
    }

    @Test func itsExitStatusDecides() async throws {
        let server = try MailServer(tls: false, auth: false)
        defer { server.stop() }
        let transport = SendmailTransport(path: try sendmail(server))
        // msmtp exits 69 (EX_UNAVAILABLE) on a 4xx answer (other sendmails 75, EX_TEMPFAIL): tried
        // again later.
        guard case .transient(let why) = await transport.send([try mail("busy@example.org")])[0][0] else {
            Issue.record("a 451 is worth a retry")
            return
        }
        #expect(why.contains("status 69") || why.contains("status 75"))
        // A 5xx answer is another status: failed for good.
        guard case .permanent = await transport.send([try mail("reject@example.org")])[0][0] else {
            Issue.record("a 550 is permanent")
            return
        }
        let missing = SendmailTransport(path: "/nonexistent/sendmail")
        guard case .permanent(let reason) = await missing.send([try mail("wang@example.org")])[0][0] else {
            Issue.record("no sendmail is permanent")
            return
        }
        #expect(reason.contains("install a mail transfer agent"))
        #expect(try server.messages().isEmpty)
    }
}
