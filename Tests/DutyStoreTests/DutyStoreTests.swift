import DutyCalendar
import DutyCore
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

@Suite("State store (SQLite)", .ownThreads)
struct DutyStoreTests {
    static let today = CivilDate(iso: "2026-11-29")!

    static func unit(_ id: String, _ kind: String = "committee", parent: String? = nil) -> OrgUnit {
        OrgUnit(id: id, name: "单位 \(id)", kind: kind, parent: parent, addedOn: today)
    }

    /// A store in a fresh temporary folder (a real file, WAL and all).
    static func fileStore() throws -> (DutyStore, String) {
        let dir = scratchDirectory.appendingPathComponent("dutyd-store-\(UUID().uuidString)")
        let path = dir.appendingPathComponent("state/dutyd.sqlite").path
        return (try DutyStore(path: path), path)
    }

    @Test("opens a file store in WAL mode, creating its folder, and migrates it once")
    func walAndMigrations() throws {
        let (store, path) = try Self.fileStore()
        try store.addUnit(Self.unit("gd"))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        // Opening again runs no migration twice and keeps the data
        let again = try DutyStore(path: path)
        #expect(try again.units().map(\.id) == ["gd"])
    }

    @Test("a date changed by hand in the file is an error that names the row's place, never 1970-01-01")
    func damagedDates() throws {
        let (store, path) = try Self.fileStore()
        try store.addUnit(Self.unit("gd"))
        let id = OccurrenceID(obligation: "semiannual-report", subject: "gd", period: "2026-H2")
        try store.complete(
            Completion(occurrence: id, on: Self.today, recordedAt: Instant(seconds: 1_796_000_000), by: "t"),
            repeatable: false
        )
        for (table, column, value) in [("completion", "done_on", "2026-13-45"), ("unit", "added_on", "yesterday")] {
            let edit = Process()
            edit.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            edit.arguments = [
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('UPDATE \(table) SET \(column) = ?', (sys.argv[2],)); c.commit()",
                path, value,
            ]
            try edit.run()
            edit.waitUntilExit()
            #expect(edit.terminationStatus == 0)
        }
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
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        edit.arguments = [
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('UPDATE completion SET done_on = ?', ('9' * 1000000,)); c.commit()",
            path,
        ]
        try edit.run()
        edit.waitUntilExit()
        let long = #expect(throws: StoreError.self) { try store.records() }
        #expect((long?.message.count ?? 0) < 400, "\(long?.message.count ?? 0) characters")
        #expect(long?.message.contains("completion.done_on") == true)
    }

    @Test("an import with one bad parent changes nothing")
    func importIsAtomic() throws {
        let store = try DutyStore()
        _ = try store.importUnits([Self.unit("gd"), Self.unit("gd.gz", parent: "gd")], replace: false)
        let bad = [Self.unit("gd.sz", parent: "gd"), Self.unit("gd.sz.x", "unit", parent: "gd.nowhere")]
        #expect(throws: StoreError.self) { try store.importUnits(bad, replace: false) }
        #expect(try store.units().map(\.id).sorted() == ["gd", "gd.gz"])
    }

    @Test("an import that makes a cycle is refused and names it")
    func importCycle() throws {
        let store = try DutyStore()
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

    @Test("re-importing keeps the day a unit was added; replace removes the rest with their officials")
    func reimport() throws {
        let store = try DutyStore()
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

    @Test("removing a unit with children needs --recursive")
    func removeUnit() throws {
        let store = try DutyStore()
        _ = try store.importUnits(
            [Self.unit("gd"), Self.unit("gd.gz", parent: "gd"), Self.unit("gd.gz.py", parent: "gd.gz")],
            replace: false
        )
        #expect(throws: StoreError.self) { try store.removeUnit("gd.gz", recursive: false) }
        let removed = try store.removeUnit("gd.gz", recursive: true)
        #expect(removed.units == 2)
        #expect(try store.units().map(\.id) == ["gd"])
    }

    @Test("done once, undo, waive; a second done is refused unless the obligation is a quota")
    func completions() throws {
        let store = try DutyStore()
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

    @Test("event ids: KIND-DATE, then -2 for a second one the same day at the same unit")
    func eventIDs() throws {
        let store = try DutyStore()
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

    @Test("the ledger read a page at a time gives the rows of one query: newest first, ties by key, none twice")
    func ledgerPages() throws {
        let store = try DutyStore()
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
}
