import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The built dutyd and dutyctl with mail and a hook: dutyd --once sends digests to a real SMTP server
/// and runs the hook (its output in the real journal), dutyctl ledger shows what happened, dutyctl
/// notify test reports the server's answers, and a broken template is refused where it is written.
@Suite("delivery, end to end", .serialized, .ownThreads)
struct DeliveryEndToEndTests {
    static func settings(_ server: MailServer, hookOut: String) -> String {
        server.emailSettings() + """
            [[hook]]
            name = "sms"
            command = ["/bin/sh", "-c", "cat >> \(hookOut); echo sms sent for $DUTY_OCCURRENCE"]
            events = ["escalation"]
            """
    }

    @Test("dutyd --once mails one digest per address, runs the hook, and dutyctl ledger tells what was sent")
    func mailHookAndLedger() throws {
        try JournalReader.requireJournald()
        let server = try MailServer()
        defer { server.stop() }
        let hookOut = scratchDirectory.appendingPathComponent("hook-\(UUID().uuidString).jsonl")
            .path
        let d = try Daemon(settings: Self.settings(server, hookOut: hookOut))
        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let mails = try server.messages()
        let sent = try d.store().ledger().filter { $0.channel == "email" && $0.state == .sent }
        #expect(!mails.isEmpty && sent.count >= mails.count)
        // One message per address.
        let to = mails.flatMap(\.rcpt_tos)
        #expect(Set(to).count == to.count)
        // Every row sent has its message: the recipient's address got one.
        let officials = Dictionary(uniqueKeysWithValues: try d.store().officials().map { ($0.id, $0.email ?? "") })
        #expect(Set(sent.compactMap { officials[$0.recipient] }).isSubset(of: Set(to)))
        for m in mails {
            #expect(m.parsed.defects.isEmpty)
            #expect(m.parsed.subject?.hasPrefix("【") == true)
            #expect(m.parsed.from_name == "督办提醒")
            #expect(m.parsed.auto_submitted == "auto-generated")
        }
        // The hook got every escalation as JSON, one object a line.
        let lines = try String(contentsOfFile: hookOut, encoding: .utf8).split(separator: "\n")
        let escalations = try d.store().ledger().filter { $0.channel == "hook:sms" && $0.state == .sent }
        #expect(lines.count == escalations.count && !lines.isEmpty)
        for line in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(obj["event"] as? String == "escalation")
        }
        // Its output is in the journal.
        let entries = try JournalReader.entries(pids: [r.pid], atLeast: 1)
        #expect(entries.contains { $0["DUTY_HOOK"] == "sms" && ($0["MESSAGE"] ?? "").contains("sms sent for ") })

        // dutyctl ledger: JSON rows with who, when, and state.
        let ledger = try Daemon.run(
            "dutyctl",
            ["ledger", "--channel", "email", "--state", "sent", "--limit", "5000", "--json", "--config", d.config]
        )
        #expect(ledger.status == 0, "\(ledger.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ledger.out.utf8)) as? [String: Any])
        let rows = try #require(json["notifications"] as? [[String: Any]])
        #expect(rows.count == sent.count && rows.allSatisfy { $0["state"] as? String == "sent" })
        #expect(rows.allSatisfy { ($0["due"] as? String)?.hasSuffix("+08:00") == true })
        let one = try Daemon.run(
            "dutyctl",
            ["ledger", "--occurrence", "unit-situation-report/gd.sz.tsg/", "--state", "sent", "--config", d.config]
        )
        #expect(
            one.status == 0 && one.out.contains("unit-situation-report/gd.sz.tsg/2026-H2") && one.out.contains("email")
        )
        // A second run sends nothing.
        let again = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(again.status == 0)
        #expect(try server.messageCount() == mails.count)
    }

    @Test("receipt not given by its day: the urging (催办) mail and journal entry say how to give it; a receipt stops it")
    func urging() throws {
        try JournalReader.requireJournald()
        let server = try MailServer()
        defer { server.stop() }
        let hookOut = scratchDirectory.appendingPathComponent("urging-\(UUID().uuidString).jsonl").path
        let d = try Daemon(
            settings: server.emailSettings() + """
                [[hook]]
                name = "urge"
                command = ["/bin/sh", "-c", "cat >> \(hookOut)"]
                events = ["urging"]
                """
        )
        // The unit situation reports were first notified on Friday 20 November and ask for receipt within
        // 3 working days: by Wednesday the 25th. The education bureau gave it; the others did not.
        let given = "unit-situation-report/gd.gz.jyj/2026-H2"
        let ack = try Daemon.run("dutyctl", ["ack", given, "--by", "liang.shuang", "--config", d.config])
        #expect(ack.status == 0 && ack.out.contains("received by liang.shuang"), "\(ack.err)")
        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-11-26T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let urged = try d.store().ledger().filter { $0.step == "urging" && $0.state == .sent }
        let occurrences = Set(urged.map(\.occurrence))
        #expect(!occurrences.isEmpty && !occurrences.contains(given), "\(occurrences)")
        #expect(occurrences.allSatisfy { $0.hasPrefix("unit-situation-report/") })
        // The mail (a digest: one per address) names the urging and says how to give receipt and record
        // completion; the receipt given is not urged.
        let mails = try server.messages()
        let urging = mails.filter { $0.parsed.body?.contains("催办：签收期限 2026-11-25 已过，尚未签收") == true }
        #expect(!urging.isEmpty, "\(mails.map { $0.parsed.subject ?? "" })")
        for m in urging {
            let body = m.parsed.body ?? ""
            #expect(body.contains("签收（2026-11-25 前）：dutyctl ack unit-situation-report/"), "\(body)")
            #expect(body.contains("dutyctl done unit-situation-report/"))
            #expect(!body.contains("dutyctl ack \(given)"))
        }
        // Its journal entry has its own MESSAGE_ID, described in the catalog.
        let entries = try JournalReader.entries(pids: [r.pid], atLeast: 1)
        let entry = try #require(entries.first { $0["DUTY_EVENT"] == "urging" })
        #expect(entry["MESSAGE_ID"] == DutydTests.catalogIDs["urging"] && entry["PRIORITY"] == "4")
        #expect(entry["MESSAGE"]?.hasPrefix("【催办】") == true, "\(entry["MESSAGE"] ?? "")")
        // The hook that asked for urgings got each as JSON, and nothing else.
        let lines = try String(contentsOfFile: hookOut, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(obj["event"] as? String == "urging" && obj["step"] as? String == "urging", "\(obj)")
            #expect(obj["receipt_due"] as? String == "2026-11-25")
            #expect((obj["ack_command"] as? String)?.hasPrefix("dutyctl ack unit-situation-report/") == true)
            #expect(
                (obj["occurrence"] as? String)?.hasPrefix("unit-situation-report/") == true
                    && obj["occurrence"] as? String != given
            )
        }
        #expect(
            Set(try d.store().ledger().filter { $0.channel == "hook:urge" && $0.state == .sent }.map(\.occurrence))
                == occurrences
        )
        // explain shows where receipt stands: given today, after its day (the wall clock is past it).
        let shown = try Daemon.run("dutyctl", ["explain", given, "--json", "--config", d.config])
        #expect(
            shown.out.contains(#""by":"liang.shuang","due":"2026-11-25","how":"cli-direct","state":"received-late""#),
            "\(shown.out)"
        )
    }

    @Test(
        "an extension request (延期) is mailed to its approver with how to decide; the decision to the clerk with the new deadline; each once"
    )
    func extensionNotices() throws {
        try JournalReader.requireJournald()
        let server = try MailServer()
        defer { server.stop() }
        let hookOut = scratchDirectory.appendingPathComponent("extend-\(UUID().uuidString).jsonl").path
        let d = try Daemon(
            settings: server.emailSettings() + """
                [[hook]]
                name = "extend"
                command = ["/bin/sh", "-c", "cat >> \(hookOut)"]
                events = ["extension-requested", "extension-decided"]
                """
        )
        // Guangzhou asks to move next year's first half-year report (due 30 June) into July
        let (occurrence, until, year) = (NextYear.semiannualReport("gd.gz"), NextYear.earlyJulyWeekday, NextYear.year)
        let asked = try Daemon.run(
            "dutyctl",
            ["extend", "request", occurrence, "--until", until, "--reason", "年中工作会议改期", "--config", d.config]
        )
        #expect(asked.status == 0 && asked.out.hasSuffix("ext-1\n"), "\(asked.out)\(asked.err)")
        let first = try Daemon.run("dutyd", ["--once", "--config", d.config])
        #expect(first.status == 0, "\(first.err)")
        // The approver, Guangdong's propaganda head, gets it with the commands that decide it
        func mails(to address: String, containing text: String) throws -> [String] {
            try server.messages().filter { $0.rcpt_tos.contains(address) }.compactMap(\.parsed.body)
                .filter { $0.contains(text) }
        }
        let request = try mails(to: "sun.wei@example.org", containing: "延期申请 ext-1")
        let subjects = try server.messages().map { $0.parsed.subject ?? "" }
        #expect(request.count == 1, "\(subjects)")
        let body = try #require(request.first)
        #expect(body.contains("申请将截止日期由 \(year)-06-30 延至 \(until)"), "\(body)")
        #expect(body.contains("理由：年中工作会议改期"))
        #expect(body.contains("批准：dutyctl extend approve ext-1") && body.contains("不批准：dutyctl extend deny ext-1"))
        #expect(!body.contains("dutyctl done \(occurrence)"))
        // Its journal entry has its own MESSAGE_ID, described in the catalog, and names the request
        let entries = try JournalReader.entries(pids: [first.pid], atLeast: 1)
        let entry = try #require(entries.first { $0["DUTY_EVENT"] == "extension-requested" })
        #expect(entry["MESSAGE_ID"] == DutydTests.catalogIDs["extension-requested"])
        #expect(entry["DUTY_EXTENSION"] == "ext-1" && entry["DUTY_UNTIL"] == until)
        #expect(entry["MESSAGE"]?.hasPrefix("【延期申请】") == true, "\(entry["MESSAGE"] ?? "")")

        // Approved: the next run tells the clerk the new day, and does not ask the approver again
        let approved = try Daemon.run(
            "dutyctl",
            ["extend", "approve", "ext-1", "--by", "sun.wei", "--config", d.config]
        )
        #expect(approved.status == 0, "\(approved.err)")
        let second = try Daemon.run("dutyd", ["--once", "--config", d.config])
        #expect(second.status == 0, "\(second.err)")
        let told = try mails(to: "luo.ting@example.org", containing: "延期已批准（ext-1）")
        let after = try server.messages().map { $0.parsed.subject ?? "" }
        #expect(told.count == 1, "\(after)")
        #expect(told.first?.contains("截止日期由 \(year)-06-30 改为 \(until)") == true, "\(told.first ?? "")")
        #expect(try mails(to: "sun.wei@example.org", containing: "延期申请 ext-1").count == 1)
        let decided = try JournalReader.entries(pids: [second.pid], atLeast: 1)
        #expect(
            decided.contains {
                $0["DUTY_EVENT"] == "extension-decided" && $0["DUTY_EXTENSION_STATE"] == "approved"
                    && $0["MESSAGE_ID"] == DutydTests.catalogIDs["extension-decided"]
            }
        )
        // A third run sends nothing more about it
        let count = try server.messageCount()
        #expect(try Daemon.run("dutyd", ["--once", "--config", d.config]).status == 0)
        #expect(try server.messageCount() == count)
        // The hook got both as JSON, the request with the commands to decide it
        let lines = try String(contentsOfFile: hookOut, encoding: .utf8).split(separator: "\n")
        let events = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(events.map { $0["event"] as? String } == ["extension-requested", "extension-decided"])
        let x = try #require(events.first?["extension_request"] as? [String: Any])
        #expect(
            x["id"] as? String == "ext-1" && x["until"] as? String == until && x["from"] as? String == "\(year)-06-30"
        )
        #expect(x["approve_command"] as? String == "dutyctl extend approve ext-1")
        #expect((events.last?["extension_request"] as? [String: Any])?["state"] as? String == "approved")
        #expect(events.last?["deadline_date"] as? String == until)
        // The ledger has each once, under the request's step names
        let ledger = try d.store().ledger().filter { $0.occurrence == occurrence && $0.state == .sent }
        #expect(Set(ledger.map(\.step)).isSuperset(of: ["ext-1-requested", "ext-1-approved"]), "\(ledger.map(\.step))")
    }

    @Test(
        "the bulletin (通报) goes out 5 working days after the half year to each region's secretary, deputy and propaganda head, with the spreadsheet dutyctl makes"
    )
    func bulletin() throws {
        try JournalReader.requireJournald()
        let server = try MailServer()
        defer { server.stop() }
        let hookOut = scratchDirectory.appendingPathComponent("bulletin-\(UUID().uuidString).jsonl").path
        let d = try Daemon(
            settings: server.emailSettings() + """
                [[hook]]
                name = "bulletin"
                command = ["/bin/sh", "-c", "cat >> \(hookOut)"]
                events = ["bulletin"]
                """
        )
        // Guangzhou's library has a name a spreadsheet would take for a formula; its reports are late.
        let named = try Daemon.run(
            "dutyctl",
            ["unit", "set", "gd.gz.tsg", "--name", "=HYPERLINK(\"http://x\")", "--config", d.config]
        )
        #expect(named.status == 0, "\(named.err)")
        // The first half of 2026 ends on Tuesday 30 June; 5 working days later is Tuesday 7 July.
        let before = try Daemon.run("dutyd", ["--once", "--now", "2026-07-07T08:59:00+08:00", "--config", d.config])
        #expect(before.status == 0, "\(before.err)")
        let sent = try server.messageCount()
        #expect(try server.messages().allSatisfy { $0.parsed.subject?.hasPrefix("【通报】") != true })
        let at = "2026-07-07T09:00:00+08:00"
        let run = try Daemon.run("dutyd", ["--once", "--now", at, "--config", d.config])
        #expect(run.status == 0, "\(run.err)")
        let bulletins = try server.messages(after: sent).filter { $0.parsed.subject?.hasPrefix("【通报】") == true }
        // Guangzhou's: to its secretary and deputy and its propaganda department's head
        let gz = bulletins.filter { $0.parsed.subject?.hasPrefix("【通报】中共广州市委 2026-H1") == true }
        #expect(
            Set(gz.flatMap(\.rcpt_tos)) == [
                "huang.zhiqiang@example.org", "lin.xiaoyan@example.org", "yang.fan@example.org",
            ],
            "\(bulletins.map { ($0.parsed.subject ?? "", $0.rcpt_tos) })"
        )
        let mail = try #require(gz.first)
        #expect(mail.parsed.defects.isEmpty, "\(mail.parsed.defects)")
        let body = try #require(mail.parsed.body)
        #expect(body.contains("中共广州市委2026-H1（2026-01-01 至 2026-06-30）意识形态工作责任制落实情况通报"), "\(body)")
        #expect(body.contains("（gd.gz.tsg）：到期"), "\(body)")
        // The attachment is what `dutyctl bulletin --csv` makes of the region at that moment: UTF-8 with
        // a byte-order mark, the formula-like name neutralised
        let file = try #require(mail.parsed.attachments.first)
        #expect(
            file.filename == "bulletin-gd.gz-2026-H1.csv" && file.content_type == "text/csv" && file.charset == "utf-8"
        )
        let cli = try Daemon.run(
            "dutyctl",
            ["bulletin", "--period", "2026-H1", "--unit", "gd.gz", "--csv", "--at", at, "--config", d.config]
        )
        #expect(cli.status == 0, "\(cli.err)")
        #expect(file.text == cli.out, "\(file.text)")
        #expect(file.text.hasPrefix("\u{FEFF}region,region_name,unit,"))
        #expect(file.text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "\(file.text)")
        // Every region that supervises units with deadlines gets one; each recipient once
        let regions = Set(bulletins.compactMap { $0.parsed.subject?.split(separator: " ").first })
        #expect(regions.count >= 4, "\(regions)")
        // Its journal entry and the hook
        let entries = try JournalReader.entries(pids: [run.pid], atLeast: 1)
        let entry = try #require(entries.first { $0["DUTY_EVENT"] == "bulletin" && $0["DUTY_UNIT"] == "gd.gz" })
        #expect(entry["MESSAGE_ID"] == DutydTests.catalogIDs["bulletin"] && entry["DUTY_PERIOD"] == "2026-H1")
        #expect(entry["MESSAGE"]?.hasPrefix("【通报】中共广州市委 2026-H1") == true, "\(entry["MESSAGE"] ?? "")")
        let hooked = try String(contentsOfFile: hookOut, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let gzHook = try #require(hooked.first { ($0["bulletin"] as? [String: Any])?["region"] as? String == "gd.gz" })
        #expect(gzHook["event"] as? String == "bulletin")
        let late = try #require((gzHook["bulletin"] as? [String: Any])?["late"] as? [[String: Any]])
        #expect(late.contains { $0["unit"] as? String == "gd.gz.tsg" })
        // A run a minute later sends no bulletin again
        let count = try server.messageCount()
        #expect(
            try Daemon.run("dutyd", ["--once", "--now", "2026-07-07T09:01:00+08:00", "--config", d.config]).status == 0
        )
        #expect(try server.messages(after: count).allSatisfy { $0.parsed.subject?.hasPrefix("【通报】") != true })
    }

    @Test("dutyctl notify test shows the server's answers and fails for a refused recipient")
    func notifyTest() throws {
        let server = try MailServer()
        defer { server.stop() }
        let d = try Daemon(settings: Self.settings(server, hookOut: "/dev/null"))
        let ok = try Daemon.run("dutyctl", ["notify", "test", "--to", "wang@example.org", "--config", d.config])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("STARTTLS → 220"))
        #expect(ok.out.contains("AUTH PLAIN **** → 235"))
        #expect(ok.out.contains("wang@example.org: accepted"))
        #expect(!ok.out.contains(server.password))
        let msg = try #require(try server.messages().last)
        #expect(msg.parsed.subject == "【测试】dutyd 邮件测试 / test message")
        let refused = try Daemon.run(
            "dutyctl",
            ["notify", "test", "--to", "reject.me@example.org", "--config", d.config]
        )
        #expect(refused.status == 1)
        #expect(refused.out.contains("550"))
        // The same through the running daemon, on its own settings: the same transcript and statuses.
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let remote = try Daemon.run("dutyctl", ["notify", "test", "--to", "wang@example.org", "--socket", d.socket])
        #expect(remote.status == 0, "\(remote.err)")
        #expect(remote.out.contains("AUTH PLAIN **** → 235") && remote.out.contains("wang@example.org: accepted"))
        let remoteRefused = try Daemon.run(
            "dutyctl",
            ["notify", "test", "--to", "reject.me@example.org", "--socket", d.socket]
        )
        #expect(remoteRefused.status == 1 && remoteRefused.out.contains("550"))
        #expect(
            try Daemon.run("dutyctl", ["notify", "test", "--to", "not an address", "--socket", d.socket]).status == 64
        )
        let answer = try RawClient(socket: d.socket).raw(
            "POST",
            "/v1/notify/test",
            body: Data(#"{"to":["wang@example.org"]}"#.utf8)
        )
        #expect(answer.status == 200)
        try APITests.conform([("POST", "/v1/notify/test", answer.status, answer.body)])
        // Hooks have run (the catch-up at start) and mail has gone out. Neither left a libdispatch worker
        // behind (swift-subprocess, which ran hooks before, did: its once-a-second Task.sleep loop kept one,
        // and so the pool monitor, for good), so the idle daemon still wakes only for its watchdog.
        // The proof that what could start a worker has run: the catch-up at start has sent through the
        // hook and through mail, and the test message above went out.
        try waitFor("the catch-up at start to send through the hook and through mail") {
            let sent = Set(try d.store().ledger().filter { $0.state == .sent }.map(\.channel))
            return sent.contains("hook:sms") && sent.contains("email")
        }
        let threads = try Daemon.threadNames(p.processIdentifier)
        #expect(!threads.contains { $0.contains("qos") }, "libdispatch threads in \(threads)")
        // The catch-up ran on the scheduler's own threads, not on the event loops that answer the API.
        #expect(threads.contains { $0.hasPrefix("dutyd-schedule") }, "\(threads)")
        // SIGHUP must still reload, not end the process, and SIGTERM stop it cleanly.
        kill(p.processIdentifier, SIGHUP)
        try waitFor("dutyd to say it reloaded") {
            (try? String(contentsOf: d.log, encoding: .utf8))?.contains("configuration reloaded") == true
        }
        #expect(p.isRunning)
        #expect(try Daemon.run("dutyctl", ["status", "--socket", d.socket]).status == 0)
        #expect(APITests.stop(p) == 0)
        #expect(p.terminationReason == .exit)
        let bad = try Daemon.run("dutyctl", ["notify", "test", "--to", "not an address", "--config", d.config])
        #expect(bad.status == 64)
        let none = try Daemon()
        let off = try Daemon.run("dutyctl", ["notify", "test", "--to", "wang@example.org", "--config", none.config])
        #expect(off.status == 78 && off.err.contains("[email]"))
    }

    @Test("a template override that does not parse is refused at its line by config check and by dutyd")
    func brokenTemplate() throws {
        let server = try MailServer()
        defer { server.stop() }
        let d = try Daemon(settings: Self.settings(server, hookOut: "/dev/null"))
        let templates = d.folder.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        let good = try Daemon.run("dutyctl", ["config", "template", "body.zh-CN"])
        #expect(good.status == 0 && good.out.contains("{{#groups}}"))
        // Line 3 opens a section that is never closed.
        try "{{recipient_name}}：\n\n{{#items}}\n{{title}}\n".write(
            to: templates.appendingPathComponent("body.zh-CN.mustache"),
            atomically: true,
            encoding: .utf8
        )
        let check = try Daemon.run("dutyctl", ["config", "check", "--config", d.config])
        #expect(check.status == 78)
        #expect(check.err.contains("templates/body.zh-CN.mustache:"), "\(check.err)")
        #expect(check.err.contains("never closed"))
        let run = try Daemon.run(
            "dutyd",
            ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config, "--log", "stderr"]
        )
        #expect(run.status == 78)
        #expect(try server.messages().isEmpty)
        // A misnamed override is named too.
        try FileManager.default.removeItem(at: templates.appendingPathComponent("body.zh-CN.mustache"))
        try "x".write(to: templates.appendingPathComponent("body.zh.mustache"), atomically: true, encoding: .utf8)
        let misnamed = try Daemon.run("dutyctl", ["config", "check", "--config", d.config])
        #expect(misnamed.status == 78 && misnamed.err.contains("no template is called body.zh"))
        // A working override is used.
        try FileManager.default.removeItem(at: templates.appendingPathComponent("body.zh.mustache"))
        try "{{recipient_name}}，共 {{count}} 项。\n".write(
            to: templates.appendingPathComponent("body.zh-CN.mustache"),
            atomically: true,
            encoding: .utf8
        )
        #expect(try Daemon.run("dutyctl", ["config", "check", "--config", d.config]).status == 0)
        #expect(
            try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config]).status == 0
        )
        let first = try #require(try server.messages().first)
        #expect(first.parsed.body?.range(of: #"^.+，共 \d+ 项。\n$"#, options: .regularExpression) != nil)
    }
}
