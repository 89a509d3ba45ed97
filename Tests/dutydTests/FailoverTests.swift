import DutyAPI
import DutyCalendar
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// Several dutyd on one PostgreSQL database, as real processes with the real SMTP test server: one
/// sends, the others stand by; killing, pausing or cutting off the sender hands the batch to another
/// with nothing lost and at most one message repeated (with its first copy's Message-ID). The four
/// run side by side, each on a database of its own (the restart on a cluster of its own): one after
/// the other they were the longest chain of the suite.
@Suite("several dutyd on one PostgreSQL database", .ownThreads)
struct FailoverTests {
    /// The daemons start at 09:00 on 21 December 2026: the year's backlog and the 09:00 steps are one
    /// batch, one message per address.
    static let start = "2026-12-21T09:00:00+08:00"
    static let batch = Instant(iso: "2026-12-21T09:00:00+08:00", zone: .utc)!
    static let takeover = 5.0
    /// Units beside the example's for the kill -9 batch: 1,550 make over 10,000 notifications
    /// (`DUTYD_FAILOVER_UNITS` for another size).
    static let units = ProcessInfo.processInfo.environment["DUTYD_FAILOVER_UNITS"].flatMap(Int.init) ?? 1_550

    /// Two instances, `a` and `b`, on a new database holding the example organisation with `units`
    /// units more; each has its own folder, socket and log.
    static func pair(
        _ server: MailServer,
        units: Int,
        on pg: PostgresServer? = nil
    ) throws -> (Daemon, Daemon) {
        let database = try (pg ?? PostgresServer.shared()).newDatabase()
        func settings(_ name: String) -> String {
            "takeover = \"\(Int(takeover))s\"\ninstance = \"\(name)\"\n" + server.emailSettings()
        }
        let a = try Daemon(extraUnits: units, settings: settings("a"), database: database)
        let b = try Daemon(settings: settings("b"), database: database, importing: false)
        return (a, b)
    }

    /// The two instances running: `a` started first and sending, `b` standing by.
    struct Running {
        var a: Daemon
        var b: Daemon
        var pa: Process
        var pb: Process
        var store: DutyStore

        /// Kills whichever is still running (the tests' cleanup).
        func kill() {
            for p in [pa, pb] where p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
        }
    }

    /// Starts `a` at `at` and waits until it sends, then `b`; with `midBatch`, waits until `a` has
    /// sent part of the batch (some mail out, most not).
    static func start(
        _ server: MailServer,
        units: Int,
        on pg: PostgresServer? = nil,
        at: String = start,
        midBatch: Bool = true
    ) async throws -> Running {
        let (a, b) = try pair(server, units: units, on: pg)
        let store = try a.store()
        let pa = try APITests.serve(a, log: "stderr", ["--start-at", at])
        do {
            try await onThread { try waitFor("a to send") { Self.sending(a) } }
            let pb = try APITests.serve(b, log: "stderr", ["--start-at", at])
            let running = Running(a: a, b: b, pa: pa, pb: pb, store: store)
            guard midBatch else { return running }
            do {
                try await onThread {
                    try waitFor("a to send part of the batch") { (try store.ledgerCounts()[.sent] ?? 0) >= 100 }
                }
            } catch {
                running.kill()
                throw error
            }
            return running
        } catch {
            if pa.isRunning { kill(pa.processIdentifier, SIGKILL) }
            throw error
        }
    }

    /// Where a test's time goes, printed at its end: named moments, in seconds since it began.
    final class Phases: CustomStringConvertible {
        let begun = Date()
        var marks: [String] = []

        func mark(_ what: String) {
            marks.append("\(what) \(String(format: "%.0f", Date().timeIntervalSince(begun))) s")
        }

        var description: String { marks.joined(separator: ", ") }
    }

    static func status(_ d: Daemon, seconds: Int = 120) throws -> StatusView {
        let r = try RawClient(socket: d.socket).raw("GET", "/v1/status", seconds: seconds)
        guard r.status == 200 else { throw ToolError("status of \(d.folder.lastPathComponent): HTTP \(r.status)") }
        return try JSONDecoder().decode(StatusView.self, from: r.body)
    }

    /// Whether `d` answers that it is the sender.
    static func sending(_ d: Daemon) -> Bool { (try? status(d).sender?.sending) == true }

    /// Waits until the batch is performed (the watermark, which only the sender writes, is past it)
    /// and no row is left being sent.
    static func waitForTheBatch(_ store: DutyStore, logs: [Daemon]) throws {
        do {
            try waitFor("the 09:00 batch to be performed", seconds: 180) {
                guard let w = try store.watermark(), w.microseconds >= batch.microseconds else { return false }
                let counts = try store.ledgerCounts()
                return counts[.pending] == nil && counts[.sending] == nil && counts[.retry] == nil
            }
        } catch {
            let counts = (try? store.ledgerCounts()) ?? [:]
            let w = (try? store.watermark())?.map { $0.format(in: .utc) } ?? "none"
            var text = "ledger \(counts), watermark \(w)\n"
            for d in logs {
                text +=
                    "--- \(d.folder.lastPathComponent):\n"
                    + String(((try? String(contentsOf: d.log, encoding: .utf8)) ?? "").suffix(3000))
            }
            // Thrown, not recorded: this runs on a thread of its own, where an issue recorded names
            // no test.
            throw ToolError("\(error)\n\(text)")
        }
    }

    /// Every email row sent (or failed for good: a unit without an address); every message arrived
    /// once, or twice at most `repeats` times, the copy with the same Message-ID. Gives the repeats.
    @discardableResult
    static func checkDelivery(_ server: MailServer, _ store: DutyStore, repeats: Int) throws -> Int {
        // Asked of the database, not by reading the 10,000 rows back (that took half a minute of a
        // loaded debug build).
        var unfinished = DutyStore.LedgerQuery()
        unfinished.channel = "email"
        unfinished.states = LedgerEntry.State.allCases.filter { ![.sent, .failed, .collapsed].contains($0) }
        unfinished.limit = 20
        var sent = DutyStore.LedgerQuery()
        sent.channel = "email"
        sent.states = [.sent]
        sent.limit = 1
        let left = try store.ledger(matching: unfinished)
        #expect(try !store.ledger(matching: sent).isEmpty)
        #expect(left.isEmpty, "email rows neither sent nor failed: \(left.map { "\($0.key) \($0.state)" })")
        let mails = try server.messages()
        var byID: [String: Int] = [:]
        for m in mails { byID[m.parsed.message_id ?? "?", default: 0] += 1 }
        let repeated = byID.values.reduce(0) { $0 + $1 - 1 }
        #expect(byID.values.allSatisfy { $0 <= 2 })
        #expect(repeated <= repeats, "\(repeated) messages repeated")
        // One message per address with something due: none lost.
        let addresses = Set(mails.flatMap(\.rcpt_tos))
        var idsOf: [String: Set<String>] = [:]
        for m in mails { for a in m.rcpt_tos { idsOf[a, default: []].insert(m.parsed.message_id ?? "?") } }
        let split = idsOf.filter { $0.value.count > 1 }.keys.sorted()
        let shown = split.prefix(2).map { a in
            mails.filter { $0.rcpt_tos.contains(a) }.map {
                "\(a) \($0.parsed.message_id ?? "?") \($0.parsed.date ?? ""): \(($0.parsed.body ?? "").prefix(600))"
            }.joined(separator: "\n")
        }
        #expect(
            addresses.count == byID.count,
            "\(addresses.count) addresses, \(byID.count) distinct messages; \(split.count) addresses got more than one:\n\(shown.joined(separator: "\n"))"
        )
        return repeated
    }

    @Test(
        "kill -9 the sender mid-batch: the other takes over within the takeover interval; every message arrives, at most one twice"
    )
    func killTheSender() async throws {
        // Where the time goes, printed at the end: alone this test takes about 40 s, inside the full
        // suite 3 to 9 times that.
        let phases = Phases()
        let server = try MailServer(headersOnly: true)
        defer { server.stop() }
        let running = try await Self.start(server, units: Self.units, midBatch: false)
        phases.mark("both running")
        defer { running.kill() }
        let (a, b, pa, store) = (running.a, running.b, running.pa, running.store)
        let standing = try Self.status(b)
        #expect(
            standing.sender?.sending == false && standing.sender?.holder == "a",
            "\(String(describing: standing.sender))"
        )
        #expect(Set(standing.sender?.instances.map(\.name) ?? []) == ["a", "b"])
        // Mid-batch: some mail went out, most has not.
        try await onThread {
            try waitFor("a to send part of the batch") { (try store.ledgerCounts()[.sent] ?? 0) >= 100 }
        }
        phases.mark("mid-batch")
        let killed = Date().timeIntervalSince1970
        kill(pa.processIdentifier, SIGKILL)
        try pa.waitForExit()
        try await onThread { try waitFor("b to take over", seconds: 60, poll: 0.05) { Self.sending(b) } }
        // When b took the lease, by the database's clock (the same machine's): the lock went with a's
        // connection, so b holds it at its next try, within a third of the interval.
        let since = try PostgresServer.shared().sql(
            "SELECT since FROM dutyd_sender",
            database: PostgresServer.database(of: a.state)
        )
        let took = try #require(Double(since.trimmingCharacters(in: .whitespacesAndNewlines))) / 1e6 - killed
        #expect(took <= Self.takeover, "b took over \(took) s after the kill")
        phases.mark("taken over")
        try await onThread { try Self.waitForTheBatch(store, logs: [a, b]) }
        phases.mark("batch done")
        let repeated = try Self.checkDelivery(server, store, repeats: 1)
        phases.mark("mail checked")
        let after = try Self.status(b)
        #expect(after.sender?.holder == "b" && (after.sender?.term ?? 0) >= 2)
        let rows = try store.ledgerCounts().filter { $0.key != .collapsed }.values.reduce(0, +)
        #expect(Self.units < 1_550 || rows >= 10_000, "\(rows) notifications")
        let mails = try server.messageCount()
        print(
            "bench pg.failover.seconds \(String(format: "%.2f", took)) (kill -9; \(rows) notifications, \(mails) messages, \(repeated) repeated)"
        )
        print("bench pg.failover.duplicates_max \(repeated)")
        print("failover phases: \(phases)")
    }

    @Test(
        "SIGSTOP the sender longer than the takeover interval: the other takes over; after SIGCONT the old one sends nothing more"
    )
    func pauseTheSender() async throws {
        // Where the time goes, printed at the end (alone about 16 s).
        let phases = Phases()
        defer { print("pause phases: \(phases)") }
        let server = try MailServer(headersOnly: true)
        defer { server.stop() }
        let running = try await Self.start(server, units: 400)
        defer { running.kill() }
        phases.mark("mid-batch")
        let (a, b, pa, store) = (running.a, running.b, running.pa, running.store)
        kill(pa.processIdentifier, SIGSTOP)
        try await onThread { try waitFor("b to take over", seconds: 60, poll: 0.05) { Self.sending(b) } }
        phases.mark("taken over")
        kill(pa.processIdentifier, SIGCONT)
        try await onThread { try Self.waitForTheBatch(store, logs: [a, b]) }
        phases.mark("batch done")
        // The old sender is alive, knows it no longer sends, and said so once: at once, not after a
        // statement bound (its status waited two minutes on a connection b had ended while a was
        // stopped, before PostgresEngine.beginBound; later, in about one run in five, on an event loop
        // its scheduler held while waiting for such a connection, before the scheduler ran on threads
        // of its own). Each status call is bounded too, so that the wait is at most 80 s in all.
        try await onThread {
            var last = "no answer yet"
            do {
                try waitFor("a to stand by", seconds: 60) {
                    do {
                        let sender = try Self.status(a, seconds: 20).sender
                        last = "\(String(describing: sender))"
                        return sender?.sending == false
                    } catch {
                        last = "\(error)"
                        return false
                    }
                }
            } catch {
                // What a last answered, and its log: thrown, as this runs on a thread of its own.
                let log = (try? String(contentsOf: a.log, encoding: .utf8)) ?? ""
                throw ToolError("\(error); a's last status: \(last)\n\(log.suffix(3000))")
            }
        }
        phases.mark("a stands by")
        let log = try String(contentsOf: a.log, encoding: .utf8)
        #expect(
            log.contains("a stopped renewing") || log.contains("another dutyd took over")
                || log.contains("lost its connection"),
            "\(log.suffix(2000))"
        )
        try Self.checkDelivery(server, store, repeats: 1)
        #expect(pa.isRunning)
    }

    @Test(
        "the sender's database connection ended by pg_terminate_backend: it steps down, and one instance sends again with a newer term"
    )
    func terminateTheSendersConnection() async throws {
        let server = try MailServer(headersOnly: true)
        defer { server.stop() }
        let running = try await Self.start(server, units: 0, at: "2026-12-10T10:00:00+08:00", midBatch: false)
        defer { running.kill() }
        let (a, b) = (running.a, running.b)
        let before = try #require(try Self.status(a).sender?.term)
        let pg = try PostgresServer.shared()
        let database = PostgresServer.database(of: a.state)
        try pg.sql("SELECT pg_terminate_backend(backend) FROM dutyd_sender", database: database)
        try await onThread {
            try waitFor("a sender with a newer term") {
                guard let s = try? Self.status(b).sender else { return false }
                return s.term > before && s.holder != nil
            }
        }
        // a says so when its lease's thread next finds the connection gone, which may be after b
        // took over (a loaded machine: the log was read too early once).
        try await onThread {
            try waitFor("a to say it lost its connection", seconds: 60, poll: 0.1) {
                (try String(contentsOf: a.log, encoding: .utf8)).contains("a lost its connection to PostgreSQL")
            }
        }
        // Exactly one of the two sends.
        try await onThread {
            try waitFor("exactly one sender") { [Self.sending(a), Self.sending(b)].filter { $0 }.count == 1 }
        }
    }

    @Test(
        "PostgreSQL restarted mid-batch: both reconnect, the batch ends with nothing lost, each said once what happened"
    )
    func restartPostgreSQL() async throws {
        let server = try MailServer(headersOnly: true)
        defer { server.stop() }
        let pg = try PostgresServer.own("restart")
        let running = try await Self.start(server, units: 400, on: pg)
        defer { running.kill() }
        let (a, b, store) = (running.a, running.b, running.store)
        let stopped = Date()
        try pg.stop()
        // The sender finds out (its lease's connection is gone) and stops sending.
        try await onThread {
            try waitFor("a to say it lost its connection") {
                (try String(contentsOf: a.log, encoding: .utf8)).contains("lost its connection to PostgreSQL")
            }
        }
        try pg.start()
        try await onThread { try Self.waitForTheBatch(store, logs: [a, b]) }
        // A perform that cannot reach the database says so and tries again every 10 s until it can
        // (its stop, start and the reconnection take 10–40 s under the full suite's load), besides the
        // perform the lost connection starts: never once per row.
        let plans = Int(Date().timeIntervalSince(stopped) / 10) + 3
        try Self.checkDelivery(server, store, repeats: 1)
        // Both answer again, one sends.
        try await onThread {
            try waitFor("exactly one sender") { [Self.sending(a), Self.sending(b)].filter { $0 }.count == 1 }
        }
        // The journal said it once per instance, not once per row.
        for d in [a, b] {
            let log = try String(contentsOf: d.log, encoding: .utf8)
            let lines = log.split(separator: "\n")
            #expect(
                lines.filter { $0.contains("lost its connection to PostgreSQL") }.count <= 2,
                "\(log.suffix(3000))"
            )
            // Each failure is said once per reason (a restart gives several: the connection lost, the
            // server shutting down, the socket gone, the server starting), never the same twice in a
            // row; the lease's changes wake the loop besides its 10 s retries.
            let failures = lines.filter { $0.contains("cannot perform the plan") }
            #expect(failures.count <= plans + 3, "\(log.suffix(3000))")
            #expect(!zip(failures, failures.dropFirst()).contains { $0 == $1 }, "\(failures)")
            #expect(lines.filter { $0.contains("could not record") }.count <= 1, "\(log.suffix(3000))")
        }
    }
}
