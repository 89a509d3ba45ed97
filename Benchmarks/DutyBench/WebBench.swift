import DutyCalendar
import DutyFiles
import DutyStore
import DutyTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The officials' pages at national scale, through a release dutyd holding the store `DutyBench engine`
/// built (1,000,000 units), with `[web]` on a free local port:
///
/// - `web.official_page_ms`: a county committee's clerk's page (`/me`), the median of 21 views, timed
///   by curl on the loopback (what the server takes, plus a loopback round trip);
/// - `web.board_node_ms`: a province's board (`/board`, its secretary), the median of 21;
/// - `web.requests_per_second` and `web.p99_ms`: `wrk` on the official's page for `seconds` with 2
///   threads and 32 connections (Debian's `wrk`);
/// - `web.scheduler_late_s`: the scheduler's timing under that load. dutyd starts again with its clock
///   (`--start-at`) 40 s before its next batch of steps; `wrk` runs over the moment; the first delivery
///   of the batch is ledgered this many whole seconds after it fell due (0: on time, to the second).
func webBench(dutyd: String, dutyctl: String, config: String, work: String, units: Int, seconds: Int) throws {
    let big = work + "/state-\(units).sqlite"
    guard FileManager.default.fileExists(atPath: big) else {
        throw BenchError("\(big) is missing: run `DutyBench engine` first (make bench does)")
    }
    let key = work + "/web.key"
    _ = FileManager.default.createFile(
        atPath: key,
        contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }),
        attributes: [.posixPermissions: 0o600]
    )
    let port = try freePort()
    let settings = work + "/web-\(units).toml"
    try writeSettings(
        settings,
        like: try Settings.load(path: config),
        state: URL(fileURLWithPath: big).lastPathComponent,
        trackFrom: nil,
        extra: """
            [web]
            listen = "127.0.0.1:\(port)"
            base_url = "http://127.0.0.1:\(port)"
            secret_file = "\(FileManager.default.currentDirectoryPath)/\(key)"
            """
    )
    let socket = work + "/web-\(units).sock"
    let next = try pages(
        dutyd: dutyd,
        dutyctl: dutyctl,
        settings: settings,
        socket: socket,
        port: port,
        seconds: seconds
    )
    try schedulerUnderLoad(
        dutyd: dutyd,
        dutyctl: dutyctl,
        settings: settings,
        socket: socket,
        port: port,
        state: big,
        next: next
    )
}

/// The session cookie of `official`, from a fresh personal link.
private func cookie(_ official: String, dutyctl: String, socket: String) throws -> String {
    let link = try run(dutyctl, ["official", "link", official, "--socket", socket])
        .trimmingCharacters(in: .whitespacesAndNewlines)
    let head = try run("/usr/bin/curl", ["-s", "-i", link])
    guard let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie:") }),
        let value = line.split(separator: " ").dropFirst().first?.split(separator: ";").first
    else { throw BenchError("no session from \(link): \(head.prefix(300))") }
    return String(value)
}

/// `wrk` on the official's page: requests per second and the 99th percentile in milliseconds.
private func wrk(_ base: String, cookie: String, seconds: Int) throws -> (rps: Double, p99: Double) {
    let out = try run(
        "/usr/bin/wrk",
        ["-t2", "-c32", "-d\(seconds)s", "--latency", "-H", "Cookie: \(cookie)", base + "/me"]
    )
    func figure(_ prefix: String) -> String? {
        out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(prefix) }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
    }
    guard let rps = figure("Requests/sec:").flatMap(Double.init), let p99 = figure("99%") else {
        throw BenchError("wrk said: \(out)")
    }
    if out.contains("Non-2xx") { print("  (wrk: \(out.split(separator: "\n").filter { $0.contains("Non-2xx") }))") }
    let ms: Double =
        p99.hasSuffix("ms")
        ? Double(p99.dropLast(2)) ?? -1
        : p99.hasSuffix("us") ? (Double(p99.dropLast(2)) ?? -1) / 1000 : (Double(p99.dropLast(1)) ?? -1) * 1000
    return (rps, ms)
}

/// The pages' figures; returns the daemon's next step time.
private func pages(
    dutyd: String,
    dutyctl: String,
    settings: String,
    socket: String,
    port: Int,
    seconds: Int
) throws -> Instant {
    let daemon = try startDaemon(dutyd, settings, watchdogSeconds: 300)
    defer { stop(daemon.process) }
    let base = "http://127.0.0.1:\(port)"

    /// The median time curl takes for `path` with `cookie`, over `runs`, in milliseconds.
    func median(_ path: String, _ cookie: String, runs: Int = 21) throws -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            _ = daemon.listener.drain()
            let out = try run(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", "Cookie: \(cookie)", base + path]
            )
            let parts = out.split(separator: " ")
            guard parts.first == "200", let t = Double(parts.last ?? "") else { throw BenchError("\(path): \(out)") }
            times.append(t * 1000)
        }
        return times.sorted()[runs / 2]
    }

    // A county committee's clerk, and a province's secretary (a supervisor of the province).
    let clerk = try cookie("o68", dutyctl: dutyctl, socket: socket)
    let secretary = try cookie("o22", dutyctl: dutyctl, socket: socket)
    report("web.official_page_ms", try median("/me", clerk), "ms")
    report("web.board_node_ms", try median("/board", secretary), "ms")
    report("web.board_child_ms", try median("/board?unit=cn.p1.c1", secretary), "ms")

    let (rps, p99) = try wrk(base, cookie: clerk, seconds: seconds)
    report("web.requests_per_second", rps, "req/s")
    report("web.p99_ms", p99, "ms")
    let status = try run(dutyctl, ["status", "--json", "--socket", socket])
    guard let json = try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any],
        let first = (json["next"] as? [[String: Any]])?.first?["at"] as? String, let at = Instant(iso: first)
    else { throw BenchError("no next step in \(status.prefix(500))") }
    return at
}

/// The scheduler's timing while the pages are under load (`web.scheduler_late_s`).
private func schedulerUnderLoad(
    dutyd: String,
    dutyctl: String,
    settings: String,
    socket: String,
    port: Int,
    state: String,
    next: Instant
) throws {
    let lead = 40
    let wallStart = Date().timeIntervalSince1970
    let daemon = try startDaemon(
        dutyd,
        settings,
        watchdogSeconds: 300,
        arguments: ["--start-at", Instant(seconds: next.seconds - lead).format(in: .utc)]
    )
    defer { stop(daemon.process) }
    let clerk = try cookie("o68", dutyctl: dutyctl, socket: socket)
    // From now until well past the batch's moment.
    let remaining = Int(wallStart) + lead - Int(Date().timeIntervalSince1970)
    let (rps, _) = try wrk("http://127.0.0.1:\(port)", cookie: clerk, seconds: max(remaining, 0) + 15)
    let row = try run(
        "/usr/bin/sqlite3",
        [
            state,
            "SELECT MIN(first_attempt_at), COUNT(*) FROM notification WHERE due_at = \(next.seconds) AND first_attempt_at IS NOT NULL",
        ]
    ).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
    guard row.count == 2, let firstAttempt = Double(row[0]), let count = Int(row[1]) else {
        throw BenchError("the batch due \(next.format(in: .utc)) did not start while wrk ran (\(row))")
    }
    report("web.scheduler_late_s", max(0, firstAttempt - (wallStart + Double(lead)).rounded(.down)), "s")
    print("  (the batch of \(next.format(in: .utc)): \(count) deliveries begun; wrk meanwhile \(Int(rps)) req/s)")
}

/// `exe args`'s standard output; fails on a non-zero exit.
func run(_ exe: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw BenchError("\(exe) \(args) exited with \(p.terminationStatus)") }
    return String(decoding: data, as: UTF8.self)
}

/// A TCP port nothing listens on now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw BenchError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
