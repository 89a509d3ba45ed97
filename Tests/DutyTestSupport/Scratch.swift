package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where tests put what they create: one folder per test process in the system's temporary folder,
/// mode 0755 (tests that act as other users hand them files there), removed with everything in it
/// when the process exits. Tests name their files and folders inside it as before; nothing is left
/// in /tmp after `swift test`, whichever tests passed or failed.
package var scratchDirectory: URL { Scratch.root }

/// What `Scratch.sweep` does to the system's temporary folder, done to `folder` (for its test).
package func sweepStaleScratch(in folder: String) { Scratch.sweep(folder) }

/// Runs a program to its end (at most `seconds`, then killed), its output discarded; its exit
/// status. Not `runTool`, which keeps the output in the scratch folder: the sweep runs while that
/// folder is being made.
@discardableResult
package func runQuietly(_ path: String, _ arguments: [String], seconds: Double = 600) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    try p.waitForExit(seconds: seconds)
    return p.terminationStatus
}

/// Whether no process has the id `pid` now (a dead test process's folder is anyone's to remove).
package func processIsGone(_ pid: pid_t) -> Bool { kill(pid, 0) != 0 && errno == ESRCH }

enum Scratch {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("dutyd-tests-\(getpid())").path

    static let root: URL = {
        sweep(FileManager.default.temporaryDirectory.path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.path) }
        return URL(fileURLWithPath: path)
    }()

    /// Removes what a test process that was killed (SIGKILL, Ctrl-C, a timeout: its exit handlers
    /// never ran) left in `folder`: the processes it started there, which outlive it (PostgreSQL
    /// servers, dutyd, mail servers, a container), the mounts below its folder (the container's
    /// overlay), then the folder. Only folders whose process is gone; a live one is another run's.
    static func sweep(_ folder: String) {
        let prefix = "dutyd-tests-"
        let stale = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
            guard name.hasPrefix(prefix), let pid = pid_t(name.dropFirst(prefix.count)) else { return false }
            return pid > 0 && pid != getpid() && processIsGone(pid)
        }.map { folder + "/" + $0 }
        guard !stale.isEmpty else { return }
        // Mount points, the deepest last in the file: unmounted in reverse.
        let mounts = ((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }.reversed()
        for dead in stale {
            stopProcesses(naming: dead)
            for point in mounts where point.hasPrefix(dead + "/") {
                _ = try? runQuietly("/bin/umount", ["-l", point], seconds: 60)
            }
            // Never through a mount that did not go.
            _ = try? runQuietly("/bin/rm", ["-rf", "--one-file-system", dead], seconds: 60)
        }
    }

    /// Ends every process one of whose arguments is `folder` or a path in it: a PostgreSQL server
    /// with SIGQUIT (an immediate shutdown; its backends go with it), the others with SIGTERM
    /// (systemd-nspawn then powers its container off); SIGKILL to any still there after 10 s.
    static func stopProcesses(naming folder: String) {
        var ended: [pid_t] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            else { continue }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.contains(where: { $0 == folder || $0.hasPrefix(folder + "/") }) else { continue }
            let postgres = arguments.contains { ($0 as NSString).lastPathComponent == "postgres" }
            kill(pid, postgres ? SIGQUIT : SIGTERM)
            ended.append(pid)
        }
        let deadline = Date().addingTimeInterval(10)
        while ended.contains(where: { kill($0, 0) == 0 }) && Date() < deadline { usleep(20_000) }
        for pid in ended where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }
}

/// Writes an executable (a hook, a fake sendmail) that no process of this one holds open for writing.
/// A file this process writes itself is open for writing in every child another thread starts at
/// that moment, until the child's exec (O_CLOEXEC closes it only then), and running the file in that
/// window fails with "Text file busy" (ETXTBSY): under the full suite's load a child can wait long
/// enough for a hook's six runs to fail one after the other. So `install` writes it from its standard
/// input (`runTool`'s input file), in a process of its own that has ended before anyone runs it.
package func writeExecutable(_ bytes: some Collection<UInt8>, to path: String) throws {
    unlink(path)
    let installed = try runTool("/usr/bin/install", ["-m", "0755", "/dev/stdin", path], input: Array(bytes))
    guard installed.status == 0 else { throw ToolError("install \(path): \(installed.err)") }
}

/// The processor time the calling thread has used, in seconds: for bounds on work that must hold
/// however busy the machine is.
package func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
