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
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let stale = folder + "/" + name
            stopProcesses(naming: stale)
            let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
            for line in mounts.split(separator: "\n").reversed() {
                let point = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                if point.hasPrefix(stale + "/") { quietly("/bin/umount", ["-l", point]) }
            }
            // Never through a mount that did not go.
            quietly("/bin/rm", ["-rf", "--one-file-system", stale])
        }
    }

    /// Runs a program to its end, its output discarded (not `runTool`: that uses the scratch folder,
    /// which is being made when this runs).
    static func quietly(_ path: String, _ arguments: [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        try? p.waitForExit(seconds: 60)
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
/// enough for a hook's six runs to fail one after the other. So the bytes go to a file beside it,
/// and `install` copies them into place in a process of its own, which has ended before anyone runs
/// the file.
package func writeExecutable(_ bytes: some Collection<UInt8>, to path: String) throws {
    let part = path + ".part"
    unlink(path)
    unlink(part)
    defer { unlink(part) }
    let fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    let data = Array(bytes)
    var written = 0
    while written < data.count {
        let n = data[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        written += n
    }
    close(fd)
    let installed = try runTool("/usr/bin/install", ["-m", "0755", part, path])
    guard installed.status == 0 else { throw ToolError("install \(path): \(installed.err)") }
}

/// The processor time the calling thread has used, in seconds: for bounds on work that must hold
/// however busy the machine is.
package func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
