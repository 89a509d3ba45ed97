import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// dutyd as systemd runs it: entries in a real systemd-journald, sd_notify on a datagram socket,
/// signals, a crash, and the installed units checked by systemd-analyze.
@Suite("dutyd, end to end", .serialized, .ownThreads)
struct DutydTests {
    static let catalogIDs: [String: String] = [
        "reminder": "787c70451391458bad208ff0ab99be48", "due": "c723d9fc17eb4844a6ba514136bd3bf6",
        "overdue": "d1196838d5724731a715dde686326383", "escalation": "8a67d8223c264ac3b8d295c3516e3900",
        "urging": "d509d1cfc8a64e43ab56f70348422616", "extension-requested": "c61619888873410aa29e2a6acd4fb871",
        "extension-decided": "1455fd2360e14932b7c2903080db7540", "bulletin": "0fa7dadb94c445f09d75bbaa9ca9a6a9",
    ]

    /// The ids `journalctl --list-catalog` knows once systemd/dutyd.catalog is installed in a root.
    static func catalog() throws -> [String: String] {
        let root = scratchDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        let dir = root.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["dutyd.catalog", "dutyd.zh_CN.catalog"] {
            try FileManager.default.copyItem(
                at: Daemon.repo.appendingPathComponent("systemd/\(name)"),
                to: dir.appendingPathComponent(name)
            )
        }
        #expect(try JournalReader.shell("journalctl", ["--root=\(root.path)", "--update-catalog"]).status == 0)
        let list = try JournalReader.shell("journalctl", ["--root=\(root.path)", "--list-catalog"])
        var out: [String: String] = [:]
        for line in list.out.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    @Test(
        "dutyd --start-at runs the service on a shifted clock: 09:00 steps go out seconds later, sent at the real time"
    )
    func startAt() throws {
        try JournalReader.requireJournald()
        let d = try Daemon()
        // Catch up to just before 09:00 first, so what follows is the 09:00 batch alone.
        #expect(
            try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T08:59:00+08:00", "--config", d.config]).status == 0
        )
        let store = try d.store()
        let before = try store.ledger().count
        let started = Date()
        let p = try Daemon.start(
            "dutyd",
            ["--start-at", "2026-12-21T08:59:57+08:00", "--config", d.config, "--log", "stderr"]
        )
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let nine = Instant(iso: "2026-12-21T09:00:00+08:00")!
        var due: [LedgerEntry] = []
        try waitFor("the steps of the shifted 09:00 to be sent") {
            due = try store.ledger().filter { $0.dueAt == nine && $0.state == .sent }
            return !due.isEmpty
        }
        kill(p.processIdentifier, SIGTERM)
        try p.waitForExit()
        #expect(p.terminationStatus == 0)
        #expect(!due.isEmpty, "nothing was sent at the shifted 09:00")
        #expect(try store.ledger().count > before)
        // Recorded at the real time, not the shifted one.
        let real = Int(started.timeIntervalSince1970)
        #expect(due.allSatisfy { abs(($0.sentAt?.seconds ?? 0) - real) < 300 })
        let bad = try Daemon.run("dutyd", ["--once", "--start-at", "2026-12-21T08:59:57+08:00", "--config", d.config])
        #expect(bad.status == 64)
    }

    @Test("dutyd --once writes one journal entry per notification with every field, and a second run writes none")
    func journalEntries() throws {
        try JournalReader.requireJournald()
        let d = try Daemon()
        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let sent = try d.store().ledger().filter { $0.state == .sent }
        #expect(sent.count > 100)
        let all = try JournalReader.entries(pids: [r.pid], atLeast: sent.count)
        let notices = all.filter { $0["DUTY_STEP"] != nil && $0["DUTY_EVENT"] != "delivery-failed" }
        #expect(notices.count == sent.count)
        #expect(
            Set(notices.map { "\($0["DUTY_OCCURRENCE"] ?? "")/\($0["DUTY_STEP"] ?? "")" })
                == Set(sent.map { "\($0.occurrence)/\($0.step)" })
        )

        let e = try #require(notices.first { $0["DUTY_OCCURRENCE"] == "unit-situation-report/gd.sz.tsg/2026-H2" })
        #expect(e["SYSLOG_IDENTIFIER"] == "dutyd")
        #expect(e["MESSAGE_ID"] == Self.catalogIDs["due"])
        #expect(e["PRIORITY"] == "4")
        #expect(e["DUTY_EVENT"] == "due")
        #expect(e["DUTY_OBLIGATION"] == "unit-situation-report")
        #expect(e["DUTY_UNIT"] == "gd.sz.tsg")
        #expect(e["DUTY_DEADLINE"] == "2026-12-21")
        #expect(e["DUTY_STEP"] == "due")
        #expect(e["DUTY_RECIPIENTS"] == "lv.qiang")
        #expect(e["DUTY_COLLAPSED"] == "reminder-30d urging reminder-7d reminder-1d")
        #expect(e["MESSAGE"]?.hasPrefix("【今日截止】深圳图书馆党总支：") == true)
        #expect(e["MESSAGE"]?.contains("2026-12-21 周一截止，今天截止；通知 吕强") == true)

        // Priorities: notice for reminders, warning for due and overdue, err for escalations.
        let priority = ["reminder": "5", "due": "4", "overdue": "4", "escalation": "3"]
        for n in notices {
            let event = try #require(n["DUTY_EVENT"])
            #expect(n["PRIORITY"] == priority[event], "\(n)")
            #expect(n["MESSAGE_ID"] == Self.catalogIDs[event])
        }
        let escalation = try #require(notices.first { $0["DUTY_EVENT"] == "escalation" })
        #expect(escalation["DUTY_RECIPIENTS"]?.isEmpty == false)
        // Every MESSAGE_ID dutyd wrote is one `journalctl -x` can explain.
        let catalog = try Self.catalog()
        for id in Set(all.compactMap { $0["MESSAGE_ID"] }) {
            #expect(catalog[id] != nil, "\(id) is not in dutyd.catalog")
        }
        #expect(catalog.count == DutyEvent.allCases.count)  // one per event type, `changed` and `clock-jump` included

        // Again at the same moment: nothing new.
        let again = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(again.status == 0)
        let second = try JournalReader.entries(pids: [again.pid], atLeast: 1)
        #expect(!second.contains { $0["DUTY_STEP"] != nil })
        #expect(second.contains { $0["MESSAGE"]?.contains(": 0 sent, 0 collapsed") == true })
        #expect(try d.store().ledger().filter { $0.state == .sent }.count == sent.count)
    }

    @Test("sd_notify: READY with STATUS, WATCHDOG, RELOADING and READY around SIGHUP, STOPPING on SIGTERM, exit 0")
    func notifyProtocol() throws {
        try JournalReader.requireJournald()
        let d = try Daemon()
        let listener = try NotifyListener()
        let p = try Daemon.start(
            "dutyd",
            ["--config", d.config],
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"]
        )
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let ready = listener.wait(for: "READY=1")
        let status = try #require(
            ready.found,
            "no READY=1; stderr: \(p.isRunning ? "" : String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))"
        )
        #expect(status.contains("STATUS=next: "))
        #expect(ready.before.isEmpty)
        #expect(listener.wait(for: "WATCHDOG=1", timeout: 5).found != nil)

        kill(p.processIdentifier, SIGHUP)
        let reloading = listener.wait(for: "RELOADING=1", timeout: 10)
        #expect(reloading.found?.contains("MONOTONIC_USEC=") == true)
        #expect(listener.wait(for: "READY=1", timeout: 10).found != nil)
        #expect(listener.wait(for: "WATCHDOG=1", timeout: 5).found != nil)

        // Idle cost: after start, a reload and watchdog sleeps, no libdispatch worker thread exists (the
        // first one would arm libdispatch's once-a-second pool monitor); only NIO's loops and the
        // signal thread. libdispatch names its workers after their queues (com.apple.root.*-qos*).
        let threads = try Daemon.threadNames(p.processIdentifier)
        #expect(threads.contains { $0.hasPrefix("NIO-") })
        #expect(!threads.contains { $0.contains("qos") }, "libdispatch threads in \(threads)")

        kill(p.processIdentifier, SIGTERM)
        #expect(listener.wait(for: "STOPPING=1", timeout: 10).found != nil)
        try p.waitForExit()
        #expect(p.terminationStatus == 0)
        #expect(p.terminationReason == .exit)
    }

    @Test("SIGHUP with a broken policy logs the error with its place and keeps the old configuration")
    func reloadWithBrokenPolicy() throws {
        try JournalReader.requireJournald()
        let d = try Daemon()
        let listener = try NotifyListener()
        let p = try Daemon.start("dutyd", ["--config", d.config], environment: ["NOTIFY_SOCKET": listener.path])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let before = try #require(listener.wait(for: "READY=1").found)

        let policy = d.folder.appendingPathComponent("policy/ideology-responsibility.toml")
        let good = try String(contentsOf: policy, encoding: .utf8)
        try (good + "\n[[obligation]]\nid = \"broken\"\nremind = [\"soon\"]\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        kill(p.processIdentifier, SIGHUP)
        #expect(listener.wait(for: "RELOADING=1", timeout: 10).found != nil)
        let after = try #require(listener.wait(for: "READY=1", timeout: 10).found)
        #expect(p.isRunning)
        // The same plan is in force: the same next step.
        #expect(after.split(separator: "\n").last == before.split(separator: "\n").last)
        let entries = try JournalReader.entries(pids: [p.processIdentifier], atLeast: 2)
        let failed = try #require(entries.first { $0["MESSAGE_ID"] == "379471d9837441a9a4a9f4635c77829d" })
        #expect(failed["PRIORITY"] == "3")
        #expect(failed["MESSAGE"]?.contains("ideology-responsibility.toml:") == true)
        #expect(failed["MESSAGE"]?.contains("previous configuration stays in force") == true)

        // Fixed: the next reload takes.
        try good.write(to: policy, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        #expect(listener.wait(for: "READY=1", timeout: 10).found != nil)
        let later = try JournalReader.entries(pids: [p.processIdentifier], atLeast: entries.count + 1)
        #expect(later.contains { $0["MESSAGE_ID"] == "3fc3a4d4ac48471a9ce97a67d62fc2e0" })
        kill(p.processIdentifier, SIGTERM)
        try p.waitForExit()
        #expect(p.terminationStatus == 0)
    }

    @Test(
        "kill -9 in the middle of a batch loses no committed ledger row; the next run finishes, duplicating only cut-off deliveries"
    )
    func killNineMidBatch() throws {
        try JournalReader.requireJournald()
        var killed: (d: Daemon, pid: Int32, rows: [LedgerEntry])?
        for size in [600, 1500, 3000] where killed == nil {
            let d = try Daemon(extraUnits: size)
            let store = try d.store()
            let p = try Daemon.start("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
            // Wait for the first committed outcome, then kill at once.
            while p.isRunning, (try? store.ledgerCounts()[.sent] ?? 0) ?? 0 == 0 { usleep(1_000) }
            kill(p.processIdentifier, SIGKILL)
            try p.waitForExit()
            if p.terminationReason == .uncaughtSignal, try store.watermark() == nil {
                killed = (d, p.processIdentifier, try store.ledger())
            }
        }
        let (d, firstPID, rows) = try #require(killed, "the run always finished before it could be killed")
        #expect(!rows.isEmpty)
        let cutOff = Set(rows.filter { $0.state == .sending }.map(\.key))

        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let final = Dictionary(uniqueKeysWithValues: try d.store().ledger().map { ($0.key, $0) })
        // Every row committed before the kill is still there; a finished one is unchanged.
        for row in rows {
            let now = try #require(final[row.key])
            if row.state == .sent || row.state == .collapsed { #expect(now == row) }
            if row.state == .sending { #expect(now.state == .sent && now.attempts == 2) }
        }
        #expect(final.values.allSatisfy { $0.state == .sent || $0.state == .collapsed })
        #expect(try d.store().watermark() != nil)

        // Each notification is in the journal once, or twice if the kill cut its delivery off.
        let sent = final.values.filter { $0.state == .sent }
        let entries = try JournalReader.entries(pids: [firstPID, r.pid], atLeast: sent.count)
        var seen: [String: Int] = [:]
        for e in entries where e["DUTY_STEP"] != nil && e["DUTY_EVENT"] != "delivery-failed" {
            seen["\(e["DUTY_OCCURRENCE"]!)/\(e["DUTY_STEP"]!)/*/journal", default: 0] += 1
        }
        for row in sent {
            let n = seen[row.key] ?? 0
            #expect(n == 1 || (n == 2 && cutOff.contains(row.key)), "\(row.key) is in the journal \(n) times")
        }
    }

    @Test("--now without --once is refused with 64; a broken settings file exits 78 naming its line")
    func usageAndConfigErrors() throws {
        let r = try Daemon.run("dutyd", ["--now", "2026-12-21T09:00:00+08:00", "--config", "/nonexistent"])
        #expect(r.status == 64)
        #expect(r.err.contains("--now needs --once"))
        let folder = scratchDirectory.appendingPathComponent("dutyd-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bad = folder.appendingPathComponent("dutyd.toml").path
        try "timezone = \"Asia/Shanghai\"\nsend_at = \"9 o'clock\"\n".write(
            toFile: bad,
            atomically: true,
            encoding: .utf8
        )
        let b = try Daemon.run("dutyd", ["--once", "--config", bad])
        #expect(b.status == 78)
        #expect(b.err.contains("dutyd.toml:2:"))
        #expect(b.err.contains("send_at"))
    }

    @Test(
        "the installed units pass systemd-analyze verify, score 1.5 or lower on security, and sysusers/tmpfiles apply"
    )
    func installedUnits() throws {
        let root = scratchDirectory.appendingPathComponent("dutyd-install-\(UUID().uuidString)")
            .path
        let make = try JournalReader.shell(
            "make",
            [
                "-s", "-C", Daemon.repo.path, "install-files", "BUILDDIR=\(Products.folder.path)", "PREFIX=\(root)/usr",
                "SYSCONFDIR=\(root)/etc",
            ]
        )
        #expect(make.status == 0, "\(make.err)")
        let unit = "\(root)/usr/lib/systemd/system/dutyd.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(root)/usr/sbin/dutyd --config \(root)/etc/dutyd/dutyd.toml"))
        for key in [
            "Type=notify", "WatchdogSec=", "ExecReload=", "StateDirectory=dutyd", "RuntimeDirectory=dutyd",
            "ConfigurationDirectory=dutyd", "LoadCredential=dutyd-smtp-password:",
        ] {
            #expect(text.contains(key), "\(key) missing")
        }
        let verify = try JournalReader.shell("systemd-analyze", ["verify", unit])
        #expect(verify.status == 0, "\(verify.err)")
        let security = try JournalReader.shell("systemd-analyze", ["security", "--offline=true", unit])
        let line = try #require(security.out.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: ":")[1].split(separator: " ")[0]))
        #expect(score <= 1.5, "\(line)")
        // The installed settings work as they are: dutyctl checks them.
        let check = try JournalReader.shell(
            "\(root)/usr/bin/dutyctl",
            ["policy", "check", "--config", "\(root)/etc/dutyd/dutyd.toml"]
        )
        #expect(check.status == 0, "\(check.err)")
        let sysusers = try JournalReader.shell(
            "systemd-sysusers",
            ["--root=\(root)", "\(root)/usr/lib/sysusers.d/dutyd.conf"]
        )
        #expect(sysusers.status == 0)
        #expect(try String(contentsOfFile: "\(root)/etc/group", encoding: .utf8).contains("dutyd:"))
        let tmpfiles = try JournalReader.shell(
            "systemd-tmpfiles",
            ["--root=\(root)", "--create", "\(root)/usr/lib/tmpfiles.d/dutyd.conf"]
        )
        #expect(tmpfiles.status == 0, "\(tmpfiles.err)")
        #expect(FileManager.default.fileExists(atPath: "\(root)/var/lib/dutyd"))
        // The manual pages render without a warning, as man shows them and as groff -ww checks them.
        for page in ["man1/dutyctl.1", "man5/dutyd.toml.5", "man8/dutyd.8"] {
            let path = "\(root)/usr/share/man/\(page)"
            #expect(FileManager.default.fileExists(atPath: path), "\(page) not installed")
            let groff = try JournalReader.shell("groff", ["-k", "-ww", "-mandoc", "-Tutf8", "-z", path])
            #expect(groff.status == 0 && groff.err.isEmpty, "\(page): \(groff.err)")
            let man = try JournalReader.shell("env", ["MANWIDTH=80", "LC_ALL=C.UTF-8", "man", "-l", path])
            #expect(man.status == 0 && man.err.isEmpty, "\(page): \(man.err)")
            #expect(man.out.contains(page.hasSuffix(".5") ? "dutyd.toml" : "dutyd"))
        }
        // The completions each shell looks for, generated from the argument parsers.
        for (file, words) in [
            ("bash-completion/completions/dutyctl", "complete -o filenames -F _dutyctl dutyctl"),
            ("zsh/vendor-completions/_dutyctl", "#compdef dutyctl"),
            ("fish/vendor_completions.d/dutyctl.fish", "complete -c 'dutyctl'"),
            ("bash-completion/completions/dutyd", "_dutyd"),
        ] {
            let text = (try? String(contentsOfFile: "\(root)/usr/share/\(file)", encoding: .utf8)) ?? ""
            #expect(text.contains(words), "\(file)")
        }
        let bash = try JournalReader.shell(
            "bash",
            ["-c", "source \(root)/usr/share/bash-completion/completions/dutyctl && complete -p dutyctl"]
        )
        #expect(bash.status == 0, "\(bash.err)")
        #expect(FileManager.default.fileExists(atPath: "\(root)/usr/share/dutyd/prometheus/dutyd-alerts.yml"))
    }

    @Test("dutyd.toml(5) describes every key the settings reader takes, each once, under its table")
    func settingsManualPage() throws {
        let text = try String(
            contentsOf: Daemon.repo.appendingPathComponent("docs/man/dutyd.toml.5"),
            encoding: .utf8
        )
        var documented: [String: [String]] = [:]
        var table: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix(".SH ") {
                let title = line.dropFirst(4)
                table =
                    title == "TOP-LEVEL KEYS"
                    ? ""
                    : title.hasPrefix("[")
                        ? String(title.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) : nil
            } else if let t = table, line.hasPrefix(".B ") {
                documented[t, default: []].append(String(line.dropFirst(3)))
            }
        }
        #expect(Set(documented.keys) == Set(Settings.knownKeys.keys))
        for (t, keys) in Settings.knownKeys {
            let written = documented[t] ?? []
            #expect(Set(written) == keys, "[\(t)]: documented \(written.sorted()), read \(keys.sorted())")
            #expect(written.count == Set(written).count, "[\(t)]: a key described twice")
        }
    }
}
