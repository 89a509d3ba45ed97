import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The daemon as systemd runs it: start to READY=1, resident memory once ready, and how often it wakes
/// when nothing is due. `dutyd` is the release binary; this process stands in for systemd
/// (NOTIFY_SOCKET, WATCHDOG_USEC).
///
/// - `daemon.rss_example.mib`, `daemon.idle.*`: the example organisation, tracked from 40 days ahead so
///   nothing is due for a month, watchdog 20 s (pings every 10 s: the watchdog needs 360 an hour).
///   `wakeups_per_hour` counts 5 ms samples in which any thread of dutyd ran (a libdispatch worker's
///   once-a-second pool monitor would show here); `scheduler_wakeups_per_hour` counts the scheduler's
///   wakes, each of which pings the watchdog.
/// - `daemon.startup_1m.seconds`, `daemon.rss_1m.mib`: the 1,000,000-unit store the engine benchmark
///   built, restarted (the ledger's watermark is now, as after a normal stop).
func daemonBench(dutyd: String, config: String, work: String, units: Int, idleSeconds: Int) throws {
    let today = CivilDate(iso: String(Date().ISO8601Format().prefix(10)))!
    // Example, idle.
    let folder = work + "/daemon-example"
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let base = try Settings.load(path: config)
    let repo = URL(fileURLWithPath: config).deletingLastPathComponent().path
    let settings = folder + "/dutyd.toml"
    try writeSettings(settings, like: base, state: "dutyd.sqlite", trackFrom: today.adding(days: 40))
    let workspace = try Workspace.load(try Settings.load(path: settings))
    let store = try workspace.openStore()
    try importOrganisation(from: repo + "/organisation", into: store, policy: workspace.policy, addedOn: today)
    let example = try startDaemon(dutyd, settings, watchdogSeconds: 20)
    report("daemon.startup_example.seconds", example.startup, "s")
    report("daemon.rss_example.mib", memoryMiB("VmRSS:", pid: example.process.processIdentifier), "MiB")
    _ = example.listener.drain()
    let wakes = try idleWakeups(example.process.processIdentifier, seconds: idleSeconds)
    let pings = example.listener.drain().filter { $0.contains("WATCHDOG=1") }.count
    report("daemon.idle.wakeups_per_hour", Double(wakes) * 3600 / Double(idleSeconds), "wakeups")
    report("daemon.idle.scheduler_wakeups_per_hour", Double(pings) * 3600 / Double(idleSeconds), "wakeups")
    report("daemon.idle.watchdog_needs_per_hour", 3600 / 10, "pings")
    stop(example.process)

    // The example again, after hooks and mail have run: tracked from 40 days back, so the catch-up at
    // start runs a hook for every escalation; then watched idle like above. A command runner or a
    // resolver that left a libdispatch worker behind would show here as one more wake a second.
    let hooked = work + "/daemon-hooked"
    try? FileManager.default.removeItem(atPath: hooked)
    try FileManager.default.createDirectory(atPath: hooked, withIntermediateDirectories: true)
    let hookedSettings = hooked + "/dutyd.toml"
    try writeSettings(
        hookedSettings,
        like: base,
        state: "dutyd.sqlite",
        trackFrom: today.adding(days: -40),
        extra: """
            [[hook]]
            name = "bench"
            command = ["/bin/sh", "-c", "cat >/dev/null"]
            """
    )
    let hookedStore = try Workspace.load(try Settings.load(path: hookedSettings)).openStore()
    try importOrganisation(from: repo + "/organisation", into: hookedStore, policy: workspace.policy, addedOn: today)
    let afterHooks = try startDaemon(dutyd, hookedSettings, watchdogSeconds: 20)
    var runs = 0
    for _ in 0..<600 where runs == 0 {
        runs = try hookedStore.ledger().filter { $0.channel == "hook:bench" && $0.state == .sent }.count
        if runs == 0 { usleep(100_000) }
    }
    guard runs > 0 else { throw BenchError("the catch-up ran no hook with \(hookedSettings)") }
    usleep(2_000_000)
    runs = try hookedStore.ledger().filter { $0.channel == "hook:bench" && $0.state == .sent }.count
    report("daemon.idle_after_hooks.hook_runs", Double(runs), "runs")
    let wakesAfter = try idleWakeups(afterHooks.process.processIdentifier, seconds: idleSeconds)
    report("daemon.idle_after_hooks.wakeups_per_hour", Double(wakesAfter) * 3600 / Double(idleSeconds), "wakeups")
    stop(afterHooks.process)

    // A million units, restarted.
    let big = work + "/state-\(units).sqlite"
    guard FileManager.default.fileExists(atPath: big) else {
        throw BenchError("\(big) is missing: run `DutyBench engine` first (make bench does)")
    }
    try DutyStore(path: big).setWatermark(SystemClock().now())
    let bigSettings = work + "/daemon-\(units).toml"
    try writeSettings(bigSettings, like: base, state: URL(fileURLWithPath: big).lastPathComponent, trackFrom: nil)
    let million = try startDaemon(dutyd, bigSettings, watchdogSeconds: 300)
    report("daemon.startup_\(units == 1_000_000 ? "1m" : String(units)).seconds", million.startup, "s")
    report(
        "daemon.rss_\(units == 1_000_000 ? "1m" : String(units)).mib",
        memoryMiB("VmRSS:", pid: million.process.processIdentifier),
        "MiB"
    )
    stop(million.process)
}

/// A settings file with the zone, policy and holidays of `base` (made absolute) and its own
/// state store.
func writeSettings(
    _ path: String,
    like base: Settings,
    state: String,
    trackFrom: CivilDate?,
    extra: String = ""
) throws {
    let cwd = FileManager.default.currentDirectoryPath
    let quoted = { (list: [String]) in
        list.map { "\"\($0.hasPrefix("/") ? $0 : cwd + "/" + $0)\"" }.joined(separator: ", ")
    }
    var text = """
        timezone = "\(base.timezone.identifier)"
        state = "\(state)"
        policy = [\(quoted(base.policy))]
        holidays = [\(quoted(base.holidays))]

        """
    if let trackFrom { text += "track_from = \"\(trackFrom)\"\n" }
    // Its own API socket beside the settings, never a running dutyd's /run/dutyd/api.sock.
    text += "\n[api]\nsocket = \"\(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent).sock\"\n"
    if !extra.isEmpty { text += "\n" + extra + "\n" }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

func startDaemon(
    _ dutyd: String,
    _ settings: String,
    watchdogSeconds: Int,
    arguments: [String] = []
) throws -> (
    process: Process, startup: Double, listener: NotifyListener
) {
    let listener = try NotifyListener()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: dutyd)
    p.arguments = ["--config", settings] + arguments
    var env = ProcessInfo.processInfo.environment
    env["NOTIFY_SOCKET"] = listener.path
    env["WATCHDOG_USEC"] = String(watchdogSeconds * 1_000_000)
    p.environment = env
    p.standardError = FileHandle.nullDevice
    let clock = ContinuousClock()
    let start = clock.now
    try p.run()
    guard listener.wait(for: "READY=1", timeout: 600).found != nil else {
        p.terminate()
        throw BenchError("dutyd did not report READY=1 with \(settings)")
    }
    return (p, seconds(clock.now - start), listener)
}

func stop(_ p: Process) {
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
}

/// Samples every 5 ms whether any thread of `pid` was switched in; each sample with activity is a wake.
private func idleWakeups(_ pid: Int32, seconds: Int) throws -> Int {
    func switches() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var total = 0
        for t in tasks {
            guard let s = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/status", encoding: .utf8) else {
                continue
            }
            for line in s.split(separator: "\n") {
                if line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") {
                    total += Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        return total
    }
    // Let the start settle.
    usleep(1_000_000)
    var last = switches()
    var wakes = 0
    var running = false
    let end = Date().addingTimeInterval(Double(seconds))
    while Date() < end {
        usleep(5_000)
        let now = switches()
        // A wake that lasts across samples (a scheduler tick reading the store takes 5–15 ms) is one.
        if now != last && !running { wakes += 1 }
        running = now != last
        last = now
    }
    return wakes
}
