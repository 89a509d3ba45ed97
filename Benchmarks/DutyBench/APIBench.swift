import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The API under load: dutyd (release) on a generated organisation of `units` units, `clients`
/// concurrent dutyctl-like clients for `duration` seconds, each sending queries (status; upcoming and overdue
/// for a county's subtree; a county's year report) and, one request in five, a change (`done` of an
/// occurrence no other client touches).
///
/// - `api.requests_per_second`: answered requests, all kinds, per second.
/// - `api.p50_ms`, `api.p99_ms`: latency of one request (connect, ask, read the whole answer).
/// - `api.errors`: answers other than 200 and 503, and failed connections (must be 0).
/// - `api.refused_busy`: 503s, questions refused at once because the pool or the user's share of
///   long answers was full (all clients are one user here: at most 8 long answers at once; with more
///   clients than that most streamed questions are refused, and requests per second mostly counts
///   refusals).
/// - `api.changes_lost`: dones answered 200 but not in the store afterwards (must be 0).
func apiBench(dutyd: String, config: String, work: String, units: Int, duration: Int, clients: Int) async throws {
    let folder = work + "/org-\(units)"
    if !FileManager.default.fileExists(atPath: folder + "/officials.csv") {
        _ = try NationalOrganisation.write(units: units, to: folder)
    }
    let base = try Settings.load(path: config)
    let api = work + "/api-\(units)"
    try? FileManager.default.removeItem(atPath: api)
    try FileManager.default.createDirectory(atPath: api, withIntermediateDirectories: true)
    let cwd = FileManager.default.currentDirectoryPath
    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
    let today = CivilDate(iso: String(Date().ISO8601Format().prefix(10)))!
    let settingsPath = api + "/dutyd.toml"
    try """
    timezone = "\(base.timezone.identifier)"
    state = "dutyd.sqlite"
    policy = [\(base.policy.map { "\"\(absolute($0))\"" }.joined(separator: ", "))]
    holidays = [\(base.holidays.map { "\"\(absolute($0))\"" }.joined(separator: ", "))]
    track_from = "\(today)"

    [api]
    socket = "api.sock"
    """.write(toFile: settingsPath, atomically: true, encoding: .utf8)
    let settings = try Settings.load(path: settingsPath)
    let workspace = try Workspace.load(settings)
    let store = try workspace.openStore()
    try importOrganisation(from: folder, into: store, policy: workspace.policy, addedOn: today)
    // Counties (committees four levels down) for the queries; open occurrences for the changes.
    let planner = try workspace.planner(store)
    let counties = planner.organisation.units.filter {
        $0.kind == "committee" && $0.id.split(separator: ".").count == 4
    }
    .map(\.id)
    var q = OccurrenceQuery(at: .now)
    q.within = DutyDuration(400, .days)
    let open = try planner.upcoming(q, records: try store.records()).filter {
        if case .quota = planner.policy.obligations[$0.obligation].deadline { return false }
        return true
    }.map(\.id.description)
    guard !counties.isEmpty, open.count >= clients else {
        throw BenchError("the generated organisation has \(counties.count) counties and \(open.count) open occurrences")
    }

    // The daemon.
    let p = Process()
    p.executableURL = URL(fileURLWithPath: dutyd)
    p.arguments = ["--config", settingsPath, "--log", "stderr"]
    p.standardError = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    defer {
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }
    let client = APIClient(socket: api + "/api.sock")
    var up = false
    for _ in 0..<1200 where !up {
        up = (try? await client.request("GET", "/v1/status").status) == 200
        if !up { try await Task.sleep(for: .milliseconds(100)) }
    }
    guard up else { throw BenchError("dutyd did not answer on \(api)/api.sock") }

    let end = ContinuousClock.now + .seconds(duration)
    let started = ContinuousClock.now
    let results = try await withThrowingTaskGroup(of: ClientTally.self) { group in
        for c in 0..<clients {
            // Every client has its own occurrences to complete: no two changes collide.
            let mine = stride(from: c, to: open.count, by: clients).map { open[$0] }
            group.addTask {
                var tally = ClientTally()
                var rng = SplitMix(state: UInt64(c + 1))
                var next = 0
                while ContinuousClock.now < end {
                    let county = counties[Int(rng.next() % UInt64(counties.count))]
                    let pick = rng.next() % 10
                    let request: (HTTPMethodName, String, Data?)
                    var occurrence: String?
                    switch pick {
                    case 0: request = (.get, "/v1/status", nil)
                    case 1, 2, 3:
                        request = (.get, "/v1/occurrences/upcoming?unit=\(county)&subtree=true&within=30d", nil)
                    case 4, 5: request = (.get, "/v1/occurrences/overdue?unit=\(county)&subtree=true", nil)
                    case 6, 7:
                        request = (.get, "/v1/report?year=\(today.year)&unit=\(county)&subtree=true", nil)
                    default:
                        guard next < mine.count else { continue }
                        occurrence = mine[next]
                        next += 1
                        request = (.post, "/v1/done", try JSONEncoder().encode(["occurrence": mine[next - 1]]))
                    }
                    let t0 = ContinuousClock.now
                    let status = try? await client.request(
                        request.0 == .get ? "GET" : "POST",
                        request.1,
                        body: request.2
                    )
                    .status
                    tally.latencies.append(seconds(ContinuousClock.now - t0) * 1000)
                    if status == 503 {
                        tally.refused += 1
                    } else if status != 200 {
                        tally.errors += 1
                    } else if let occurrence {
                        tally.done.append(occurrence)
                    }
                }
                return tally
            }
        }
        var all = ClientTally()
        for try await t in group {
            all.latencies += t.latencies
            all.errors += t.errors
            all.refused += t.refused
            all.done += t.done
        }
        return all
    }
    let elapsed = seconds(ContinuousClock.now - started)
    let recorded = Set(try store.records().completions.map(\.occurrence.description))
    let lost = results.done.filter { !recorded.contains($0) }.count
    let sorted = results.latencies.sorted()
    report("api.units", Double(units), "units")
    report("api.clients", Double(clients), "clients")
    report("api.requests", Double(sorted.count), "requests")
    report("api.changes", Double(results.done.count), "changes")
    report("api.requests_per_second", Double(sorted.count) / elapsed, "req/s")
    report("api.p50_ms", sorted.isEmpty ? 0 : sorted[sorted.count / 2], "ms")
    report("api.p99_ms", sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)], "ms")
    report("api.errors", Double(results.errors), "errors")
    report("api.refused_busy", Double(results.refused), "requests")
    report("api.changes_lost", Double(lost), "changes")
}

enum HTTPMethodName { case get, post }

struct ClientTally: Sendable {
    var latencies: [Double] = []
    var errors = 0
    var refused = 0
    var done: [String] = []
}
