import DutyCalendar
import DutyCore
import DutyNotify
import DutyStore
import DutyTestScoping
import DutyTestSupport
import DutyWeb
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The officials' pages (`[web]`) as they are used: the personal link in a real mail opened in a real
/// headless Chromium, answers given there and found in the audit trail; and every way in that must
/// not work, refused.
@Suite("the web pages", .serialized, .ownThreads)
struct WebTests {
    /// A TCP port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound, "no free port")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A program (`Tests/tools/hold-connections.py`) holding `count` idle TCP connections to
    /// 127.0.0.1:`port` until it is killed, once the number the server keeps open is steady: the
    /// program and that number. In a process of its own, so that nothing the test process closes
    /// (its other tests run beside it) can end them.
    static func holdConnections(_ port: Int, _ count: Int) throws -> (holder: Process, held: Int) {
        let ready = scratchDirectory.appendingPathComponent("held-\(UUID().uuidString)")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            Daemon.repo.appendingPathComponent("Tests/tools/hold-connections.py").path, "127.0.0.1:\(port)",
            String(count), ready.path, "--hold", "600",
        ]
        try holder.run()
        do {
            try waitFor("\(count) connections held", seconds: 90, poll: 0.1) {
                FileManager.default.fileExists(atPath: ready.path) || !holder.isRunning
            }
            let said = (try? String(contentsOf: ready, encoding: .utf8)) ?? ""
            let held = try #require(
                Int(said.split(separator: " ").dropFirst().first ?? ""),
                "the holder said '\(said)'"
            )
            return (holder, held)
        } catch {
            kill(holder.processIdentifier, SIGKILL)
            try holder.waitForExit()
            throw error
        }
    }

    /// A daemon with mail to `server` and its pages on a free port, its key in its folder; the key.
    static func daemon(
        _ server: MailServer,
        web extra: String = "",
        email: String = ""
    ) throws -> (Daemon, base: String, key: [UInt8]) {
        let port = try freePort()
        let folder = scratchDirectory.appendingPathComponent("web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let keyFile = folder.appendingPathComponent("web.key").path
        let key = (0..<32).map { _ in UInt8.random(in: 0...255) }
        #expect(
            FileManager.default.createFile(atPath: keyFile, contents: Data(key), attributes: [.posixPermissions: 0o600])
        )
        let base = "http://127.0.0.1:\(port)"
        let d = try Daemon(
            settings: server.emailSettings() + email + """

                [web]
                listen = "127.0.0.1:\(port)"
                base_url = "\(base)"
                secret_file = "\(keyFile)"
                \(extra)
                """
        )
        return (d, base, key)
    }

    /// Runs dutyd on a clock set to 1 December 2026 (its catch-up mails everyone), and waits for its pages.
    static func serve(_ d: Daemon, base: String) throws -> Process {
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-01T10:00:00+08:00"])
        // Each poll is a curl process: ten a second, not fifty, while dutyd starts.
        try waitFor("the web pages to answer", poll: 0.1) {
            try JournalReader.shell(
                "curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/static/dutyd.css"]
            )
            .out == "200"
        }
        return p
    }

    /// The personal link in the newest mail to `address`.
    static func link(to address: String, in server: MailServer, base: String) throws -> String {
        var found: String?
        // Every poll decodes what the server holds so far: five times a second is enough.
        try waitFor("a mail to \(address) with a personal link", poll: 0.2) {
            let bodies = try server.messages().filter { $0.rcpt_tos.contains(address) }.compactMap(\.parsed.body)
            found = bodies.last.flatMap { body in
                body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.hasPrefix(base + "/l/") }
            }
            return found != nil
        }
        return try #require(found)
    }

    /// `curl` with a cookie jar: status, headers and body.
    static func curl(_ args: [String], jar: String) throws -> (status: Int, headers: String, body: String) {
        let r = try JournalReader.shell(
            "curl",
            ["-s", "-i", "-b", jar, "-c", jar, "--max-time", "20"] + args
        )
        let parts = r.out.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test(
        "an official opens the link in the mail in Chromium, records a completion with its 文号 and asks for an extension, audited as theirs via web"
    )
    func browser() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
            "make deps installs chromium-driver"
        )
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, _) = try Self.daemon(server)
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Guangzhou's clerk gets the digest, with her link.
        let link = try Self.link(to: "luo.ting@example.org", in: server, base: base)
        let shots =
            ProcessInfo.processInfo.environment["DUTYD_SCREENSHOTS"]
            ?? scratchDirectory.appendingPathComponent("shots-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let (done, extend) = ("situation-analysis/gd.gz/2026-Q4", "semiannual-report/gd.gz/2026-H2")
        let r = try JournalReader.shell(
            "/usr/bin/python3",
            [AbuseTests.tools.appendingPathComponent("web-browser.py").path, link, shots, done, extend, "2027-01-08"]
        )
        #expect(r.status == 0, "\(r.out)\n\(r.err.suffix(3000))")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(r.out)")
        // The token is exchanged for the cookie and gone from the address bar.
        #expect(seen["url_after_link"] as? String == base + "/me", "\(seen)")
        #expect(seen["name"] as? String == "罗婷")
        #expect((seen["duties"] as? [String])?.contains(extend) == true, "\(seen)")
        // No address names an occurrence (an id can name an official): each is sealed.
        let hrefs = seen["hrefs"] as? [String] ?? []
        #expect(!hrefs.isEmpty && hrefs.allSatisfy { $0.hasPrefix(base + "/o/") && !$0.contains("gd.gz") }, "\(hrefs)")
        #expect((seen["occurrence_url"] as? String)?.contains("semiannual") == false)
        #expect(seen["after_done"] as? String == "已登记办结。")
        #expect(seen["after_extend"] as? String == "延期申请已提交，等待审批。")
        #expect(
            (seen["occurrence_history"] as? String)?.contains("luo.ting (web): extension-request") == true,
            "\(seen)"
        )
        #expect(FileManager.default.fileExists(atPath: shots + "/official-page.png"))
        #expect(seen["overflow_at_360"] as? Int == 0, "\(seen["overflow_at_360"] ?? "?") px wider than a 360 px screen")
        // In the store: the completion with its reference, the request, both audited as hers, via web.
        let store = try d.store()
        let completion = try #require(try store.records().completions.first { $0.occurrence.description == done })
        #expect(completion.reference == "穗委〔2026〕9号" && completion.by == "luo.ting")
        let request = try #require(try store.extensionRequests().first)
        #expect(request.occurrence.description == extend && request.requestedBy == "luo.ting" && request.how == "web")
        var rows: [AuditEntry] = []
        try store.eachAudit(matching: DutyStore.AuditQuery()) { rows.append($0) }
        let web = rows.filter { $0.how == "web" }
        #expect(
            web.map(\.action) == ["done", "extension-request"],
            "\(rows.map { "\($0.who) \($0.how) \($0.action)" })"
        )
        #expect(web.allSatisfy { $0.who == "luo.ting" })
        // And at once through the API.
        let list = try Daemon.run("dutyctl", ["extend", "ls", "--pending", "--socket", d.socket])
        #expect(list.out.contains("ext-1") && list.out.contains("luo.ting"), "\(list.out)")

        // Guangdong's propaganda head, the request's approver and a supervisor of the province, opens
        // his board from his own mail, sees Guangzhou's request and approves it.
        let head = try Self.link(to: "sun.wei@example.org", in: server, base: base)
        let b = try JournalReader.shell(
            "/usr/bin/python3",
            [AbuseTests.tools.appendingPathComponent("web-browser.py").path, "--board", head, shots, "ext-1"]
        )
        #expect(b.status == 0, "\(b.out)\n\(b.err.suffix(3000))")
        let board = try #require(try JSONSerialization.jsonObject(with: Data(b.out.utf8)) as? [String: Any], "\(b.out)")
        #expect(board["board"] as? String == "中共广东省委", "\(board)")
        let children = board["children"] as? [String] ?? []
        #expect(children.contains("中共广州市委") && children.contains("中共深圳市委"), "\(children)")
        #expect(board["chart_bars"] as? Int == children.count)
        // Guangzhou's row counts the completion its clerk just recorded (columns: units, late, due soon,
        // reminded, done, …).
        let guangzhou = (board["rows"] as? [String: [String]])?["中共广州市委"] ?? []
        #expect(guangzhou.count == 7 && guangzhou[4] == "1", "\(guangzhou)")
        #expect(board["requests"] as? [String] == ["ext-1"] && board["requests_after"] as? [String] == [])
        #expect(board["one_level_down"] as? String == "中共广州市委", "\(board)")
        #expect((board["bulletin"] as? String)?.hasPrefix("中共广东省委 2026-H1") == true, "\(board)")
        let approved = try #require(try store.extensionRequests().first)
        #expect(approved.state == .approved && approved.decidedBy == "sun.wei", "\(approved)")
        var after: [AuditEntry] = []
        try store.eachAudit(matching: DutyStore.AuditQuery()) { after.append($0) }
        #expect(after.last.map { "\($0.who) \($0.how) \($0.action)" } == "sun.wei web extension-approve")
        #expect(APITests.stop(p) == 0)
    }

    @Test(
        "forged, expired and revoked links, a form without its token and another's duty are refused; failed links are rate-limited"
    )
    func refusals() throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, key) = try Self.daemon(server)
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let jar = d.folder.appendingPathComponent("cookies").path
        let link = try Self.link(to: "luo.ting@example.org", in: server, base: base)
        let now = Int(Date().timeIntervalSince1970)
        let links = PersonalLinks(key: key, baseURL: base, lifetime: 3600)
        // A good link: 303 to /me with an HttpOnly, SameSite=Strict cookie, and the security headers.
        let opened = try Self.curl([link], jar: jar)
        #expect(opened.status == 303 && opened.headers.contains("Location: /me"), "\(opened.headers)")
        #expect(opened.headers.contains("HttpOnly; SameSite=Strict"))
        #expect(opened.headers.contains("Content-Security-Policy: default-src 'none'"))
        #expect(
            opened.headers.contains("X-Frame-Options: DENY") && opened.headers.contains("Referrer-Policy: no-referrer")
        )
        let page = try Self.curl([base + "/me"], jar: jar)
        #expect(page.status == 200 && page.body.contains("<h1>罗婷</h1>"), "\(page.body.prefix(500))")
        let form = try #require(
            page.body.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix { $0 != "\"" }
        )
        // A form without its token, or with another's, changes nothing.
        for csrf in ["", "AAAA", links.formToken(session: "someone-else")] {
            let r = try Self.curl(
                ["--data", "csrf=\(csrf)&action=done&occurrence=situation-analysis/gd.gz/2026-Q4", base + "/act"],
                jar: jar
            )
            #expect(r.status == 403, "csrf '\(csrf)': \(r.status)")
        }
        // Another unit's duty is not hers, even with a good token.
        let other = try Self.curl(
            ["--data", "csrf=\(form)&action=done&occurrence=situation-analysis/gd.sz/2026-Q4", base + "/act"],
            jar: jar
        )
        #expect(other.status == 422 && other.body.contains("这不是您的事项"), "\(other.status) \(other.body.prefix(300))")
        #expect(try d.store().records().completions.isEmpty)
        // Forged (another key), expired, and a session token used as a link: refused.
        let forged = PersonalLinks(key: Array(repeating: 7, count: 32), baseURL: base, lifetime: 3600)
        for bad in [
            forged.link(official: "luo.ting", now: now), links.link(official: "luo.ting", now: now - 7200),
            base + "/l/" + links.token(.session, official: "luo.ting", now: now), base + "/l/x.y",
        ] {
            let r = try Self.curl([bad], jar: d.folder.appendingPathComponent("jar-\(UUID().uuidString)").path)
            #expect(r.status == 403 && r.body.contains("链接已失效"), "\(bad): \(r.status)")
        }
        // Revoked: the session and the link both stop working.
        let revoked = try Daemon.run("dutyctl", ["official", "revoke-links", "luo.ting", "--socket", d.socket])
        #expect(revoked.status == 0, "\(revoked.err)")
        #expect(try Self.curl([base + "/me"], jar: jar).status == 401)
        #expect(try Self.curl([link], jar: jar).status == 403)
        // Twenty failed links from one address, and then even a good one is refused for a while.
        for _ in 0..<20 { _ = try Self.curl([base + "/l/nothing.here"], jar: jar) }
        sleep(1)
        let fresh = try Daemon.run("dutyctl", ["official", "link", "luo.ting", "--socket", d.socket]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Self.curl([fresh], jar: jar).status == 429)
        #expect(APITests.stop(p) == 0)
    }

    @Test(
        "receipt (签收) from the web, with curl and in Chromium: the button is there while receipt is awaited, gone once given"
    )
    func receipt() throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, _) = try Self.daemon(server)
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Guangzhou library's clerk: its situation report (due 21 December) asked for receipt by 25 November.
        let link = try Daemon.run("dutyctl", ["official", "link", "han.lei", "--socket", d.socket]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let jar = d.folder.appendingPathComponent("cookies").path
        #expect(try Self.curl([link], jar: jar).status == 303)
        let page = try Self.curl([base + "/me"], jar: jar).body
        #expect(page.contains("待签收（2026-11-25 前）") && page.contains(">签收</button>"), "\(page.prefix(3000))")
        let form = try #require(
            page.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix { $0 != "\"" }
        )
        let occurrence = "unit-situation-report/gd.gz.tsg/2026-H2"
        let r = try Self.curl(["--data", "csrf=\(form)&action=ack&occurrence=\(occurrence)", base + "/act"], jar: jar)
        #expect(r.status == 303 && r.headers.contains("Location: /me?m=ack"), "\(r.status) \(r.body.prefix(300))")
        let after = try Self.curl([base + "/me?m=ack"], jar: jar).body
        let ackForm = "name=\"action\" value=\"ack\"><input type=\"hidden\" name=\"occurrence\" value=\"\(occurrence)\""
        #expect(page.contains(ackForm))
        #expect(after.contains("已签收。") && after.contains("逾期签收") && !after.contains(ackForm))
        let receipt = try #require(try d.store().records().receipts.first)
        #expect(receipt.by == "han.lei" && receipt.how == "web" && receipt.occurrence.description == occurrence)
        // The same in Chromium, from Shenzhen library's clerk's link.
        let other = "unit-situation-report/gd.sz.tsg/2026-H2"
        let szLink = try Daemon.run("dutyctl", ["official", "link", "lv.qiang", "--socket", d.socket]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let b = try JournalReader.shell(
            "/usr/bin/python3",
            [AbuseTests.tools.appendingPathComponent("web-browser.py").path, "--ack", szLink, other]
        )
        #expect(b.status == 0 && b.out.contains("\"message\": \"已签收。\""), "\(b.out)\n\(b.err.suffix(2000))")
        #expect(try d.store().records().receipts.contains { $0.occurrence.description == other && $0.how == "web" })
        #expect(APITests.stop(p) == 0)
    }

    @Test(
        "single sign-on: the proxy's user header is ignored unless trust_user_header names it; then it names the official"
    )
    func singleSignOn() throws {
        let server = try MailServer()
        defer { server.stop() }
        for trusted in [false, true] {
            let (d, base, _) = try Self.daemon(server, web: trusted ? "trust_user_header = \"X-Remote-User\"" : "")
            let p = try Self.serve(d, base: base)
            defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
            let jar = d.folder.appendingPathComponent("cookies").path
            let asked = try Self.curl(["-H", "X-Remote-User: luo.ting", base + "/me"], jar: jar)
            #expect(asked.status == (trusted ? 200 : 401), "trusted: \(trusted)")
            if trusted { #expect(asked.body.contains("<h1>罗婷</h1>")) }
            #expect(try Self.curl(["-H", "X-Remote-User: nobody", base + "/me"], jar: jar).status == 401)
            // The metrics count each answer by its route, with its status.
            let metrics = try RawClient(socket: d.socket).raw("GET", "/metrics")
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(
                MetricsTests.value(text, "dutyd_web_requests_total{route=\"/me\",status=\"401\"}")
                    == (trusted ? 1 : 2),
                "\(text)"
            )
            if trusted {
                #expect(MetricsTests.value(text, "dutyd_web_requests_total{route=\"/me\",status=\"200\"}") == 1)
            }
            #expect(APITests.stop(p) == 0)
        }
    }

    /// WCAG's relative luminance of `#rgb` or `#rrggbb`.
    static func luminance(_ hex: String) -> Double {
        var h = String(hex.dropFirst())
        if h.count == 3 { h = h.map { "\($0)\($0)" }.joined() }
        let v = Int(h, radix: 16) ?? 0
        func channel(_ c: Int) -> Double {
            let x = Double(c) / 255
            return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(v >> 16 & 255) + 0.7152 * channel(v >> 8 & 255) + 0.0722 * channel(v & 255)
    }

    @Test("every text colour of the stylesheet, on its background, passes WCAG AA (4.5:1)")
    func contrast() throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, _) = try Self.daemon(server)
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let css = try Self.curl([base + "/static/dutyd.css"], jar: d.folder.appendingPathComponent("jar").path).body
        var checked = 0
        for rule in css.split(separator: "}") {
            let decls = rule.split(separator: "{").last.map(String.init) ?? ""
            func value(_ property: String) -> String? {
                for decl in decls.split(separator: ";") {
                    let kv = decl.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if kv.count == 2, kv[0] == property, kv[1].hasPrefix("#") { return kv[1] }
                }
                return nil
            }
            guard let text = value("color") else { continue }
            let back = value("background") ?? "#fff"
            let (a, b) = (Self.luminance(text), Self.luminance(back))
            let ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
            #expect(ratio >= 4.5, "\(rule.prefix(60)): \(text) on \(back) is \(ratio):1")
            checked += 1
        }
        #expect(checked >= 8, "\(checked) colours checked")
        #expect(APITests.stop(p) == 0)
    }

    @Test("the pages hold at most 256 connections: the next is closed at once; pages are served again when they end")
    func connectionsBounded() throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, _) = try Self.daemon(server)
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let port = try #require(Int(base.split(separator: ":").last ?? ""))
        func status() throws -> String {
            try JournalReader.shell(
                "curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30", base + "/"]
            )
            .out
        }
        let before = try status()
        #expect(before != "000", "the pages did not answer: \(before)")
        // 20 more than the bound: dutyd keeps the bound's number open and closes the others at once
        // (the holder's count of those left open is in the message below if this fails).
        let (holder, held) = try Self.holdConnections(port, WebServer.maximumConnections + 20)
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        try waitFor("a request past the limit to be refused (\(held) held)", seconds: 30, poll: 0.1) {
            try status() == "000"
        }
        kill(holder.processIdentifier, SIGKILL)
        try holder.waitForExit()
        try waitFor("the pages to answer again", seconds: 30, poll: 0.1) { try status() == before }
        #expect(APITests.stop(p) == 0)
    }

    @Test("in English with [email] language = \"en\": the page, its forms and the mail's link line")
    func english() throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, base, _) = try Self.daemon(server, email: "\nlanguage = \"en\"\n")
        let p = try Self.serve(d, base: base)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let link = try Self.link(to: "luo.ting@example.org", in: server, base: base)
        let mail = try server.messages().filter { $0.rcpt_tos.contains("luo.ting@example.org") }.compactMap(
            \.parsed.body
        )
        #expect(mail.contains { $0.contains("ask for more time on the web (your personal link; do not forward it)") })
        let jar = d.folder.appendingPathComponent("cookies").path
        #expect(try Self.curl([link], jar: jar).status == 303)
        let page = try Self.curl([base + "/me"], jar: jar).body
        #expect(page.contains("<html lang=\"en\">") && page.contains(">Record as done</button>"), "\(page.prefix(800))")
        #expect(page.contains("days late") && page.contains(">late<") && page.contains("Ask for an extension"))
        #expect(APITests.stop(p) == 0)
    }
}
