import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The state store when the machine misbehaves under it: the disk fills up, another program holds its
/// lock, the database server stalls. Each test causes the fault against a running dutyd, checks what the user is told, that
/// nothing was half written and that dutyd carries on once the fault is gone.
@Suite("storage faults: a full disk, a lock held by another program, a stalled database", .serialized, .ownThreads)
struct StorageFaultTests {
    static let occurrence = "unit-situation-report/gd.skl/2026-H2"

    // First: most of its 35 s are waits (the lock, the retries), which then overlap the busy start of
    // the run instead of lengthening its end (the suite's tests run one after the other, in this order).
    @Test(
        "another program holds the store's lock: a done says so after 5 s, questions work, dutyd sends once it lets go"
    )
    func externalLock() async throws {
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        let lock = try SQLiteLock(d.state)
        defer { lock.release() }

        let started = Date()
        let refused = try Daemon.run("dutyctl", ["done", Self.occurrence, "--on", "2026-08-01", "--config", d.config])
        #expect(refused.status != 0)
        #expect(refused.err.contains("another program has held the state store's lock"), "\(refused.err)")
        #expect(Date().timeIntervalSince(started) < 15)
        let question = try Daemon.run("dutyctl", ["upcoming", "--within", "30d", "--config", d.config])
        #expect(question.status == 0, "\(question.err)")

        // The service starts under the lock, answers, and cannot write the ledger yet.
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-21T09:00:05+08:00"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let store = try d.store()
        #expect(try store.ledger().isEmpty)
        let log = d.log.path
        try await waitUntil("dutyd to say it would try again") {
            (try? String(contentsOfFile: log, encoding: .utf8))?.contains("trying again in 10 s") == true
        }
        #expect(try RawClient(socket: d.socket).raw("GET", "/v1/status").status == 200)
        // Held over one more retry, which fails the same way and is not logged again: 10 s after the
        // first failure it waits its 5 s for the lock, then gives up (the metrics count the failures
        // in a row).
        try await waitUntil("a second perform to fail", seconds: 60, poll: 0.2) {
            (MetricsTests.scrape(d, "dutyd_perform_failures") ?? 0) >= 2
        }
        // Let go: within the retry the due steps go out.
        lock.release()
        try await waitUntil("the due steps to go out once the lock was released") {
            (try store.ledgerCounts()[.sent] ?? 0) > 0
        }
        // Said once per reason, and once when it works again, with how many attempts failed (the
        // proof that the retry in between happened).
        var recovered = ""
        try await waitUntil("dutyd to say it performs again") {
            recovered =
                (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n")
                .first { $0.contains("performing again after") }.map(String.init) ?? ""
            return !recovered.isEmpty
        }
        let attempts = recovered.split(separator: " ").compactMap { Int($0) }.first ?? 0
        #expect(attempts >= 2, "\(recovered)")
        let said =
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: "trying again in 10 s")
            .count - 1
        #expect(said == 1, "the same failure was logged \(said) times")
        #expect(APITests.stop(p) == 0)
    }

    @Test("a full disk: a done is refused with what to do, nothing half written, dutyd goes on; freed, it is taken")
    func fullDisk() async throws {
        try #require(getuid() == 0, "a mount namespace needs root (make test runs as root, as CI does)")
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        let small = d.folder.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let settings = try String(contentsOfFile: d.config, encoding: .utf8)
            .replacingOccurrences(of: #"state = "dutyd.sqlite""#, with: #"state = "small/dutyd.sqlite""#)
        let config = d.folder.appendingPathComponent("small.toml").path
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        // dutyd in a mount namespace of its own where small/ is a 16 MiB tmpfs holding the store.
        let p = try Daemon.launch(
            d,
            "/usr/bin/unshare",
            [
                "-m", "/bin/sh", "-c",
                "mount -t tmpfs -o size=16m none \"$1\" && cp \"$2\" \"$1/\" && exec \"$0\" --config \"$3\" --log stderr --start-at 2026-08-10T10:00:00+08:00",
                Products.program("dutyd").path, small, d.state, config,
            ]
        )
        let log = d.log
        defer {
            kill(p.processIdentifier, SIGKILL)
            try? p.waitForExit(seconds: 30)
        }
        do {
            try await waitUntil("dutyd on its tmpfs to answer") {
                (try? RawClient(socket: d.socket).raw("GET", "/v1/status").status) == 200
            }
        } catch {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            Issue.record("dutyd did not answer: \(text.suffix(2000))")
            throw error
        }
        // Inside dutyd's namespace:
        let enter = ["-t", String(p.processIdentifier), "-m", "--"]
        // The WAL emptied first: SQLite writes a checkpointed WAL again from its start, so a write that
        // fits in the WAL's length takes no new block and goes through on a full disk (1 run in many,
        // when dutyd's own writes had grown and checkpointed the WAL before the test's done).
        try await waitUntil("the store's WAL to be emptied", seconds: 60, poll: 0.1) {
            let emptied = try JournalReader.shell(
                "/usr/bin/nsenter",
                enter + [
                    "/usr/bin/python3", "-c",
                    "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone())",
                    "\(small)/dutyd.sqlite",
                ]
            )
            return emptied.status == 0 && emptied.out.hasPrefix("(0, 0, 0)")
        }
        // Then the tmpfs filled.
        _ = try runQuietly("/usr/bin/nsenter", enter + ["dd", "if=/dev/zero", "of=\(small)/filler", "bs=64k"])
        let refused = try Daemon.run("dutyctl", ["done", Self.occurrence, "--on", "2026-08-01", "--socket", d.socket])
        #expect(refused.status != 0)
        #expect(refused.err.contains("is full") && refused.err.contains("Free space"), "\(refused.err)")
        // dutyd is still there, and still answers questions.
        #expect(try RawClient(socket: d.socket).raw("GET", "/v1/status").status == 200)
        let question = try Daemon.run("dutyctl", ["upcoming", "--within", "30d", "--socket", d.socket])
        #expect(question.status == 0, "\(question.err)")
        // Freed: the same done is taken, once.
        #expect(try runQuietly("/usr/bin/nsenter", enter + ["rm", "\(small)/filler"]) == 0)
        let taken = try Daemon.run("dutyctl", ["done", Self.occurrence, "--on", "2026-08-01", "--socket", d.socket])
        #expect(taken.status == 0, "\(taken.err)")
        let undo = try Daemon.run("dutyctl", ["undo", Self.occurrence, "--socket", d.socket])
        #expect(undo.status == 0, "\(undo.err)")
        let again = try Daemon.run("dutyctl", ["undo", Self.occurrence, "--socket", d.socket])
        #expect(again.status != 0, "the refused done left a record behind: \(again.out)")
        kill(p.processIdentifier, SIGTERM)
        try p.waitForExit()
        #expect(p.terminationStatus == 0)
    }

    @Test(
        "PostgreSQL answers a ledger write slowly while a batch is due: the perform waits, the API answers meanwhile, the batch goes out once the database does"
    )
    func slowLedgerWrite() async throws {
        let pg = try PostgresServer.shared()
        let d = try Daemon(database: try pg.newDatabase())
        defer { try? FileManager.default.removeItem(at: d.folder) }
        let database = PostgresServer.database(of: d.state)
        // A server whose disk stalls, made by hand: every write to the ledger (table `notification`)
        // waits while `stall` has a row. A lock held by another session would not do: dutyd gives up
        // a lock after 5 s; a slow statement it waits for up to its statement bound (120 s).
        try pg.sql(
            """
            CREATE TABLE stall (x int);
            INSERT INTO stall VALUES (1);
            CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              WHILE EXISTS (SELECT 1 FROM stall) LOOP PERFORM pg_sleep(0.05); END LOOP;
              RETURN NULL;
            END $$;
            CREATE TRIGGER stall BEFORE INSERT OR UPDATE ON notification FOR EACH STATEMENT EXECUTE FUNCTION stall();
            """,
            database: database
        )
        // The year's backlog is due at once: the perform's first ledger write stalls.
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-21T09:00:00+08:00"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // A failed test leaves no statement stalled behind it.
        defer { _ = try? pg.sql("DELETE FROM stall", database: database) }
        let stalled =
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND wait_event = 'PgSleep'"
        try await waitUntil("dutyd's perform to wait for its ledger write", seconds: 60, poll: 0.1) {
            try pg.sql(stalled, database: "postgres").trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        // Meanwhile every connection is answered, whichever event loop takes it: the perform waits on
        // the scheduler's own threads (it held one of the two loops, and so about half the requests,
        // for the whole statement bound before). 20 s is far more than an answer takes and far less
        // than the bound.
        for _ in 0..<8 {
            #expect(try RawClient(socket: d.socket).raw("GET", "/v1/status", seconds: 20).status == 200)
            #expect(try RawClient(socket: d.socket).raw("GET", "/v1/occurrences/overdue", seconds: 20).status == 200)
        }
        // ... while the perform still waited.
        #expect(try pg.sql(stalled, database: "postgres").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        // The database recovers: the waiting write goes through and the batch goes out.
        try pg.sql("DELETE FROM stall", database: database)
        let store = try d.store()
        try await waitUntil("the due steps to go out once the database answered", seconds: 60) {
            (try store.ledgerCounts()[.sent] ?? 0) > 0
        }
        #expect(APITests.stop(p) == 0)
    }
}

/// SIGHUP (here `dutyctl reload`, which waits for the answer) with each file broken in turn.
@Suite("reload with each file broken", .ownThreads)
struct BrokenReloadTests {
    @Test("each broken file: the reload is refused naming the file, line and column; the old configuration stays")
    func eachBrokenFile() throws {
        let d = try Daemon()
        defer { try? FileManager.default.removeItem(at: d.folder) }
        // Its own copy of the holidays, to break.
        let holidays = d.folder.appendingPathComponent("holidays")
        try FileManager.default.copyItem(at: Daemon.repo.appendingPathComponent("config/holidays/cn"), to: holidays)
        let settingsText = try String(contentsOfFile: d.config, encoding: .utf8)
            .replacingOccurrences(
                of: Daemon.repo.appendingPathComponent("config/holidays/cn").path,
                with: holidays.path
            )
        try settingsText.write(toFile: d.config, atomically: true, encoding: .utf8)
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let policy = d.folder.appendingPathComponent("policy/ideology-responsibility.toml").path
        let policyText = try String(contentsOfFile: policy, encoding: .utf8)
        let holiday = holidays.appendingPathComponent("2026.json").path
        let holidayText = try String(contentsOfFile: holiday, encoding: .utf8)
        let cases: [(name: String, file: String, text: String, expected: String)] = [
            ("settings: bad TOML", d.config, settingsText + "\ntimezone = = 1\n", "dutyd.toml:"),
            (
                "settings: a timeout past its maximum", d.config,
                settingsText
                    + "\n[email]\ntransport = \"sendmail\"\nfrom = \"a@example.org\"\ntimeout = \"99999999999s\"\n",
                "dutyd.toml:"
            ),
            (
                "settings: nesting past 32", d.config,
                settingsText + "\nx = " + String(repeating: "[", count: 5000) + "\n", "dutyd.toml:"
            ),
            (
                "policy: INTERVAL past Int", policy,
                policyText
                    + "\n[obligation.x]\ntitle = \"x\"\napplies_to = { kinds = [\"unit\"] }\nrrule = \"FREQ=HOURLY;INTERVAL=9223372036854775807\"\n",
                "ideology-responsibility.toml:"
            ),
            (
                "policy: an unknown step", policy,
                policyText
                    + "\n[obligation.y]\ntitle = \"y\"\napplies_to = { kinds = [\"unit\"] }\nremind = [\"soon\"]\n",
                "ideology-responsibility.toml:"
            ),
            (
                "holidays: a lone surrogate and a cut-off file", holiday, String(holidayText.prefix(200)) + "\\uD800",
                "2026.json:"
            ),
        ]
        for c in cases {
            try c.text.write(toFile: c.file, atomically: true, encoding: .utf8)
            let r = try Daemon.run("dutyctl", ["reload", "--socket", d.socket])
            #expect(r.status != 0, "\(c.name): the reload was taken")
            #expect(r.err.contains(c.expected), "\(c.name): \(r.err)")
            // The line:column after the file name.
            #expect(
                r.err.range(of: #"\.(toml|json):\d+:\d+"#, options: .regularExpression) != nil,
                "\(c.name): \(r.err)"
            )
            #expect(p.isRunning, "\(c.name): dutyd died")
            #expect(try RawClient(socket: d.socket).raw("GET", "/v1/status").status == 200, "\(c.name)")
            // Put right: the next reload takes.
            let original = c.file == d.config ? settingsText : c.file == policy ? policyText : holidayText
            try original.write(toFile: c.file, atomically: true, encoding: .utf8)
            let fixed = try Daemon.run("dutyctl", ["reload", "--socket", d.socket])
            #expect(fixed.status == 0, "\(c.name), put right: \(fixed.err)")
        }
        #expect(APITests.stop(p) == 0)
    }
}
