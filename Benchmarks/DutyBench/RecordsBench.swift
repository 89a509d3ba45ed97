import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyStore
import Foundation

/// `done --import` at national scale: the generated organisation of `units` units in a store of its
/// own, a CSV of `count` completions of its open occurrences of this year (as an office system would
/// export them, with a byte-order mark and a reference number each), imported by the release
/// `dutyctl` in direct mode. Reports `records.done_import_500k.seconds` (for count 500,000), dutyctl's
/// peak memory, and checks that every line was recorded and the audit trail is whole.
func recordsBench(dutyctl: String, config: String, work: String, units: Int, count: Int) throws {
    let folder = work + "/org-\(units)"
    guard FileManager.default.fileExists(atPath: folder + "/units.csv") else {
        throw BenchError("\(folder)/units.csv is missing: run `DutyBench engine` first (make bench does)")
    }
    let state = work + "/records-\(units).sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + suffix) }
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + suffix) } }
    let settings = work + "/records-\(units).toml"
    let base = try Settings.load(path: config)
    // Tracked from the start of the year, so the first half's deadlines are there to be done.
    let today = base.timezone.day(of: .now)
    try writeSettings(
        settings,
        like: base,
        state: URL(fileURLWithPath: state).lastPathComponent,
        trackFrom: CivilDate(year: today.year, month: 1, day: 1)
    )
    let workspace = try Workspace.load(try Settings.load(path: settings))
    let store = try DutyStore(path: state)
    try importOrganisation(from: folder, into: store, policy: workspace.policy, addedOn: today)

    // The open occurrences of this year whose deadline has passed or comes within the year, not a
    // quota's: done on their deadline day, or today if that is still to come.
    let planner = try workspace.planner(store)
    let records = try store.records()
    let first = CivilDate(year: today.year, month: 1, day: 1)!
    let last = CivilDate(year: today.year, month: 12, day: 31)!
    var csv = "\u{FEFF}occurrence,date,reference,note,by\r\n"
    var written = 0
    struct Enough: Error {}
    do {
        try planner.plan(from: first, through: last, records: records).forEachOccurrenceInOrder(
            deadlines: first,
            through: last
        ) { o in
            if case .quota = planner.policy.obligations[o.obligation].deadline { return }
            let day = min(o.timing.date, today)
            csv += "\(o.id),\(day),宣〔\(today.year)〕\(written + 1)号,批量导入,办公室\r\n"
            written += 1
            if written == count { throw Enough() }
        }
    } catch is Enough {}
    guard written == count else { throw BenchError("only \(written) occurrences to complete, \(count) asked") }
    let file = work + "/done-\(count).csv"
    try Data(csv.utf8).write(to: URL(fileURLWithPath: file))
    csv = ""

    let p = Process()
    p.executableURL = URL(fileURLWithPath: dutyctl)
    p.arguments = ["done", "--import", file, "--config", settings]
    let out = Pipe()
    p.standardOutput = out
    let clock = ContinuousClock()
    let start = clock.now
    try p.run()
    let said = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    let elapsed = clock.now - start
    // dutyctl is this process's only child: the children's high-water mark is its own.
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    let peak = Double(usage.ru_maxrss) / 1024
    guard p.terminationStatus == 0, said.contains("recorded \(count) completions") else {
        throw BenchError("dutyctl done --import exited with \(p.terminationStatus): \(said)")
    }
    let label = count % 1_000 == 0 ? "\(count / 1_000)k" : "\(count)"
    report("records.done_import_\(label).seconds", seconds(elapsed), "s")
    report("records.done_import_\(label).dutyctl_peak_mib", peak, "MiB")
    var checked: DutyStore.AuditVerification?
    let verifying = try clock.measure { checked = try store.verifyAudit() }
    guard let verified = checked, verified.problem == nil, try store.records().completions.count == count else {
        throw BenchError("after the import: \(checked?.problem ?? "not every completion is in the store")")
    }
    report("records.audit_verify_\(label).seconds", seconds(verifying), "s")
    print("  (\(count) completions at \(units) units; the audit trail holds \(verified.rows) rows, whole)")
    try? FileManager.default.removeItem(atPath: file)
}
