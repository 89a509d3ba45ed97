import DutyStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built binaries, a configuration of the example in a temporary folder, and the real journal.
struct Daemon {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    let folder: URL
    let config: String
    var state: String { folder.appendingPathComponent("dutyd.sqlite").path }

    /// The example organisation (plus `extraUnits` generated units with a clerk each), tracked from
    /// 1 January 2026, with its own copy of the policy so a test may break it.
    init(extraUnits: Int = 0) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dutyd-e2e-\(UUID().uuidString)")
        let policy = folder.appendingPathComponent("policy")
        try FileManager.default.createDirectory(at: policy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repo.appendingPathComponent("config/policy/ideology-responsibility.toml"),
            to: policy.appendingPathComponent("ideology-responsibility.toml")
        )
        config = folder.appendingPathComponent("dutyd.toml").path
        try """
        timezone = "Asia/Shanghai"
        state = "dutyd.sqlite"
        policy = ["policy"]
        holidays = ["\(Self.repo.appendingPathComponent("config/holidays/cn").path)"]
        track_from = "2026-01-01"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        var units = try String(
            contentsOf: Self.repo.appendingPathComponent("config/organisation/units.csv"),
            encoding: .utf8
        )
        var officials = try String(
            contentsOf: Self.repo.appendingPathComponent("config/organisation/officials.csv"),
            encoding: .utf8
        )
        for n in 0..<extraUnits {
            units += "gd.gz.panyu.u\(n),番禺区第\(n)基层党组织,unit,gd.gz.panyu,\n"
            officials += "clerk.u\(n),联络员\(n),clerk\(n)@example.org,gd.gz.panyu.u\(n),clerk\n"
        }
        let u = folder.appendingPathComponent("units.csv").path
        let o = folder.appendingPathComponent("officials.csv").path
        try units.write(toFile: u, atomically: true, encoding: .utf8)
        try officials.write(toFile: o, atomically: true, encoding: .utf8)
        try #require(Self.run("dutyctl", ["unit", "import", u, "--config", config]).status == 0)
        try #require(Self.run("dutyctl", ["official", "import", o, "--config", config]).status == 0)
    }

    struct Result {
        var status: Int32
        var out: String
        var err: String
        var pid: Int32
    }

    /// Runs a built binary to the end.
    static func run(_ name: String, _ args: [String], environment: [String: String] = [:]) throws -> Result {
        let p = try start(name, args, environment: environment)
        let o = (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let e = (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus,
            out: String(decoding: o, as: UTF8.self),
            err: String(decoding: e, as: UTF8.self),
            pid: p.processIdentifier
        )
    }

    /// Starts a built binary; its output goes to pipes.
    static func start(_ name: String, _ args: [String], environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = products.appendingPathComponent(name)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        env.removeValue(forKey: "WATCHDOG_PID")
        env.merge(environment) { _, new in new }
        p.environment = env
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        try p.run()
        return p
    }

    func store() throws -> DutyStore { try DutyStore(path: state) }
}

/// The real journal, read back with journalctl.
enum JournalReader {
    /// Fails with what to do when no journald answers (make test starts one).
    static func requireJournald() throws {
        let r = try shell("journalctl", ["-n", "0", "--no-pager"])
        try #require(
            FileManager.default.fileExists(atPath: "/run/systemd/journal/socket") && r.status == 0,
            "no systemd-journald: `make test` starts one (mkdir -p /run/systemd/journal; /lib/systemd/systemd-journald &)"
        )
    }

    /// The entries written by these processes, waiting up to 10 s for at least `atLeast` of them.
    static func entries(pids: [Int32], atLeast: Int = 1) throws -> [[String: String]] {
        var out: [[String: String]] = []
        for _ in 0..<100 {
            var args = ["-o", "json", "--no-pager", "--all"]
            for (i, pid) in pids.enumerated() {
                if i > 0 { args.append("+") }
                args.append("_PID=\(pid)")
            }
            let r = try shell("journalctl", args)
            out = r.out.split(separator: "\n").compactMap { line in
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    return nil
                }
                var d: [String: String] = [:]
                for (k, v) in obj {
                    if let s = v as? String { d[k] = s }
                }
                return d
            }
            if out.count >= atLeast { return out }
            usleep(100_000)
        }
        return out
    }

    static func shell(_ exe: String, _ args: [String]) throws -> Daemon.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [exe] + args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Daemon.Result(
            status: p.terminationStatus,
            out: String(decoding: o, as: UTF8.self),
            err: String(decoding: e, as: UTF8.self),
            pid: p.processIdentifier
        )
    }
}

/// A datagram socket named by `NOTIFY_SOCKET`, as systemd listens for sd_notify messages.
final class NotifyListener {
    let path: String
    private let fd: Int32

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(path.utf8)
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(ok == 0, "cannot bind \(path)")
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next message, or `nil` after `timeout` seconds.
    func next(timeout: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { return String(decoding: buffer[0..<n], as: UTF8.self) }
        }
        return nil
    }

    /// Waits for a message starting with `prefix` (or containing it as a line); returns it and what came before.
    func wait(for line: String, timeout: Double = 20) -> (found: String?, before: [String]) {
        var before: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let m = next(timeout: deadline.timeIntervalSinceNow) else { break }
            if m.split(separator: "\n").contains(where: { $0.hasPrefix(line) }) { return (m, before) }
            before.append(m)
        }
        return (nil, before)
    }
}
