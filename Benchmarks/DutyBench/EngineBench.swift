import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// The engine at national scale: import a generated organisation from CSV into a fresh state store,
/// plan the next 365 days for every unit, and ask for one county's upcoming obligations.
func engineBench(config: String, units total: Int, work: String) throws {
    let folder = try nationalFolder(work: work, units: total)
    let settings = try Settings.load(path: config)
    let workspace = try Workspace.load(settings)
    let today = CivilDate(iso: "2026-11-29")!
    let clock = ContinuousClock()

    // Import: read and check both CSV files, write them in one transaction each.
    let statePath = work + "/state-\(total).sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: statePath + suffix) }
    let store = try DutyStore(path: statePath)
    var imported = 0
    var csvTime = Duration.zero
    let importTime = try clock.measure {
        var unitRows: [(value: OrgUnit, line: Int)] = []
        csvTime += try clock.measure {
            unitRows = try OrganisationCSV.units(
                Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/units.csv"))),
                file: "units.csv",
                policy: workspace.policy,
                addedOn: today
            )
        }
        imported = try store.importUnits(unitRows.map(\.value), replace: false).added
        unitRows = []
        var officialRows: [(value: Official, line: Int)] = []
        csvTime += try clock.measure {
            officialRows = try OrganisationCSV.officials(
                Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/officials.csv"))),
                file: "officials.csv",
                policy: workspace.policy
            )
        }
        _ = try store.importOfficials(officialRows.map(\.value), replace: false)
    }
    report("engine.import_\(label(total)).csv_seconds", seconds(csvTime), "s")
    report("engine.import_\(label(total)).seconds", seconds(importTime), "s")
    precondition(imported == total, "imported \(imported) units, expected \(total)")

    // Plan and query in a fresh process, so that its memory figures are what a daemon holding the
    // organisation uses, not what the import left behind.
    fflush(nil)
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["engine-plan", config, statePath, label(total)]
    try child.run()
    child.waitUntilExit()
    if child.terminationStatus != 0 { throw BenchError("engine-plan exited \(child.terminationStatus)") }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Loads the state store as the daemon would, plans the next 365 days for every unit and asks for one
/// county's upcoming obligations.
func enginePlanBench(config: String, state: String, label total: String) throws {
    let settings = try Settings.load(path: config)
    let workspace = try Workspace.load(settings)
    let store = try DutyStore(path: state)
    let today = CivilDate(iso: "2026-11-29")!
    let now = Instant(iso: "2026-11-29T09:00:00+08:00")!
    let clock = ContinuousClock()

    // Load what the daemon holds in memory: the organisation, indexed, and the planner over it.
    var planner: Planner!
    let loadTime = try clock.measure { planner = try workspace.planner(store) }
    report("engine.load_\(total).seconds", seconds(loadTime), "s")
    report("engine.load_\(total).rss_mib", memoryMiB("VmRSS:"), "MiB")

    // Plan: every occurrence with a deadline in the next 365 days and every step in them.
    let records = try store.records()
    var steps = 0
    var occurrences = 0
    let end = today.adding(days: 365)
    let window = now..<Instant(seconds: now.seconds + 365 * 86_400)
    let planTime = clock.measure {
        let plan = planner.plan(from: today, through: end, records: records)
        plan.forEachDue(in: window) { _, _, _, range in steps += range.count }
        plan.forEachOccurrence(deadlines: today, through: end) { _ in occurrences += 1 }
    }
    report("engine.plan_\(total)_365d.seconds", seconds(planTime), "s")
    report("engine.plan_\(total)_365d.steps", Double(steps), "steps")
    report("engine.plan_\(total)_365d.occurrences", Double(occurrences), "occurrences")
    report("engine.plan_\(total)_365d.peak_mib", peakMemoryMiB(), "MiB")

    // One county's subtree: what `dutyctl upcoming --unit … --subtree --within 365d` computes.
    var q = OccurrenceQuery(at: now)
    q.within = DutyDuration(365, .days)
    q.unit = "cn.p1.c1.k1"
    q.subtree = true
    var found = 0
    let countyNs = best(5) {
        let d = clock.measure { found = (try? planner.upcoming(q, records: records).count) ?? -1 }
        return (d, 1)
    }
    report("engine.upcoming_county.ms", countyNs / 1e6, "ms")
    report("engine.upcoming_county.occurrences", Double(found), "occurrences")
}

func label(_ n: Int) -> String {
    n % 1_000_000 == 0 ? "\(n / 1_000_000)m" : (n % 1000 == 0 ? "\(n / 1000)k" : "\(n)")
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Peak resident memory (VmHWM) in MiB.
func peakMemoryMiB() -> Double { memoryMiB("VmHWM:") }

/// A memory figure of /proc/self/status in MiB.
func memoryMiB(_ field: String, pid: Int32? = nil) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid.map(String.init) ?? "self")/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
    else { return -1 }
    let kib = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "") ?? -1
    return kib / 1024
}

/// The generated organisation of `total` units under `work` (CSV files), written the first time.
func nationalFolder(work: String, units total: Int) throws -> String {
    let folder = work + "/org-\(total)"
    if !FileManager.default.fileExists(atPath: folder + "/officials.csv") {
        let (u, o) = try NationalOrganisation.write(units: total, to: folder)
        print("generated \(u) units and \(o) officials in \(folder)")
    }
    return folder
}
