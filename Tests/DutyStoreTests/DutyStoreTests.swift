import DutyCalendar
import DutyCore
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Synchronization
import Testing

/// The engines every store test runs on: the same operations must keep the same rules on both.
enum Engine: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// A new empty store (a SQLite file in a fresh folder, or a new PostgreSQL database), and the
    /// `state` that names it.
    func store() throws -> (DutyStore, String) {
        switch self {
        case .sqlite:
            let dir = scratchDirectory.appendingPathComponent("dutyd-store-\(UUID().uuidString)")
            let path = dir.appendingPathComponent("state/dutyd.sqlite").path
            return (try DutyStore.open(path), path)
        case .postgresql:
            let state = try PostgresServer.shared().newDatabase()
            return (try DutyStore.open(state), state)
        }
    }

    enum Edit {
        case sql(String)
        case rehash(Int)
    }

    /// Changes rows behind the store's back, as someone editing them by hand would: with Python's
    /// sqlite3, or psql. `.rehash(seq)` writes an audit row's hash anew, as a forger would.
    func edit(_ state: String, _ steps: [Edit]) throws {
        switch self {
        case .sqlite:
            var script = """
                import sqlite3, sys, hashlib
                c = sqlite3.connect(sys.argv[1])
                def rehash(seq):
                    r = c.execute('SELECT seq, at, who, how, action, occurrence, unit, detail, previous FROM audit WHERE seq = ?', (seq,)).fetchone()
                    text = r[8] + '\\n' + ''.join('%d:%s\\n' % (len(str(f if f is not None else '').encode()), f if f is not None else '') for f in r[:8])
                    c.execute('UPDATE audit SET hash = ? WHERE seq = ?', (hashlib.sha256(text.encode()).hexdigest(), seq))

                """
            var statements: [String] = []
            for step in steps {
                switch step {
                case .sql(let sql):
                    script += "c.execute(sys.argv[\(2 + statements.count)])\n"
                    statements.append(sql)
                case .rehash(let seq): script += "rehash(\(seq))\n"
                }
            }
            script += "c.commit()\n"
            let r = try runTool("/usr/bin/python3", ["-c", script, state] + statements)
            #expect(r.status == 0, "python3: \(r.err)")
        case .postgresql:
            var sql = ""
            for step in steps {
                switch step {
                case .sql(let s): sql += s + ";\n"
                case .rehash(let seq):
                    let fields = [
                        "seq::text", "at::text", "who", "how", "action", "coalesce(occurrence, '')",
                        "coalesce(unit, '')", "detail",
                    ].map { "octet_length(\($0)), ':', \($0), E'\\n'" }
                    sql +=
                        "UPDATE audit SET hash = encode(sha256(convert_to(previous || E'\\n' || concat("
                        + fields.joined(separator: ", ") + "), 'UTF8')), 'hex') WHERE seq = \(seq);\n"
                }
            }
            try PostgresServer.shared().sql(sql, database: PostgresServer.database(of: state))
        }
    }
}

@Suite("State store (SQLite and PostgreSQL)", .ownThreads)
struct DutyStoreTests {
    static let today = CivilDate(iso: "2026-11-29")!

    static func unit(_ id: String, _ kind: String = "committee", parent: String? = nil) -> OrgUnit {
        OrgUnit(id: id, name: "单位 \(id)", kind: kind, parent: parent, addedOn: today)
    }

    /// A store in a fresh temporary folder (a real file, WAL and all).
    static func fileStore() throws -> (DutyStore, String) { try Engine.sqlite.store() }

    @Test("opens a file store in WAL mode, creating its folder, and migrates it once")
    func walAndMigrations() throws {
        let (store, path) = try Self.fileStore()
        try store.addUnit(Self.unit("gd"))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        // Opening again runs no migration twice and keeps the data
        let again = try DutyStore(path: path)
        #expect(try again.units().map(\.id) == ["gd"])
    }

    @Test(
        "a date changed by hand in the store is an error that names the row's place, never 1970-01-01",
        arguments: Engine.allCases
    )
    func damagedDates(_ engine: Engine) throws {
        let (store, path) = try engine.store()
        try store.addUnit(Self.unit("gd"))
        let id = OccurrenceID(obligation: "semiannual-report", subject: "gd", period: "2026-H2")
        try store.complete(
            Completion(occurrence: id, on: Self.today, recordedAt: Instant(seconds: 1_796_000_000), by: "t"),
            repeatable: false
        )
        try engine.edit(
            path,
            [.sql("UPDATE completion SET done_on = '2026-13-45'"), .sql("UPDATE unit SET added_on = 'yesterday'")]
        )
        for read in [{ _ = try store.records() }, { _ = try store.units() }, { _ = try store.unit("gd") }] {
            do {
                try read()
                Issue.record("a damaged row was read as if it were fine")
            } catch let e as StoreError {
                #expect(e.code == .damaged)
                #expect(e.message.contains("2026-13-45") || e.message.contains("yesterday"), "\(e)")
                #expect(e.message.contains("restore the store from a backup"))
            }
        }
        #expect(throws: StoreError.self) { try store.undo(id, at: Instant(seconds: 1_796_000_000), by: "t") }
        // A megabyte written by hand is named by its start, not printed whole.
        let megabyte = engine == .sqlite ? "printf('%.1000000c', '9')" : "repeat('9', 1000000)"
        try engine.edit(path, [.sql("UPDATE completion SET done_on = \(megabyte)")])
        let long = #expect(throws: StoreError.self) { try store.records() }
        #expect((long?.message.count ?? 0) < 400, "\(long?.message.count ?? 0) characters")
        #expect(long?.message.contains("completion.done_on") == true)
    }

    @Test(
        "a large import (copied in bulk, read back through a cursor on PostgreSQL) keeps every character, NULL and order; re-import updates and removes",
        arguments: Engine.allCases
    )
    func largeImport(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        let awkward = [
            "tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rhere", "'quoted' \"twice\"", "中共广东省委", "",
        ]
        var units = [Self.unit("root")]
        for i in 0..<12_000 {
            var u = Self.unit("u\(i)", parent: i < 10 ? "root" : "u\(i % 10)")
            u.name = awkward[i % awkward.count] + " \(i)"
            u.email = i % 3 == 0 ? nil : "u\(i)@example.org"
            units.append(u)
        }
        #expect(try store.importUnits(units, replace: false) == ImportCount(added: 12_001, updated: 0, removed: 0))
        let officials = (0..<8_000).map { i in
            Official(id: "p\(i)", name: awkward[(i + 1) % awkward.count], unit: "u\(i)", roles: ["clerk", "secretary"])
        }
        _ = try store.importOfficials(officials, replace: false)
        #expect(try store.units() == units)
        #expect(try store.officials() == officials)
        // Again with half of them, renamed: the rest go, with their officials; the order stays.
        let kept = units.prefix(6_001).map { u in
            var u = u
            u.name += " (new)"
            return u
        }
        #expect(
            try store.importUnits(Array(kept), replace: true) == ImportCount(added: 0, updated: 6_001, removed: 6_000)
        )
        #expect(try store.units() == kept)
        #expect(try store.officials() == Array(officials.prefix(6_000)))
    }

    @Test(
        "PostgreSQL ends the connection in the middle of a bulk copy (pg_terminate_backend, as a standby does to a paused sender's): the write fails with a message, nothing of it stays, the store goes on"
    )
    func connectionEndedMidCopy() throws {
        let pg = try PostgresServer.shared()
        let (store, state) = try Engine.postgresql.store()
        let database = PostgresServer.database(of: state)
        // Rows for several chunks of the copy (a megabyte each).
        let units = [Self.unit("root")] + (0..<60_000).map { Self.unit("u\($0)", parent: "root") }
        // The server ends the copy's connection as soon as the copy begins (asked from psql, the copy is
        // over before a second question comes), then says whom it ended.
        let watcher = Mutex<Result<String, any Error>?>(nil)
        Thread {
            let ended = Result {
                try pg.sql(
                    """
                    SET statement_timeout = '120s';
                    CREATE TEMP TABLE ended (pid int);
                    DO $$ DECLARE p int; BEGIN
                      LOOP
                        PERFORM pg_stat_clear_snapshot();
                        SELECT pid INTO p FROM pg_stat_activity
                          WHERE datname = '\(database)' AND query LIKE 'COPY %' AND state = 'active';
                        EXIT WHEN p IS NOT NULL;
                        PERFORM pg_sleep(0.001);
                      END LOOP;
                      PERFORM pg_terminate_backend(p);
                      INSERT INTO ended VALUES (p);
                    END $$;
                    SELECT pid FROM ended;
                    """,
                    database: "postgres"
                )
            }
            watcher.withLock { $0 = ended }
        }.start()
        // The watcher is in its loop before the import begins.
        try waitFor("the watcher to watch", seconds: 60, poll: 0.05) {
            let rows = try pg.sql(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_stat_clear_snapshot%' AND pid <> pg_backend_pid()",
                database: "postgres"
            )
            return rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        let outcome = Mutex<Result<ImportCount, any Error>?>(nil)
        Thread { outcome.withLock { $0 = Result { try store.importUnits(units, replace: false) } } }.start()
        try waitFor("the watcher to end the copy's connection", seconds: 120) { watcher.withLock { $0 != nil } }
        let ended = try #require(watcher.withLock { $0 }).get().trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(ended) != nil, "\(ended)")
        try waitFor("the import to end", seconds: 120) { outcome.withLock { $0 != nil } }
        // This process is alive to say so (postgres-nio stopped it when a copy wrote on a connection
        // that had just ended), and the import failed as a whole.
        let failure = try #require(outcome.withLock { $0 })
        let error = #expect(throws: StoreError.self) { try failure.get() }
        // Said as the connection lost, or, when the server's goodbye came first, as ended by it.
        #expect(
            error?.message.contains("connection to the server was lost") == true
                || error?.message.contains("the server ended the connection") == true,
            "\(String(describing: error))"
        )
        #expect(try store.units().isEmpty)
        // The next write takes another connection.
        try store.addUnit(Self.unit("gd"))
        #expect(try store.units().map(\.id) == ["gd"])
    }

    @Test(
        "PostgreSQL ends the store's idle connections (a restart, pg_terminate_backend): the next question and change are answered on new ones, not refused"
    )
    func idleConnectionsEnded() throws {
        let pg = try PostgresServer.shared()
        let (store, state) = try Engine.postgresql.store()
        let database = PostgresServer.database(of: state)
        var refused: [String] = []
        for round in 0..<20 {
            // Connections in the pool, idle; the server ends them, and the store is asked at once.
            _ = try store.units()
            let ended = try pg.sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()",
                database: "postgres"
            )
            #expect(Int(ended.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 1, "\(ended)")
            do {
                _ = try store.units()
                try store.addUnit(Self.unit("u\(round)"))
            } catch {
                refused.append("round \(round): \(error)")
            }
        }
        #expect(refused.isEmpty, "\(refused.count) of 20 refused: \(refused.prefix(3))")
        #expect(try store.units().count == 20)
    }

    @Test("six dutyd opening a new PostgreSQL store at the same moment migrate it once, in order")
    func migrationsRaceOnce() throws {
        let state = try PostgresServer.shared().newDatabase()
        let outcomes = Mutex<[String]>([])
        let stores = Mutex<[DutyStore]>([])
        let threads = (0..<6).map { _ in
            Thread {
                do {
                    let store = try DutyStore.open(state)
                    _ = try store.units()
                    stores.withLock { $0.append(store) }
                    outcomes.withLock { $0.append("ok") }
                } catch {
                    outcomes.withLock { $0.append("\(error)") }
                }
            }
        }
        for thread in threads { thread.start() }
        try waitFor("six stores opened", seconds: 120) { outcomes.withLock { $0.count } == 6 }
        #expect(outcomes.withLock { $0 } == Array(repeating: "ok", count: 6))
        // Each one can change the store: one after the other, since six changes at once on a loaded
        // machine may wait longer than a change's 5 s for the lock, which is not what this tests.
        for (i, store) in stores.withLock({ $0 }).enumerated() {
            try store.addUnit(Self.unit("gd-\(i)"))
            store.close()
        }
        let reader = try DutyStore.open(state)
        defer { reader.close() }
        #expect(try reader.units().count == 6)
        let versions = try PostgresServer.shared().sql(
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM dutyd_schema",
            database: PostgresServer.database(of: state)
        )
        #expect(versions.trimmingCharacters(in: .whitespacesAndNewlines) == "1,2,3")
    }

    @Test("an import with one bad parent changes nothing", arguments: Engine.allCases)
    func importIsAtomic(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        _ = try store.importUnits([Self.unit("gd"), Self.unit("gd.gz", parent: "gd")], replace: false)
        let bad = [Self.unit("gd.sz", parent: "gd"), Self.unit("gd.sz.x", "unit", parent: "gd.nowhere")]
        #expect(throws: StoreError.self) { try store.importUnits(bad, replace: false) }
        #expect(try store.units().map(\.id).sorted() == ["gd", "gd.gz"])
    }

    @Test("an import that makes a cycle is refused and names it", arguments: Engine.allCases)
    func importCycle(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        _ = try store.importUnits([Self.unit("a"), Self.unit("b", parent: "a")], replace: false)
        do {
            _ = try store.importUnits([Self.unit("a", parent: "b")], replace: false)
            Issue.record("expected a cycle error")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.message.contains("cycle"))
        }
        #expect(try store.unit("a")?.parent == nil)
    }

    @Test(
        "re-importing keeps the day a unit was added; replace removes the rest with their officials",
        arguments: Engine.allCases
    )
    func reimport(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        _ = try store.importUnits([Self.unit("gd"), Self.unit("gd.gz", parent: "gd")], replace: false)
        try store.addOfficial(Official(id: "p1", name: "张三", unit: "gd.gz", roles: ["clerk"]))
        var later = Self.unit("gd")
        later.addedOn = CivilDate(iso: "2027-03-01")!
        later.name = "中共广东省委"
        let count = try store.importUnits([later], replace: true)
        #expect(count == ImportCount(added: 0, updated: 1, removed: 1))
        #expect(try store.unit("gd")?.addedOn == Self.today)
        #expect(try store.unit("gd")?.name == "中共广东省委")
        #expect(try store.officials().isEmpty)
    }

    @Test("removing a unit with children needs --recursive", arguments: Engine.allCases)
    func removeUnit(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        _ = try store.importUnits(
            [Self.unit("gd"), Self.unit("gd.gz", parent: "gd"), Self.unit("gd.gz.py", parent: "gd.gz")],
            replace: false
        )
        #expect(throws: StoreError.self) { try store.removeUnit("gd.gz", recursive: false) }
        let removed = try store.removeUnit("gd.gz", recursive: true)
        #expect(removed.units == 2)
        #expect(try store.units().map(\.id) == ["gd"])
    }

    @Test(
        "done once, undo, waive; a second done is refused unless the obligation is a quota",
        arguments: Engine.allCases
    )
    func completions(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        let id = OccurrenceID("semiannual-report/gd/2026-H2")!
        let c = Completion(
            occurrence: id,
            on: Self.today,
            recordedAt: Instant(seconds: 1_800_000_000),
            by: "admin",
            reference: "粤委〔2026〕1号"
        )
        try store.complete(c, repeatable: false)
        #expect(throws: StoreError.self) { try store.complete(c, repeatable: false) }
        #expect(throws: StoreError.self) {
            try store.waive(Waiver(occurrence: id, reason: "x", recordedAt: c.recordedAt, by: "admin"))
        }
        #expect(try store.records().completions.first?.reference == "粤委〔2026〕1号")
        #expect(try store.undo(id, at: Instant(seconds: 1_800_000_100), by: "test") == .completion(Self.today))
        try store.waive(Waiver(occurrence: id, reason: "合并汇报", recordedAt: c.recordedAt, by: "admin"))
        #expect(try store.undo(id, at: Instant(seconds: 1_800_000_100), by: "test") == .waiver)
        #expect(throws: StoreError.self) { try store.undo(id, at: Instant(seconds: 1_800_000_100), by: "test") }
        // Each undo notes when the occurrence was reopened (the latest), for the dispatcher.
        #expect(
            try store.records().reopenings
                == [Reopening(occurrence: id, at: Instant(seconds: 1_800_000_100), by: "test")]
        )
        let quota = OccurrenceID("study/gd/2026-c1")!
        try store.complete(
            Completion(occurrence: quota, on: Self.today, recordedAt: c.recordedAt, by: "a"),
            repeatable: true
        )
        try store.complete(
            Completion(occurrence: quota, on: Self.today, recordedAt: c.recordedAt, by: "a"),
            repeatable: true
        )
        #expect(try store.records().completions.filter { $0.occurrence == quota }.count == 2)
    }

    @Test("event ids: KIND-DATE, then -2 for a second one the same day at the same unit", arguments: Engine.allCases)
    func eventIDs(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        try store.addUnit(Self.unit("gd"))
        let e = Event(
            id: "",
            kind: "major-situation",
            unit: "gd",
            on: Self.today,
            recordedAt: Instant(seconds: 0),
            by: "a"
        )
        #expect(try store.record(e).id == "major-situation-2026-11-29")
        #expect(try store.record(e).id == "major-situation-2026-11-29-2")
        var other = e
        other.unit = "nowhere"
        #expect(throws: StoreError.self) { try store.record(other) }
        try store.removeEvent(unit: "gd", id: "major-situation-2026-11-29")
        #expect(try store.records().events.map(\.id) == ["major-situation-2026-11-29-2"])
    }

    @Test(
        "the ledger read a page at a time gives the rows of one query: newest first, ties by key, none twice",
        arguments: Engine.allCases
    )
    func ledgerPages(_ engine: Engine) throws {
        let (store, _) = try engine.store()
        // 2,500 rows on 7 due times: pages of 100 end in the middle of a run of equal times.
        let entries = (0..<2_500).map { i in
            var e = LedgerEntry(
                occurrence: "o/u\(i % 13)/2026-H2",
                step: "step\(i)",
                recipient: "r\(i % 5)",
                channel: i % 2 == 0 ? "journal" : "email",
                state: i % 3 == 0 ? .retry : .sent,
                dueAt: Instant(seconds: 1_800_000_000 + (i % 7) * 3_600)
            )
            e.key = "k\(String(format: "%05d", (i * 7_919) % 2_500))"
            return e
        }
        try store.writeLedger(entries)
        func expected(_ filter: (LedgerEntry) -> Bool, limit: Int) -> [String] {
            Array(
                entries.filter(filter).sorted {
                    ($0.dueAt.seconds, $1.key) > ($1.dueAt.seconds, $0.key)
                }.prefix(limit).map(\.key)
            )
        }
        var q = DutyStore.LedgerQuery()
        for limit in [1, 99, 100, 101, 2_300, 2_500, 10_000] {
            q.limit = limit
            var keys: [String] = []
            try store.eachLedger(matching: q, pageSize: 100) { keys.append($0.key) }
            #expect(keys == expected({ _ in true }, limit: limit), "limit \(limit)")
        }
        q.limit = 10_000
        q.states = [.retry]
        q.channel = "email"
        q.since = Instant(seconds: 1_800_000_000 + 2 * 3_600)
        var keys: [String] = []
        try store.eachLedger(matching: q, pageSize: 37) { keys.append($0.key) }
        let matching = expected(
            { $0.state == .retry && $0.channel == "email" && $0.dueAt.seconds >= 1_800_000_000 + 2 * 3_600 },
            limit: 10_000
        )
        #expect(keys == matching && keys.count > 200, "\(keys.count) rows")
        // What the reader throws stops the reading and comes out as it was thrown.
        struct Enough: Error {}
        var read = 0
        #expect(throws: Enough.self) {
            try store.eachLedger(matching: q, pageSize: 10) { _ in
                read += 1
                if read == 15 { throw Enough() }
            }
        }
        #expect(read == 15)
    }

    @Test(
        "every change appends an audit row by its actor in its own transaction; a refused change appends none",
        arguments: Engine.allCases
    )
    func auditRows(_ engine: Engine) throws {
        let store = try engine.store().0.acting(as: AuditActor(who: "wang", how: "api"))
        try store.addUnit(Self.unit("gd"))
        try store.addUnit(Self.unit("gd.gz", parent: "gd"))
        var u = Self.unit("gd.gz", parent: "gd")
        u.name = "广州市委"
        try store.updateUnit(u)
        try store.addOfficial(Official(id: "li", name: "李", unit: "gd.gz", roles: ["secretary"]))
        let id = OccurrenceID(obligation: "annual-supervision", subject: "gd.gz", period: "2026")
        let at = Instant(seconds: 1_796_000_000)
        try store.complete(
            Completion(occurrence: id, on: Self.today, recordedAt: at, by: "wang", reference: "粤宣〔2026〕1号"),
            repeatable: false
        )
        // Refused: done twice. Nothing is appended.
        #expect(throws: StoreError.self) {
            try store.complete(
                Completion(occurrence: id, on: Self.today, recordedAt: at, by: "wang"),
                repeatable: false
            )
        }
        _ = try store.undo(id, at: at, by: "wang")
        try store.acting(as: AuditActor(who: "zhao", how: "cli-direct")).waive(
            Waiver(occurrence: id, reason: "合并办理", recordedAt: at, by: "zhao")
        )
        let e = try store.record(
            Event(id: "", kind: "major-situation", unit: "gd.gz", on: Self.today, recordedAt: at, by: "wang")
        )
        try store.removeEvent(unit: "gd.gz", id: e.id)
        _ = try store.importUnits([Self.unit("gd"), Self.unit("gd.sz", parent: "gd")], replace: false)
        try store.removeOfficial("li")
        try store.removeUnit("gd.sz", recursive: false)
        var rows: [AuditEntry] = []
        try store.eachAudit(matching: .init(), pageSize: 4) { rows.append($0) }
        #expect(
            rows.map(\.action) == [
                "unit-add", "unit-add", "unit-set", "official-add", "done", "undo", "waive", "event-record",
                "event-remove",
                "unit-import", "official-rm", "unit-rm",
            ]
        )
        #expect(rows.map(\.seq) == Array(1...12))
        #expect(rows.allSatisfy { $0.who == ($0.action == "waive" ? "zhao" : "wang") })
        #expect(
            rows.map(\.how) == [
                "api", "api", "api", "api", "api", "api", "cli-direct", "api", "api", "import", "api", "api",
            ]
        )
        #expect(rows[2].detail == #"{"kind":"committee","name":"广州市委","parent":"gd"}"#)
        #expect(rows[4].occurrence == id.description && rows[4].detail.contains("粤宣〔2026〕1号"))
        #expect(rows[9].detail == #"{"added":"1","removed":"0","replace":"false","updated":"1","via":"api"}"#)
        #expect(rows[10].unit == "gd.gz" && rows[11].unit == "gd.sz")
        // Every row follows the one before.
        #expect(rows.first?.previous == AuditEntry.genesis)
        for (a, b) in zip(rows, rows.dropFirst()) { #expect(b.previous == a.hash) }
        var q = DutyStore.AuditQuery()
        q.occurrence = "annual-supervision/gd.gz/"
        var ofOccurrence: [String] = []
        try store.eachAudit(matching: q) { ofOccurrence.append($0.action) }
        #expect(ofOccurrence == ["done", "undo", "waive"])
        let v = try store.verifyAudit(pageSize: 5)
        #expect(v.problem == nil && v.rows == 12 && v.head?.seq == 12 && v.head?.hash == rows.last?.hash)
    }

    @Test(
        "audit verify names the first row changed, changed with its hash made anew, or removed, first, middle or last",
        arguments: Engine.allCases
    )
    func auditTampering(_ engine: Engine) throws {
        /// A fresh store with five changes, its state.
        func five() throws -> (DutyStore, String) {
            let (store, state) = try engine.store()
            for id in ["a", "b", "c", "d", "e"] { try store.addUnit(Self.unit(id)) }
            #expect(try store.verifyAudit().problem == nil)
            return (store, state)
        }
        let cases: [(edits: [Engine.Edit], bad: Int, words: String, why: String)] = [
            ([.sql("UPDATE audit SET who = 'mallory' WHERE seq = 3")], 3, "by mallory at ", "its hash is not its own"),
            // Its hash made anew: the row after it no longer follows it.
            (
                [.sql("UPDATE audit SET who = 'mallory' WHERE seq = 2"), .rehash(2)], 2,
                "row 2 (unit-add b by mallory", "row 3 no longer follows it"
            ),
            ([.sql("DELETE FROM audit WHERE seq = 3")], 3, "row 3 is missing: row 4", "removed"),
            ([.sql("DELETE FROM audit WHERE seq = 1")], 1, "the first row, 1, is missing", "removed"),
            (
                [.sql("DELETE FROM audit WHERE seq = 5")], 5,
                "the trail ends at row 4 but the last change wrote row 5", "removed"
            ),
            // The last row, its hash made anew: the head noted with the last change differs.
            (
                [.sql("UPDATE audit SET detail = '{}' WHERE seq = 5"), .rehash(5)], 5, "row 5 (unit-add e by",
                "it is not the last row the last change wrote"
            ),
        ]
        for c in cases {
            let (store, state) = try five()
            try engine.edit(state, c.edits)
            let v = try store.verifyAudit(pageSize: 2)
            #expect(v.firstBad == c.bad, "\(c.edits): \(v.problem ?? "no problem found")")
            #expect(
                v.problem?.contains(c.words) == true && v.problem?.contains(c.why) == true,
                "\(v.problem ?? "no problem found")"
            )
        }
        // A change after a valid edit still chains from the last row.
        let (store, _) = try five()
        try store.addUnit(Self.unit("f"))
        #expect(try store.verifyAudit().rows == 6)
    }
}
