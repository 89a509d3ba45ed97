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

    /// Removes what a test process that was killed (SIGKILL, a timeout) left in `folder`: its scratch
    /// folder, after stopping the PostgreSQL servers it had started there (they outlive it, and its
    /// exit handlers never ran). Only folders whose process is gone; a live one is another run's.
    static func sweep(_ folder: String) {
        let prefix = "dutyd-tests-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let stale = folder + "/" + name
            for cluster in (try? FileManager.default.contentsOfDirectory(atPath: stale)) ?? [] {
                stopServer(of: stale + "/" + cluster + "/data")
            }
            try? FileManager.default.removeItem(atPath: stale)
        }
    }

    /// Stops the PostgreSQL server whose data folder is `data` (an immediate shutdown, SIGQUIT), if
    /// the process its postmaster.pid names is still that server (its command line names `data`), and
    /// waits up to 10 s for it to go.
    static func stopServer(of data: String) {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
            let line = text.split(separator: "\n").first, let pid = pid_t(line), pid > 0,
            let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
            String(decoding: command, as: UTF8.self).contains("postgres"),
            String(decoding: command, as: UTF8.self).contains(data)
        else { return }
        kill(pid, SIGQUIT)
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
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
