import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyStore
import DutyTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The questions an administrator of a national organisation asks, through a release dutyd holding the
/// store `DutyBench engine` built (1,000,000 units), each asked with the release dutyctl as a user
/// would (its start included):
///
/// - `api.national.unit_ms`, `county_ms` (a county's subtree), `province_s` (a province's, about
///   34,000 rows), `all_30d_s` (the whole organisation's next 30 days, about a million rows), the table
///   to the last row; `all_30d_json_s` the same as full JSON;
/// - `all_30d_dutyd_rss_growth_mib` (dutyd's peak resident memory during it, over its idle figure),
///   `all_30d_dutyctl_peak_mib`;
/// - `summary_ms` (the whole organisation's top units, once the tally is kept) and
///   `summary_first_ms` (the first, which counts the year);
/// - `read_your_writes_ok`: 1 when each of 20 done/undo pairs is in the next question;
/// - `province_ics_s`: a province's `calendar export --ics`, with dutyd's growth and dutyctl's peak;
/// - `rss_start_mib` and `rss_after_mix_mib`: dutyd at rest after start and after `mixSeconds` of
///   mixed questions and changes (`BENCH_NATIONAL_MIX_SECONDS`, an hour for the figure the README quotes).
func nationalBench(dutyd: String, dutyctl: String, config: String, work: String, units: Int, mixSeconds: Int) throws {
    let big = work + "/state-\(units).sqlite"
    guard FileManager.default.fileExists(atPath: big) else {
        throw BenchError("\(big) is missing: run `DutyBench engine` first (make bench does)")
    }
    try DutyStore(path: big).setWatermark(SystemClock().now())
    try nationalQuestions(
        dutyd: dutyd,
        dutyctl: dutyctl,
        config: config,
        state: URL(fileURLWithPath: big).lastPathComponent,
        settings: work + "/national-\(units).toml",
        prefix: "api.national",
        mixSeconds: mixSeconds
    )
}

/// The national questions through a release dutyd on `state` (a SQLite file beside `settings`, or a
/// PostgreSQL database), each figure named `prefix.…`.
func nationalQuestions(
    dutyd: String,
    dutyctl: String,
    config: String,
    state: String,
    settings: String,
    prefix: String,
    mixSeconds: Int
) throws {
    func report(_ name: String, _ value: Double, _ unit: String) {
        DutyBench.report(prefix + "." + name, value, unit)
    }
    try writeSettings(settings, like: try Settings.load(path: config), state: state, trackFrom: nil)
    let socket = URL(fileURLWithPath: settings).deletingPathExtension().path + ".sock"
    let daemon = try startDaemon(dutyd, settings, watchdogSeconds: 300)
    defer { stop(daemon.process) }
    let pid = daemon.process.processIdentifier
    let idle = memoryMiB("VmRSS:", pid: pid)
    report("rss_start_mib", idle, "MiB")

    /// Runs dutyctl with `args` against the daemon: seconds to its end, its peak memory, its output's
    /// last line, and dutyd's peak resident memory meanwhile.
    func ask(_ args: [String]) throws -> (seconds: Double, peakMiB: Double, last: String, dutydMiB: Double) {
        // As systemd would: a notify socket nobody reads (ten datagrams queued) blocks dutyd's sd_notify.
        _ = daemon.listener.drain()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: dutyctl)
        p.arguments = args + ["--socket", socket]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let clock = ContinuousClock()
        let start = clock.now
        try p.run()
        // Read as it comes (a national table is 150 MB, its JSON 2.6 GB), keeping the last line; the
        // time is taken at the end of its output (dutyctl's exit), not when Foundation notices it.
        let fd = out.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var tail: [UInt8] = []
        var peak = 0.0
        var dutydPeak = 0.0
        var sampled = clock.now
        var finished = clock.now
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                finished = clock.now
                break
            }
            tail = Array((tail + buffer[0..<n]).suffix(4096))
            if clock.now - sampled > .milliseconds(50) {
                sampled = clock.now
                _ = daemon.listener.drain()
                peak = max(peak, memoryMiB("VmHWM:", pid: p.processIdentifier))
                dutydPeak = max(dutydPeak, memoryMiB("VmRSS:", pid: pid))
            }
        }
        peak = max(peak, memoryMiB("VmHWM:", pid: p.processIdentifier))
        let lines = String(decoding: tail, as: UTF8.self).split(separator: "\n")
        let last = lines.last(where: { !$0.hasPrefix("*") }).map(String.init) ?? ""
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("dutyctl \(args) exited with \(p.terminationStatus)") }
        return (seconds(finished - start), peak, last, dutydPeak)
    }
    func median(_ runs: Int, _ args: [String]) throws -> Double {
        var times: [Double] = []
        for _ in 0..<runs { times.append(try ask(args).seconds) }
        return times.sorted()[runs / 2]
    }

    let unit = "cn.p1.c1.k1"
    report("unit_ms", try median(5, ["upcoming", "--unit", unit, "--within", "30d"]) * 1000, "ms")
    report(
        "county_ms",
        try median(5, ["upcoming", "--unit", unit, "--subtree", "--within", "30d"]) * 1000,
        "ms"
    )
    let province = try ask(["upcoming", "--unit", "cn.p1", "--subtree", "--within", "30d"])
    report(
        "province_s",
        min(province.seconds, try median(3, ["upcoming", "--unit", "cn.p1", "--subtree", "--within", "30d"])),
        "s"
    )
    print("  (province: \(province.last))")
    let all = try ask(["upcoming", "--within", "30d"])
    report("all_30d_s", all.seconds, "s")
    report("all_30d_dutyd_rss_growth_mib", max(0, all.dutydMiB - idle), "MiB")
    report("all_30d_dutyctl_peak_mib", all.peakMiB, "MiB")
    print("  (whole organisation: \(all.last))")
    let json = try ask(["upcoming", "--within", "30d", "--json"])
    report("all_30d_json_s", json.seconds, "s")
    report("all_30d_json_dutyctl_peak_mib", json.peakMiB, "MiB")

    // A province's calendar for calendar clients (400 days ahead, 90 back), written as it is made.
    let ics = try ask(["calendar", "export", "--ics", "--unit", "cn.p1", "--subtree"])
    report("province_ics_s", ics.seconds, "s")
    report("province_ics_dutyd_rss_growth_mib", max(0, ics.dutydMiB - idle), "MiB")
    report("province_ics_dutyctl_peak_mib", ics.peakMiB, "MiB")

    report("summary_first_ms", try ask(["summary"]).seconds * 1000, "ms")
    report("summary_ms", try median(5, ["summary"]) * 1000, "ms")
    report(
        "summary_province_depth2_ms",
        try median(5, ["summary", "--unit", "cn.p1", "--depth", "2"]) * 1000,
        "ms"
    )

    // Read your writes: a done, then the next question from another dutyctl shows it; an undo, then not.
    var seen = true
    let occurrence = "annual-supervision/\(unit).xcb/\(CivilDate(iso: String(Date().ISO8601Format().prefix(10)))!.year)"
    // Its deadline (30 November) has passed: `overdue --state done` lists it once done.
    _ = try? ask(["undo", occurrence])
    let check = ["overdue", "--unit", unit + ".xcb", "--state", "done"]
    for _ in 0..<20 {
        _ = try ask(["done", occurrence])
        let afterDone = try ask(check).last
        _ = try ask(["undo", occurrence])
        let afterUndo = try ask(check).last
        seen = seen && afterDone.hasPrefix("1 ") && !afterUndo.hasPrefix("1 ")
    }
    report("read_your_writes_ok", seen ? 1 : 0, "")

    // Mixed questions and changes (each change makes dutyd read the records and count the year
    // again), then dutyd at rest again.
    let questions: [[String]] = [
        ["upcoming", "--unit", unit, "--within", "30d"], ["upcoming", "--unit", "cn.p2.c3.k4", "--subtree"],
        ["summary", "--unit", "cn.p3", "--depth", "2"], ["upcoming", "--unit", "cn.p4", "--subtree", "--within", "7d"],
        ["done", occurrence], ["overdue", "--unit", "cn.p5", "--subtree"],
        ["report", "--year", "2026", "--unit", "cn.p6.c1", "--subtree"], ["undo", occurrence],
        ["calendar", "export", "--ics", "--unit", "cn.p7.c2", "--subtree"], ["ledger", "--limit", "1000"],
    ]
    let clock = ContinuousClock()
    let end = clock.now + .seconds(mixSeconds)
    var asked = 0
    while clock.now < end {
        _ = try ask(questions[asked % questions.count])
        asked += 1
    }
    usleep(2_000_000)
    report("rss_after_mix_mib", memoryMiB("VmRSS:", pid: pid), "MiB")
    print("  (\(asked) mixed questions in \(mixSeconds) s)")
}
