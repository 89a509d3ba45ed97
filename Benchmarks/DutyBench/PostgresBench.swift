import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyStore
import DutyTestSupport
import Foundation

/// The state on PostgreSQL at national scale, on a throwaway cluster of its own (as the tests make
/// one): the organisation imported, dutyd started to READY on it, and the ledger's write rate in
/// the dispatcher's chunks. The failover figures come from the failover tests (`make bench`).
func postgresBench(dutyd: String, config: String, work: String, units total: Int) throws {
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

    // The ledger as a 09:00 batch writes it: `sending` rows a chunk of 1,000 at a time, then each
    // row `sent` in its own transaction, as deliveries end (the dispatcher's pattern).
    let rows = 100_000
    let due = Instant(iso: "2026-12-21T09:00:00+08:00", zone: .utc)!
    var entries = (0..<rows).map { i in
        LedgerEntry(
            occurrence: "bench/u\(i)/2026-H2",
            step: "due",
            recipient: "o\(i)",
            channel: "email",
            state: .sending,
            dueAt: due
        )
    }
    let chunks = try clock.measure {
        for start in stride(from: 0, to: rows, by: 1_000) {
            try store.writeLedger(Array(entries[start..<min(rows, start + 1_000)]))
        }
    }
    report("pg.ledger_rows_per_second", Double(rows) / seconds(chunks), "rows/s")
    for i in entries.indices { entries[i].state = .sent }
    let singles = try clock.measure {
        for e in entries.prefix(10_000) { try store.writeLedger([e]) }
    }
    report("pg.ledger_single_rows_per_second", 10_000 / seconds(singles), "rows/s")
    store.close()
}
