import Foundation

#if canImport(Glibc)
import Glibc
import DutyOperations
#endif

/// The running dutyd's claim on its state store: an exclusive flock(2) on `STATE.lock`, held for the
/// life of the service and released by the kernel when it exits (even on `kill -9`). A second dutyd
/// on the same store is refused, and dutyctl's direct mode refuses to change a store a daemon holds.
/// The file holds the daemon's pid, for the message.
package enum StateLock {
    /// Takes the lock for this process, or says which process holds it. `once`: for `dutyd --once`,
    /// whose message says that the service already does its work.
    package static func acquire(_ state: String, once: Bool = false) throws -> Int32 {
        let path = state + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure(
                ExitStatus.runtime,
                "cannot open \(path): \(String(cString: strerror(errno))); dutyd needs to write beside its state store"
            )
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let pid = holder(of: state).map { " (pid \($0))" } ?? ""
            close(fd)
            if once {
                throw Failure(
                    ExitStatus.runtime,
                    "dutyd\(pid) is running on \(state) and sends what is due itself; dutyd --once is for a "
                        + "state no service holds (stop it first: systemctl stop dutyd)"
                )
            }
            throw Failure(
                ExitStatus.runtime,
                "another dutyd\(pid) is running on \(state); stop it first (systemctl stop dutyd), or give this one its own state"
            )
        }
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return fd
    }

    /// The pid of the dutyd holding `state`, or `nil` when none does.
    package static func holder(of state: String) -> Int32? {
        let path = state + ".lock"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
