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

#if canImport(Glibc)
import Glibc
#endif

/// dutyd when things break under it: killed in the middle of a batch, journald gone, a service already
/// holding the state. Each test causes the fault and counts what came out. They run side by side, each
/// with its own folder, daemon and mail server (journald's absence is in a mount namespace of its own).
@Suite("faults: kill -9, journald absent, the state lock", .ownThreads)
struct FaultTests {
    @Test("kill -9 at random points of a mail batch: nothing lost, at most one message repeated per kill")
    func killNineDuringMail() async throws {
        // Only Message-IDs are compared: the server reads the headers alone.
        let server = try MailServer(headersOnly: true)
        defer { server.stop() }
        // Five kills in `make test`; `make bench` asks for more (DUTYD_FAULT_KILLS, and units to match).
        let times = ProcessInfo.processInfo.environment["DUTYD_FAULT_KILLS"].flatMap(Int.init) ?? 5
        let d = try Daemon(extraUnits: 80 * times, settings: server.emailSettings())
        let store = try d.store()
        let (kills, lastSent, marks, logs) = try await onThread {
            try Self.killAtRandom(d, times: times) { try server.messageCount() }
        }
        #expect(kills >= 3, "the batch ended before it could be killed often enough (\(kills) kills)")
        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let ledger = try store.ledger()
        // Nothing is left half-done: every email row ended sent, or failed for good (a unit without an address).
        let email = ledger.filter { $0.channel == "email" && $0.state != .collapsed }
        #expect(
            !email.isEmpty && email.allSatisfy { $0.state == .sent || $0.state == .failed },
            "\(Set(email.map(\.state)))"
        )
        #expect(email.filter { $0.state == .sent }.count >= lastSent)
        // Every message arrived; the repeats carry the same Message-ID.
        let mails = try server.messages()
        let byID = Self.byMessageID(mails)
        let duplicates = try Self.duplicates(server)
        // Each repeat belongs to the run in which its first copy arrived (the server numbers what it
        // receives): a killed run may leave one message whose acceptance it never recorded, a run that
        // ended by itself none. The repeat itself may come several runs later, when a run reaches it.
        var firstCopy: [String: Int] = [:]
        for (n, m) in mails.enumerated() where firstCopy[m.parsed.message_id ?? "?"] == nil {
            firstCopy[m.parsed.message_id ?? "?"] = n
        }
        var perRun = [Int](repeating: 0, count: marks.count)
        for (id, copies) in byID where copies > 1 {
            let run = marks.lastIndex { $0 <= firstCopy[id]! } ?? 0
            perRun[run] += copies - 1
        }
        for (run, n) in perRun.enumerated() where n > (run < kills ? 1 : 0) {
            Issue.record(
                "\(n) messages first sent by run \(run + 1) (\(run < kills ? "killed" : "not killed")) were sent again; its log:\n\(logs.indices.contains(run) ? String(logs[run].suffix(3000)) : "")"
            )
        }
        // One message per address with something due: the digests.
        let addresses = Set(mails.flatMap(\.rcpt_tos))
        #expect(addresses.count == byID.count, "\(addresses.count) addresses, \(byID.count) distinct messages")
        print(
            "bench delivery.kill9.duplicates_max \(perRun.max() ?? 0) per kill (\(duplicates) repeated over \(kills) kills, \(byID.count) messages)"
        )
    }

    static func byMessageID(_ mails: [ReceivedMail]) -> [String: Int] {
        var byID: [String: Int] = [:]
        for m in mails { byID[m.parsed.message_id ?? "?", default: 0] += 1 }
        return byID
    }

    /// Messages the server received more than once (by Message-ID), counted once per extra copy.
    static func duplicates(_ server: MailServer) throws -> Int {
        byMessageID(try server.messages()).values.reduce(0) { $0 + $1 - 1 }
    }

    /// Starts `dutyd --once` `times` times and kills it with SIGKILL after a random number (1–40) of
    /// further mails went out each time. Gives how many kills there were (the batch may end first), how
    /// many mails were ledgered sent after the last, `count()` before each run and once more at the end,
    /// and each run's log.
    static func killAtRandom(
        _ d: Daemon,
        times: Int,
        count: () throws -> Int
    ) throws -> (kills: Int, sent: Int, before: [Int], logs: [String]) {
        var before: [Int] = []
        var logs: [String] = []
        let store = try d.store()
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var lastSent = 0
        for _ in 0..<times {
            before.append(try count())
            let p = try Daemon.launch(
                d,
                Products.program("dutyd").path,
                ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config]
            )
            defer { logs.append((try? String(contentsOf: d.log, encoding: .utf8)) ?? "") }
            let target = lastSent + Int.random(in: 1...40, using: &generator)
            while p.isRunning, ((try? store.ledgerCounts()[.sent] ?? 0) ?? 0) < target { usleep(5_000) }
            guard p.isRunning else {
                try p.waitForExit()
                break
            }
            kill(p.processIdentifier, SIGKILL)
            try p.waitForExit()
            kills += 1
            lastSent = (try store.ledgerCounts()[.sent]) ?? 0
        }
        before.append(try count())
        return (kills, lastSent, before, logs)
    }

    @Test("journald absent: the journal channel fails and retries instead of recording entries that went nowhere")
    func journaldAbsent() throws {
        try #require(getuid() == 0, "a mount namespace needs root (make test runs as root, as CI does)")
        let d = try Daemon()
        // dutyd in a mount namespace of its own where /run/systemd/journal is an empty folder.
        let dutyd = Products.program("dutyd").path
        let r = try JournalReader.shell(
            "/usr/bin/unshare",
            [
                "-m", "/bin/sh", "-c",
                "mount -t tmpfs none /run/systemd/journal && exec \"$0\" --once --now 2026-12-21T09:00:00+08:00 --log journal --config \"$1\"",
                dutyd, d.config,
            ]
        )
        #expect(r.status == 0, "\(r.err)")
        let journal = try d.store().ledger().filter { $0.channel == "journal" && $0.state != .collapsed }
        #expect(!journal.isEmpty)
        #expect(journal.allSatisfy { $0.state == .retry }, "\(Set(journal.map(\.state)))")
        #expect(journal.first?.error?.contains("systemd-journald") == true)
        // Its own messages went to standard error instead of nowhere.
        #expect(r.err.contains("performed what was due"), "\(r.err.suffix(500))")
        // With journald back, the retries go out.
        let again = try Daemon.run(
            "dutyd",
            ["--once", "--now", "2026-12-21T12:00:00+08:00", "--config", d.config]
        )
        #expect(again.status == 0)
        let retried = try d.store().ledger().filter { $0.channel == "journal" && $0.state != .collapsed }
        #expect(
            retried.count == journal.count && retried.allSatisfy { $0.state == .sent },
            "\(Set(retried.map(\.state)))"
        )
    }

    @Test("dutyd --once beside a running dutyd on the same state refuses, naming it")
    func onceBesideTheService() throws {
        let d = try Daemon()
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let r = try Daemon.run("dutyd", ["--once", "--config", d.config])
        #expect(r.status == 1)
        #expect(r.err.contains("pid \(p.processIdentifier)") && r.err.contains("sends what is due itself"), "\(r.err)")
        #expect(APITests.stop(p) == 0)
        #expect(try Daemon.run("dutyd", ["--once", "--config", d.config]).status == 0)
    }

    @Test("a reload that moves a step before the last run still sends it, unless a later step went out")
    func reloadMovesAStepEarlier() async throws {
        let d = try Daemon()
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-17T10:00:00+08:00"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let store = try d.store()
        func rows(_ step: String) throws -> [LedgerEntry] { try store.ledger().filter { $0.step == step } }
        // The start performs what was due: the 7-day reminders of the deadlines on the 21st.
        try await waitUntil("the first perform") { try !rows("reminder-7d").isEmpty && store.watermark() != nil }
        #expect(try rows("reminder-5d").isEmpty)
        // Reminders 5 days before as well: for the 21st that is the 16th, before the last run.
        let file = d.folder.appendingPathComponent("policy/ideology-responsibility.toml").path
        let policy = try String(contentsOfFile: file, encoding: .utf8)
        try policy.replacingOccurrences(
            of: #"remind = ["30d", "7d", "1d"]"#,
            with: #"remind = ["30d", "7d", "5d", "1d"]"#
        )
        .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Daemon.run("dutyctl", ["reload", "--socket", d.socket])
        #expect(r.status == 0, "\(r.err)")
        try await waitUntil("the moved reminders") { try !rows("reminder-5d").isEmpty }
        let moved = try rows("reminder-5d")
        let ledger = try store.ledger()
        for row in moved {
            #expect(row.state == .sent, "\(row)")
            // Only where no later step of the occurrence had gone out.
            let later = ledger.filter {
                $0.occurrence == row.occurrence && ["reminder-1d", "due"].contains($0.step)
            }
            #expect(later.isEmpty, "\(row.occurrence): \(later.map(\.step))")
        }
        // Every deadline on the 21st with a 7-day reminder got the 5-day one, once.
        let expected = Set(
            try rows("reminder-7d").filter { $0.occurrence.hasSuffix("2026-H2") && $0.state == .sent }.map(\.occurrence)
        )
        #expect(!expected.isEmpty)
        #expect(expected.isSubset(of: Set(moved.map(\.occurrence))), "\(expected.subtracting(moved.map(\.occurrence)))")
        #expect(moved.count == Set(moved.map(\.key)).count)
        #expect(APITests.stop(p) == 0)
    }

    @Test("a done is on disk before dutyctl hears it was recorded; a question syncs nothing")
    func doneIsSyncedBeforeItIsAcknowledged() async throws {
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        // dutyd under strace, every fdatasync and fsync it makes listed in a file as it happens.
        let trace = d.folder.appendingPathComponent("syncs.txt").path
        let tracer = try Daemon.launch(
            d,
            "/usr/bin/strace",
            [
                "-f", "-qq", "-e", "trace=fdatasync,fsync", "-o", trace,
                Products.program("dutyd").path, "--config", d.config, "--log", "stderr",
                // Far from any step, so no delivery writes while the test counts.
                "--start-at", "2026-08-10T10:00:00+08:00",
            ]
        )
        defer {
            // strace ends with the traced dutyd; SIGTERM to the traced process, found as its child.
            if let child = try? String(
                contentsOfFile: "/proc/\(tracer.processIdentifier)/task/\(tracer.processIdentifier)/children",
                encoding: .utf8
            ).split(separator: " ").first.flatMap({ Int32($0) }) {
                kill(child, SIGTERM)
            }
            do { try tracer.waitForExit(seconds: 60) } catch { Issue.record("strace: \(error)") }
        }
        try await waitUntil("dutyd to answer") {
            FileManager.default.fileExists(atPath: d.socket)
                && (try? RawClient(socket: d.socket).raw("GET", "/v1/status").status) == 200
        }
        func syncs() throws -> Int {
            try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains("sync(") }
                .count
        }
        // A question: no write, no sync.
        let idle = try syncs()
        let question = try Daemon.run("dutyctl", ["upcoming", "--within", "30d", "--socket", d.socket])
        #expect(question.status == 0, "\(question.err)")
        #expect(try syncs() == idle)
        // A done: synced by the time dutyctl prints that it was recorded.
        let done = try Daemon.run(
            "dutyctl",
            ["done", "unit-situation-report/gd.skl/2026-H2", "--on", "2026-08-01", "--socket", d.socket]
        )
        #expect(done.status == 0, "\(done.err)")
        #expect(try syncs() > idle, "no fdatasync between the commit of the done and its answer")
    }

    /// dutyd started at 09:00:05 on 21 December with 20 units more than the example (a batch of
    /// mail) behind `server` made to answer each command 2 s late (a mail takes about 6 s, inside the
    /// 5 s reply timeout); returned once it said READY=1.
    static func batchBehindTarpit(
        _ server: MailServer,
        environment: [String: String] = [:]
    ) throws -> (Daemon, NotifyListener, Process) {
        try server.tarpit(seconds: 2)
        let d = try Daemon(extraUnits: 20, settings: server.emailSettings(timeout: "5s"))
        let listener = try NotifyListener()
        let p = try Daemon.launch(
            d,
            Products.program("dutyd").path,
            ["--config", d.config, "--log", "stderr", "--start-at", "2026-12-21T09:00:05+08:00"],
            environment: environment.merging(["NOTIFY_SOCKET": listener.path]) { a, _ in a }
        )
        guard listener.wait(for: "READY=1").found != nil else {
            kill(p.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: d.folder)
            throw ToolError("dutyd did not say READY=1 behind the tarpit")
        }
        return (d, listener, p)
    }

    @Test(
        "a tarpitting relay under a 10 s watchdog: dutyd is fed all through the batch, and SIGTERM ends it in seconds"
    )
    func tarpitUnderTheWatchdog() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let (d, listener, p) = try Self.batchBehindTarpit(server, environment: ["WATCHDOG_USEC": "10000000"])
        defer { try? FileManager.default.removeItem(at: d.folder) }
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // 24 s of the batch: systemd would kill dutyd if 10 s passed without WATCHDOG=1. Watched from
        // a thread of its own every 50 ms (the test runner's threads may be busy with other tests for
        // seconds); a ping that shows up was sent after the previous look, which is when it counts.
        nonisolated(unsafe) let pings = listener
        let (longest, feeds, starved) = try await onThread { () -> (Double, Int, Bool) in
            var last = Date()
            var looked = Date()
            var longest = 0.0
            var feeds = 0
            let end = Date().addingTimeInterval(24)
            while Date() < end {
                let now = Date()
                for line in pings.drain() where line.contains("WATCHDOG=1") {
                    longest = max(longest, looked.timeIntervalSince(last))
                    last = looked
                    feeds += 1
                }
                looked = now
                if now.timeIntervalSince(last) > 10.5 { return (longest, feeds, true) }
                usleep(50_000)
            }
            return (longest, feeds, false)
        }
        #expect(!starved, "no WATCHDOG=1 for 10.5 s: systemd would have killed dutyd in the middle of the batch")
        #expect(longest < 10, "\(longest) s between two WATCHDOG=1")
        #expect(feeds >= 4)
        let store = try d.store()
        let sentBefore = (try store.ledgerCounts()[.sent]) ?? 0
        #expect(try server.messageCount() >= 2, "the tarpit let some mail through")
        #expect(try store.ledgerCounts()[.sending] ?? 0 > 0, "the batch is still going")
        // SIGTERM in the middle of an SMTP transaction: out within a few seconds, exit 0.
        let asked = Date()
        kill(p.processIdentifier, SIGTERM)
        try p.waitForExit()
        let took = Date().timeIntervalSince(asked)
        #expect(took < 5, "SIGTERM took \(took) s")
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        // Everything the server accepted is ledgered sent, but at most the one cut off.
        let sent = (try store.ledgerCounts()[.sent]) ?? 0
        #expect(sent >= sentBefore)
        let accepted = try server.messageCount()
        // One digest per recipient: the recipients ledgered sent are the mails accepted.
        let sentMail = Set(try store.ledger().filter { $0.channel == "email" && $0.state == .sent }.map(\.recipient))
            .count
        #expect(
            accepted - sentMail <= 1 && accepted >= sentMail,
            "\(accepted) accepted, \(sentMail) recipients ledgered sent"
        )
    }

    @Test(
        "SIGTERM as dutyd says READY=1, before its first batch: it stops in seconds, and the batch waits for the next start"
    )
    func stopAtReady() async throws {
        let server = try MailServer()
        defer { server.stop() }
        // Each answer 2 s late: the whole batch would take minutes.
        let (d, _, p) = try Self.batchBehindTarpit(server)
        defer { try? FileManager.default.removeItem(at: d.folder) }
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let asked = Date()
        kill(p.processIdentifier, SIGTERM)
        try p.waitForExit()
        let took = Date().timeIntervalSince(asked)
        #expect(took < 8, "SIGTERM took \(took) s")
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        // Most of the batch is left for the next start, ledgered or not.
        let sent = try d.store().ledger().filter { $0.channel == "email" && $0.state == .sent }.count
        #expect(sent <= 3, "\(sent) deliveries went out after SIGTERM")
    }

    @Test("too few descriptors (prlimit 16): dutyd refuses to start with exit 78 and what to raise, no trap")
    func tooFewDescriptors() throws {
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        // With 16 a --once run got through the batch and then trapped in the Swift runtime's event
        // loop, which could not get its epoll descriptor.
        for mode in [["--once", "--now", "2026-12-21T09:00:00+08:00"], []] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            p.arguments =
                ["--nofile=16:16", Products.program("dutyd").path, "--config", d.config] + mode
            let r = try Daemon.finish(p)
            #expect(r.status == 78, "\(mode): \(r.status) \(r.err)")
            #expect(r.err.contains("LimitNOFILE"), "\(r.err)")
        }
        #expect(try d.store().ledger().isEmpty)
    }
}
