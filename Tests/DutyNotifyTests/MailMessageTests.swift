import DutyCalendar
import DutyCore
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Messages as Python's email package reads them: Chinese subjects and names decode, no field can add
/// a header, lines stay short, and a dot alone on a line survives SMTP.
@Suite(.ownThreads) struct MailMessageTests {
    let zone = Zone.named("Asia/Shanghai")!
    let from = try! MailAddress(parsing: "督办提醒 <dutyd@example.org>")

    func message(subject: String, toName: String = "王建国", body: String = "正文\n") throws -> MailMessage {
        MailMessage(
            from: from,
            to: [try MailAddress(name: toName, address: "wang.jianguo@example.org")],
            subject: subject,
            body: body,
            messageID: "abc.dutyd@example.org",
            date: Instant(iso: "2026-12-18T09:00:00+08:00")!,
            zone: zone
        )
    }

    @Test func chineseSubjectAndNamesDecode() throws {
        let subject = "【督办提醒】3 项工作：逾期 1 项，临近截止 1 项，提醒 1 项——深圳市图书馆党委意识形态工作责任制落实情况报告（2026-H2）"
        let m = try message(subject: subject)
        let p = try ParsedMail.parse(m.bytes())
        #expect(p.subject == subject)
        #expect(p.from_name == "督办提醒")
        #expect(p.to_names == ["王建国"])
        #expect(p.to_addresses == ["wang.jianguo@example.org"])
        #expect(p.message_id == "<abc.dutyd@example.org>")
        #expect(p.date == "Fri, 18 Dec 2026 09:00:00 +0800")
        #expect(p.auto_submitted == "auto-generated")
        #expect(p.body == "正文\n")
        #expect(p.defects.isEmpty)
        #expect(p.max_line <= 78)
        // Every encoded-word holds whole characters: each decodes as UTF-8 on its own.
        let raw = p.header("Subject")[0]
        let words = raw.split(whereSeparator: { $0.isWhitespace })  // "\r\n" is one Character
        #expect(words.count > 3)
        for w in words {
            #expect(w.count <= 75)
            #expect(w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?="))
            let b64 = w.dropFirst(10).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(b64)))
            #expect(String(validating: Array(bytes), as: UTF8.self) != nil, "word \(w) splits a character")
        }
    }

    @Test func anEmojiSequenceIsNeverSplit() throws {
        let family = "👨‍👩‍👧‍👦"
        let subject = String(repeating: "督办" + family, count: 12)
        let p = try ParsedMail.parse(try message(subject: subject).bytes())
        #expect(p.subject == subject)
    }

    @Test func noFieldCanAddAHeader() throws {
        let evil = "深圳市图书馆\r\nBcc: everyone@example.org\r\n\r\nforged body"
        let m = try message(subject: "截止 " + evil, toName: "张三\nX-Injected: yes")
        let bytes = m.bytes()
        let p = try ParsedMail.parse(bytes)
        #expect(p.header("Bcc").isEmpty)
        #expect(p.header("X-Injected").isEmpty)
        #expect(p.subject == "截止 深圳市图书馆  Bcc: everyone@example.org    forged body")
        #expect(p.to_names == ["张三 X-Injected: yes"])
        #expect(p.body == "正文\n")
        // Plain ASCII with header syntax stays inside its header too.
        let ascii = try message(subject: "report\r\nBcc: x@example.org", toName: "Zhang \"Boss\" <x@y>, Bcc:")
        let q = try ParsedMail.parse(ascii.bytes())
        #expect(q.header("Bcc").isEmpty)
        #expect(q.to_addresses == ["wang.jianguo@example.org"])
        #expect(q.to_names == ["Zhang \"Boss\" <x@y>, Bcc:"])
        #expect(q.subject == "report  Bcc: x@example.org")
    }

    @Test func addressesAreChecked() throws {
        #expect(MailAddress.problem("wang@example.org") == nil)
        #expect(MailAddress.problem("wang@example.org\r\nBcc: x@y") != nil)
        #expect(MailAddress.problem("王@例子.中国") != nil)
        #expect(MailAddress.problem("a@@b") != nil)
        #expect(MailAddress.problem("a b@example.org") != nil)
        #expect(MailAddress.problem("<a@b>") != nil)
        #expect(throws: MailAddressError.self) { try MailAddress(parsing: "督办 <not an address>") }
        let a = try MailAddress(parsing: "\"督办提醒\" <dutyd@example.org>")
        #expect(a.name == "督办提醒" && a.address == "dutyd@example.org" && a.domain == "example.org")
    }

    @Test func dotsAndLineEndsSurviveSMTP() {
        let data = smtpData(Array("a\n.\n..x\r\nb\rc".utf8))
        #expect(String(decoding: data, as: UTF8.self) == "a\r\n..\r\n...x\r\nb\r\nc\r\n.\r\n")
    }

    @Test func bodyLinesAndSendmailForm() throws {
        let long = String(repeating: "意识形态工作责任制。", count: 40) + "\n.\n结束"
        let m = try message(subject: "s", body: long)
        let p = try ParsedMail.parse(m.bytes(crlf: false))
        #expect(p.body == long + "\n")
        #expect(p.max_line <= 78)
        #expect(!m.bytes(crlf: false).contains(0x0D))
    }
}
