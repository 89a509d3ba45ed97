import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyStore
import DutyTestSupport
import Foundation

/// The state on PostgreSQL at national scale, on a throwaway cluster of its own (as the tests make
/// one): the organisation imported, dutyd started to READY on it, and the ledger's write rate in
/// the dispatcher's chunks. The failover figures come from the failover tests (`make bench`).
func postgresBench(dutyd: String, dutyctl: String?, config: String, work: String, units total: Int) throws {
    let folder = try nationalFolder(work: work, units: total)
    let settings = try Settings.load(path: config)
    let workspace = try Workspace.load(settings)
    let pg = try PostgresServer.own("bench")
    let state = try pg.newDatabase()
    let store = try DutyStore.open(state)
    let clock = ContinuousClock()

    let importTime = try clock.measure {
        try importOrganisation(
            from: folder,
            into: store,
            policy: workspace.policy,
            addedOn: CivilDate(iso: "2026-11-29")!
        )
    }
    report("pg.import_\(label(total)).seconds", seconds(importTime), "s")

    // dutyd on it, to READY (the organisation loaded and planned).
    let path = work + "/pg-bench.toml"
    try writeSettings(path, like: settings, state: state, trackFrom: CivilDate(iso: "2026-01-01")!)
    let (p, startup, _) = try startDaemon(dutyd, path, watchdogSeconds: 600)
    report("pg.startup_\(label(total)).seconds", startup, "s")
    stop(p)

    // The ledger as a 09:00 batch writes it: the whole batch `pending` in one transaction (COPY),
    // then `sending` a chunk of 1,000 at a time, then each row `sent` in its own transaction, as
    // deliveries end (the dispatcher's pattern).
    let rows = 100_000
    let due = Instant(iso: "2026-12-21T09:00:00+08:00", zone: .utc)!
    var entries = (0..<rows).map { i in
        LedgerEntry(
            occurrence: "bench/u\(i)/2026-H2",
            step: "due",
            recipient: "o\(i)",
            channel: "email",
            state: .pending,
            dueAt: due
        )
    }
    let batch = try clock.measure { try store.ledgerPending(entries) }
    report("pg.ledger_rows_per_second", Double(rows) / seconds(batch), "rows/s")
    let started = Instant.now
    for i in entries.indices {
        entries[i].beginAttempt(at: started, until: Instant(seconds: started.seconds + 900))
    }
    let chunks = try clock.measure {
        for start in stride(from: 0, to: rows, by: 1_000) {
            try store.writeLedger(Array(entries[start..<min(rows, start + 1_000)]))
        }
    }
    report("pg.ledger_chunk_rows_per_second", Double(rows) / seconds(chunks), "rows/s")
    for i in entries.indices { entries[i].end(.sent) }
    let singles = try clock.measure {
        for e in entries.prefix(10_000) { try store.writeLedger([e]) }
    }
    report("pg.ledger_single_rows_per_second", 10_000 / seconds(singles), "rows/s")
    store.close()

    // The questions of the national benchmark on the store it asks on SQLite (`DutyBench engine`
    // makes it), moved with `dutyctl store copy`'s code: the same organisation, records and ledger.
    let big = work + "/state-\(total).sqlite"
    guard let dutyctl, FileManager.default.fileExists(atPath: big) else {
        print("  (no \(big) or no dutyctl: the national questions on PostgreSQL are left out)")
        return
    }
    let national = try pg.newDatabase()
    let target = try DutyStore.open(national)
    let source = try DutyStore(path: big)
    try source.setWatermark(SystemClock().now())
    let copyTime = try clock.measure { _ = try source.copy(to: target, replace: false) }
    report("pg.store_copy_\(label(total)).seconds", seconds(copyTime), "s")
    target.close()
    try nationalQuestions(
        dutyd: dutyd,
        dutyctl: dutyctl,
        config: config,
        state: national,
        settings: work + "/pg-national.toml",
        prefix: "pg.api.national",
        mixSeconds: 0
    )
}
