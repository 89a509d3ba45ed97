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

/// Writes an executable (a hook, a fake sendmail) through a descriptor that no child process can
/// inherit (O_CLOEXEC). Written the ordinary way, a process that another test starts at that moment
/// keeps the file open for writing, and running the file then fails with "Text file busy" (ETXTBSY)
/// for as long as that process lives.
package func writeExecutable(_ bytes: some Collection<UInt8>, to path: String) throws {
    unlink(path)
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let data = Array(bytes)
    var written = 0
    while written < data.count {
        let n = data[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        written += n
    }
    fchmod(fd, 0o755)
}

/// The processor time the calling thread has used, in seconds: for bounds on work that must hold
/// however busy the machine is.
package func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
