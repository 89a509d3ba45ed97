import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// What durability costs: a user's change commits with `synchronous = FULL` (an fdatasync before
/// `dutyctl` is answered), the ledger with `NORMAL`. Both are one-row transactions on the same store
/// in `work`; the difference is the sync.
func storeBench(work: String, count: Int = 500) throws {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let path = work + "/sync-bench.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let store = try DutyStore(path: path)
    let clock = ContinuousClock()
    let now = Instant.now
    let full = clock.measure {
        for i in 0..<count {
            try? store.complete(
                Completion(
                    occurrence: OccurrenceID(obligation: "bench", subject: "u\(i)", period: "2026"),
                    on: CivilDate(year: 2026, month: 12, day: 1)!,
                    recordedAt: now,
                    by: "bench"
                ),
                repeatable: false
            )
        }
    }
    let normal = clock.measure {
        for i in 0..<count {
            try? store.writeLedger([
                LedgerEntry(
                    occurrence: "bench/u\(i)/2026",
                    step: "due",
                    recipient: "u\(i)",
                    channel: "email",
                    state: .sent,
                    dueAt: now
                )
            ])
        }
    }
    func ms(_ d: Duration) -> Double {
        (Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15) / Double(count)
    }
    let recorded = try store.records().completions.count
    precondition(recorded == count, "only \(recorded) of \(count) completions were recorded")
    report("store.change_full.ms", ms(full), "ms per change (synchronous = FULL, \(count) dones)")
    report("store.ledger_normal.ms", ms(normal), "ms per ledger row (synchronous = NORMAL, \(count) rows)")
}
