import DutyCalendar
import DutyFiles
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

@Suite("Settings file", .ownThreads)
struct SettingsTests {
    @Test("reads the documented keys and resolves relative paths against the file's folder")
    func reads() throws {
        let s = try Settings.parse(
            """
            timezone = "Asia/Shanghai"
            state = "state/dutyd.sqlite"
            policy = ["policy"]
            holidays = "holidays/cn"
            send_at = "08:30"
            track_from = 2026-11-29

            [api]
            socket = "/run/dutyd/api.sock"

            [email]
            transport = "none"

            [[hook]]
            name = "sms"
            command = ["/bin/true"]
            """,
            path: "/etc/example/dutyd.toml"
        )
        #expect(s.timezone.identifier == "Asia/Shanghai")
        #expect(s.state == "/etc/example/state/dutyd.sqlite")
        #expect(s.policy == ["/etc/example/policy"])
        #expect(s.holidays == ["/etc/example/holidays/cn"])
        #expect(s.sendAtHour == 8 && s.sendAtMinute == 30)
        #expect(s.trackFrom == CivilDate(year: 2026, month: 11, day: 29))
    }

    @Test(
        "a bad file names the line and what was expected",
        arguments: [
            ("timezon = \"Asia/Shanghai\"", "x.toml:1:1:", "unknown setting 'timezon'"),
            ("\n\ntimezone = \"Mars/Olympus\"", "x.toml:3:1:", "unknown zone"),
            ("send_at = \"9am\"", "x.toml:1:1:", "HH:MM"),
            ("timezone = ", "x.toml:1:12:", "expected a value"),
            ("timezone = Asia/Shanghai", "x.toml:1:12:", "a string needs quotes"),
            ("[api]\nsocket = \"/run/a\"\n[api]", "x.toml:3:1:", "table [api] is already defined at line 1"),
            ("[email]\nsmtp_hots = \"x\"", "x.toml:2:1:", "in [email]"),
        ]
    )
    func rejects(_ text: String, _ place: String, _ words: String) {
        let error = #expect(throws: ConfigError.self) { try Settings.parse(text, path: "x.toml") }
        #expect(error?.description.hasPrefix(place) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(words) == true, "\(error?.description ?? "")")
    }

    @Test("a missing file says how to make one")
    func missing() {
        let error = #expect(throws: ConfigError.self) { try Settings.load(path: "/nonexistent/dutyd.toml") }
        #expect(error?.description.contains("--config") == true)
    }
}

@Suite("Settings file: mail and hooks", .ownThreads)
struct DeliverySettingsTests {
    @Test("[metrics] listen: a port alone is loopback; an address is taken as written; a mistake is placed")
    func metrics() throws {
        #expect(try Settings.parse("", path: "x.toml").metrics == nil)
        for (text, host, port) in [
            ("9464", "127.0.0.1", 9464), (":9464", "127.0.0.1", 9464), ("0.0.0.0:9100", "0.0.0.0", 9100),
            ("[::1]:9464", "::1", 9464),
        ] {
            let m = try #require(try Settings.parse("[metrics]\nlisten = \"\(text)\"", path: "x.toml").metrics)
            #expect(m.host == host && m.port == port, "\(text)")
        }
        for (body, line, words) in [
            ("listen = 9464", 2, "metrics.listen: expected a port"),
            ("listen = \"70000\"", 2, "metrics.listen"),
            ("listen = \"host name:1\"", 2, "metrics.listen"),
            ("port = 1", 2, "unknown setting 'port' in [metrics]; expected one of listen"),
        ] {
            do {
                _ = try Settings.parse("[metrics]\n" + body, path: "x.toml")
                Issue.record("taken: \(body)")
            } catch {
                #expect(error.description.hasPrefix("x.toml:\(line):") && error.description.contains(words), "\(error)")
            }
        }
    }

    @Test("[web]: read with its default lifetime; each mistake placed; a key others may read is refused")
    func web() throws {
        let s = try Settings.parse(
            """
            [web]
            listen = "[::1]:8080"
            base_url = "https://dutyd.example.org/"
            secret_file = "web.key"
            """,
            path: "/etc/dutyd/dutyd.toml"
        )
        let w = try #require(s.web)
        #expect(w.host == "::1" && w.port == 8080 && w.baseURL == "https://dutyd.example.org" && w.secure)
        #expect(w.secretFile == "/etc/dutyd/web.key" && w.linkLifetime == 30 * 86_400)
        #expect(try Settings.parse("", path: "x.toml").web == nil)
        for (body, line, words) in [
            ("listen = \"8080\"\nbase_url = \"http://x\"\nsecret_file = \"k\"", 2, "web.listen"),
            ("listen = \"127.0.0.1:70000\"\nbase_url = \"http://x\"\nsecret_file = \"k\"", 2, "web.listen"),
            ("listen = \"127.0.0.1:8080\"\nsecret_file = \"k\"", 2, "web.base_url: missing"),
            ("listen = \"127.0.0.1:8080\"\nbase_url = \"ftp://x\"\nsecret_file = \"k\"", 3, "web.base_url"),
            ("listen = \"127.0.0.1:8080\"\nbase_url = \"http://x\"", 2, "web.secret_file: missing"),
            (
                "listen = \"127.0.0.1:8080\"\nbase_url = \"http://x\"\nsecret_file = \"k\"\nlink_lifetime = \"10min\"",
                5, "1h to 365d"
            ),
            ("listen = \"127.0.0.1:8080\"\nsecrets = 1", 3, "unknown setting 'secrets' in [web]"),
        ] {
            do {
                _ = try Settings.parse("[web]\n" + body, path: "x.toml")
                Issue.record("taken: \(body)")
            } catch {
                #expect(error.description.hasPrefix("x.toml:\(line):") && error.description.contains(words), "\(error)")
            }
        }
        // The key: refused while group or others may read it, or shorter than 32 bytes.
        let dir = scratchDirectory.appendingPathComponent("webkey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("web.key").path
        var web = WebSettings(host: "127.0.0.1", port: 8080, baseURL: "http://x", secretFile: key)
        #expect(
            FileManager.default.createFile(
                atPath: key,
                contents: Data(repeating: 9, count: 32),
                attributes: [.posixPermissions: 0o644]
            )
        )
        #expect(throws: ConfigError.self) { try web.key() }
        chmod(key, 0o600)
        #expect(try web.key().count == 32)
        #expect(
            FileManager.default.createFile(
                atPath: key,
                contents: Data(repeating: 9, count: 16),
                attributes: [.posixPermissions: 0o600]
            )
        )
        #expect(throws: ConfigError.self) { try web.key() }
        web.secretFile = dir.appendingPathComponent("missing").path
        #expect(throws: ConfigError.self) { try web.key() }
    }

    @Test("[email] and [[hook]] are read with their defaults")
    func reads() throws {
        let s = try Settings.parse(
            """
            [email]
            from = "督办提醒 <dutyd@example.org>"
            smtp_host = "mail.example.org"
            tls = "implicit"
            username = "dutyd"
            password_file = "secret/smtp"
            timeout = "30s"
            session_timeout = "5min"
            language = "en"

            [[hook]]
            name = "sms"
            command = ["/usr/local/bin/sms-send", "--quiet"]
            events = ["overdue", "escalation"]
            timeout = "2s"

            [[hook]]
            name = "digest-bot"
            command = ["bot"]
            events = ["digest"]
            concurrency = 1
            """,
            path: "/etc/dutyd/dutyd.toml"
        )
        #expect(s.email.transport == .smtp)  // smtp_host given: smtp unless said otherwise
        #expect(s.email.from?.name == "督办提醒" && s.email.from?.address == "dutyd@example.org")
        let smtp = try #require(s.email.smtp)
        #expect(smtp.port == 465 && smtp.security == .implicit)
        #expect(smtp.passwordFile == "/etc/dutyd/secret/smtp")
        #expect(smtp.replyTimeout == 30 && smtp.sessionTimeout == 300)
        #expect(s.email.language == "en")
        #expect(s.templatesFolder == "/etc/dutyd/templates")
        #expect(s.hooks.map(\.name) == ["sms", "digest-bot"])
        #expect(s.hooks[0].events == ["overdue", "escalation"] && s.hooks[0].timeout == 2)
        #expect(s.hooks[1].concurrency == 1)
        let none = try Settings.parse("timezone = \"UTC\"\n", path: "/x/dutyd.toml")
        #expect(none.email.transport == .none && none.hooks.isEmpty)
    }

    @Test(
        "a mistake in [email] or [[hook]] names its line, column and what was expected",
        arguments: [
            ("[email]\ntransport = \"smtp\"\nfrom = \"a@example.org\"\n", 1, "needs smtp_host"),
            ("[email]\nsmtp_host = \"m\"\n", 1, "needs from ="),
            ("[email]\nfrom = \"督办 <not an address>\"\nsmtp_host = \"m\"\n", 2, "email.from:"),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\ntls = \"ssl\"\n", 4, "expected \"starttls\""),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\nsmtp_port = 70000\n", 4, "port number"),
            (
                "[email]\nfrom = \"a@example.org\"\nsmtp_host = \"mail.example.org\"\ntls = \"none\"\nusername = \"u\"\n",
                4, "plain text"
            ),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\ntimeout = \"soon\"\n", 4, "expected a time"),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\nlanguage = \"fr\"\n", 4, "\"zh-CN\" or \"en\""),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\nport = 25\n", 4, "unknown setting 'port'"),
            ("[[hook]]\nname = \"sms\"\n", 1, "expected command ="),
            ("[[hook]]\nname = \"s m s\"\ncommand = [\"x\"]\n", 2, "expected name ="),
            ("[[hook]]\nname = \"a\"\ncommand = [\"x\"]\nevents = [\"late\"]\n", 4, "unknown event \"late\""),
            (
                "[[hook]]\nname = \"a\"\ncommand = [\"x\"]\n[[hook]]\nname = \"a\"\ncommand = [\"y\"]\n", 5,
                "a second hook"
            ),
            ("[[hook]]\nname = \"a\"\ncommand = [\"x\"]\nconcurrency = 0\n", 4, "concurrency"),
            ("[[hook]]\nname = \"a\"\ncommand = [\"x\"]\ncredentials = \"yes\"\n", 4, "credentials = true or false"),
            (
                "[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\nhelo = \"me\\r\\nRCPT TO:<x@example.org>\"\n", 4,
                "email.helo: expected this host's name"
            ),
            ("[email]\nfrom = \"a@example.org\"\nsmtp_host = \"m\"\nhelo = \"\"\n", 4, "email.helo"),
        ]
    )
    func errors(text: String, line: Int, message: String) {
        #expect {
            try Settings.parse(text, path: "/etc/dutyd/dutyd.toml")
        } throws: { e in
            let c = e as! ConfigError
            return c.line == line && c.message.contains(message) && c.column != nil
        }
    }

    @Test("a password file that others may read, or that someone else owns, is refused with the chmod to run")
    func passwordFileMode() throws {
        let folder = scratchDirectory.appendingPathComponent("dutyd-pw-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("smtp-password").path
        try "secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        let text = """
            [email]
            from = "a@example.org"
            smtp_host = "mail.example.org"
            username = "dutyd"
            password_file = "\(file)"
            """
        for mode in [0o644, 0o640, 0o604] {
            chmod(file, mode_t(mode))
            #expect {
                try Settings.parse(text, path: "/etc/dutyd/dutyd.toml")
            } throws: { e in
                let c = e as! ConfigError
                return c.line == 5 && c.message.contains("chmod 600 \(file)")
            }
        }
        chmod(file, 0o600)
        #expect(try Settings.parse(text, path: "/etc/dutyd/dutyd.toml").email.smtp?.passwordFile == file)
        chmod(file, 0o400)
        #expect(try Settings.parse(text, path: "/etc/dutyd/dutyd.toml").email.smtp?.passwordFile == file)
        // Owned by another user (nobody): refused whatever its mode, as root runs this test.
        if geteuid() == 0 {
            chown(file, 65534, 65534)
            #expect {
                try Settings.parse(text, path: "/etc/dutyd/dutyd.toml")
            } throws: { e in (e as! ConfigError).message.contains("neither root nor dutyd's user") }
        }
    }

    @Test("hooks keep credentials to themselves unless they ask")
    func hookCredentials() throws {
        let s = try Settings.parse(
            "[[hook]]\nname = \"a\"\ncommand = [\"x\"]\n[[hook]]\nname = \"b\"\ncommand = [\"y\"]\ncredentials = true\n",
            path: "/etc/dutyd/dutyd.toml"
        )
        #expect(s.hooks.map(\.credentials) == [false, true])
    }
}
