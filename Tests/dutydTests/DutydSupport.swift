import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built binaries, a configuration of the example in a temporary folder, and the real journal.
struct Daemon {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let folder: URL
    let config: String
    /// The setting `state`: a PostgreSQL connection string, else `dutyd.sqlite` in the folder.
    var database: String?
    var state: String { database ?? folder.appendingPathComponent("dutyd.sqlite").path }
    /// The API socket the daemon of this configuration listens on.
    var socket: String { folder.appendingPathComponent("api.sock").path }

    /// The example organisation (plus `extraUnits` generated units with a clerk each), tracked from
    /// 1 January 2026, with its own copy of the policy so a test may break it.
    /// `settings` is added to the settings file (an `[email]` table, hooks).
    /// `api` is added to its `[api]` table (groups).
    /// `database`: a PostgreSQL connection string for `state`; `importing: false` leaves the
    /// organisation as it is there (a second dutyd on a database the first filled).
    init(
        extraUnits: Int = 0,
        settings extra: String = "",
        api: String = "",
        database: String? = nil,
        importing: Bool = true
    ) throws {
        self.database = database
        folder = scratchDirectory.appendingPathComponent("dutyd-e2e-\(UUID().uuidString)")
        let policy = folder.appendingPathComponent("policy")
        try FileManager.default.createDirectory(at: policy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repo.appendingPathComponent("config/policy/ideology-responsibility.toml"),
            to: policy.appendingPathComponent("ideology-responsibility.toml")
        )
        config = folder.appendingPathComponent("dutyd.toml").path
        try """
        timezone = "Asia/Shanghai"
        state = "\(database ?? "dutyd.sqlite")"
        policy = ["policy"]
        holidays = ["\(Self.repo.appendingPathComponent("config/holidays/cn").path)"]
        track_from = "2026-01-01"

        \(extra)

        [api]
        socket = "api.sock"
        \(api)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        guard importing else { return }
        let (units, officials) = try exampleOrganisationCSV(extraUnits: extraUnits)
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
        try finish(try start(name, args, environment: environment))
    }

    /// Runs `p` (started or not) to the end and collects its output.
    static func finish(_ p: Process) throws -> Result {
        if p.standardOutput == nil || !(p.standardOutput is Pipe) {
            p.standardOutput = Pipe()
            p.standardError = Pipe()
        }
        if !p.isRunning && p.processIdentifier == 0 { try p.run() }
        // Both pipes are drained at once: a process that fills one while we wait on the other would
        // never finish.
        let errors = (p.standardError as! Pipe).fileHandleForReading
        let collected = Collected()
        let reader = Thread { collected.data = errors.readDataToEndOfFile() }
        reader.start()
        let o = (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        try p.waitForExit()
        while reader.isExecuting || !reader.isFinished { usleep(1_000) }
        let e = collected.data  // the reader finished: no one else touches it
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
        p.executableURL = Products.program(name)
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

    func store() throws -> DutyStore { try DutyStore.open(state) }

    /// A copy of `file` that other users can run or read, for tests that act as them: the clone
    /// (and its build folder) may sit under a folder only root can enter, such as /root or a
    /// `mktemp -d` folder. The copies live in the scratch folder, removed when the tests end.
    static func forOtherUsers(_ file: URL) throws -> String {
        try sharedCopies.withLock { copies in
            if let copy = copies[file.path] { return copy }
            let copy = scratchDirectory.appendingPathComponent(file.lastPathComponent).path
            try writeExecutable(try Data(contentsOf: file), to: copy)
            copies[file.path] = copy
            return copy
        }
    }

    private static let sharedCopies = Mutex<[String: String]>([:])

    /// Where `launch` writes the standard output and error of what it starts.
    var log: URL { folder.appendingPathComponent("dutyd.log") }

    /// The names of a process's threads. libdispatch names its workers after their queues
    /// (`com.apple.root.*-qos*`); the first one arms libdispatch's once-a-second pool monitor, so an idle
    /// dutyd must have none.
    static func threadNames(_ pid: Int32) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").map {
            (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8)) ?? ""
        }
    }
}

/// The real journal, read back with journalctl.
enum JournalReader {
    /// Fails with what to do when no journald answers (make test starts one).
    static func requireJournald() throws {
        let r = try shell("journalctl", ["-n", "0", "--no-pager"])
        let running = try shell("pgrep", ["-x", "systemd-journal"]).status == 0
        try #require(
            FileManager.default.fileExists(atPath: "/run/systemd/journal/socket") && r.status == 0 && running,
            "no systemd-journald: `make test` starts one (mkdir -p /run/systemd/journal; /lib/systemd/systemd-journald &)"
        )
    }

    /// When this test process started (from /proc), a second early. Process ids wrap (pid_max is
    /// 32768 here) and the journal keeps earlier runs: an old dutyd with the same pid must not count.
    static let runStart: Int = {
        let stat = (try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        // Field 22 of the whole line is the start time in clock ticks after boot; after the ")" the
        // fields start at number 3.
        let ticks = fields.count > 19 ? Int(fields[19]) ?? 0 : 0
        let boot =
            ((try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? "").split(separator: "\n")
            .first { $0.hasPrefix("btime ") }.flatMap { Int($0.dropFirst(6)) } ?? 0
        return boot + ticks / max(1, sysconf(Int32(_SC_CLK_TCK))) - 1
    }()

    /// The entries written by these processes (during this test run), waiting up to 60 s for at least
    /// `atLeast` of them; fails when fewer come.
    static func entries(pids: [Int32], atLeast: Int = 1) throws -> [[String: String]] {
        var out: [[String: String]] = []
        try waitFor("\(atLeast) journal entries from \(pids)", seconds: 60, poll: 0.1) {
            var args = ["-o", "json", "--no-pager", "--all", "--since", "@\(runStart)"]
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
            return out.count >= atLeast
        }
        return out
    }

    static func shell(_ exe: String, _ args: [String]) throws -> Daemon.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [exe] + args
        return try Daemon.finish(p)
    }
}

/// What a reader thread collected; read only after the thread finished.
private final class Collected: @unchecked Sendable {
    var data = Data()
}

/// Runs `body` on a thread of its own and waits for it without holding one of the test runner's
/// threads: a test that must poll every millisecond (to kill a process at the right moment) is then
/// neither held up by the tests that block, nor holds up the ones that await. `body` must not record
/// issues (they belong to the test's task); it returns what the test then checks.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        Thread { c.resume(with: Result { try body() }) }.start()
    }
}

extension Daemon {
    /// Starts a long-running program for `d` (dutyd, or dutyd behind `unshare` or `strace`) with its
    /// output in `d`'s `dutyd.log`: a pipe nobody reads while it runs would fill and stop it. The
    /// service-manager variables of the test's own environment are removed, `environment` added.
    static func launch(
        _ d: Daemon,
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env.removeValue(forKey: k) }
        env.merge(environment) { _, new in new }
        p.environment = env
        let log = d.log
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        p.standardOutput = try FileHandle(forWritingTo: log)
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        return p
    }
}

/// The users and groups tests act as (readers, admins, strangers): made when first needed, with the
/// groups asked for, and removed when the test process exits, unless they were there before.
enum TestUsers {
    private static let made = Mutex<(users: [String], groups: [String], cleanup: Bool)>(([], [], false))

    /// Makes sure `user` exists, a system user with no home, in exactly `groups` (made if needed).
    static func user(_ user: String, groups: [String]) throws {
        try #require(getuid() == 0, "creating users needs root (make test runs as root, as CI does)")
        try made.withLock { made in
            if !made.cleanup {
                made.cleanup = true
                atexit { TestUsers.removeAll() }
            }
            for g in groups where getgrnam(g) == nil {
                let r = try JournalReader.shell("groupadd", ["-f", g])
                #expect(r.status == 0, "groupadd \(g): \(r.err)")
                made.groups.append(g)
            }
            if getpwnam(user) == nil {
                var args = ["--system", "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin"]
                if !groups.isEmpty { args += ["-G", groups.joined(separator: ",")] }
                let r = try JournalReader.shell("useradd", args + [user])
                #expect(r.status == 0, "useradd \(user): \(r.err)")
                made.users.append(user)
            }
            let r = try JournalReader.shell("usermod", ["-G", groups.joined(separator: ","), user])
            #expect(r.status == 0, "usermod \(user): \(r.err)")
        }
    }

    private static func removeAll() {
        let (users, groups) = made.withLock { ($0.users, $0.groups) }
        for u in users { _ = try? JournalReader.shell("userdel", [u]) }
        for g in groups { _ = try? JournalReader.shell("groupdel", [g]) }
    }
}

/// Another program holding a SQLite store's write lock, as an administrator's sqlite3 session or a
/// backup might: Python's sqlite3, a writer like any other (its last change is in the WAL), takes it
/// and keeps it until `release` (or the test process ends).
final class SQLiteLock: @unchecked Sendable {
    private let holder = Process()
    private let input = Pipe()
    private let released = Mutex(false)

    init(_ state: String) throws {
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c",
            "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute(\"INSERT OR REPLACE INTO daemon_state (key, value) VALUES ('external-writer', '1')\")\nc.execute('BEGIN EXCLUSIVE')\nprint('LOCKED', flush=True)\nsys.stdin.read()\nc.execute('ROLLBACK')",
            state,
        ]
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        // Ends with python3 when it could not take the lock.
        let first = String(decoding: output.fileHandleForReading.readData(ofLength: 6), as: UTF8.self)
        guard first == "LOCKED" else {
            release()
            throw ToolError("python3 could not take the write lock of \(state)")
        }
    }

    /// Lets go of the lock and waits for the holder to end (once; later calls do nothing).
    func release() {
        guard
            released.withLock({ was in
                defer { was = true }
                return !was
            })
        else { return }
        try? input.fileHandleForWriting.close()
        do { try holder.waitForExit(seconds: 60) } catch { Issue.record("the lock's holder: \(error)") }
    }
}
