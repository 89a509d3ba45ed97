import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What dutyd does to its own process before it opens anything: files it makes are its own alone, and
/// it may hold as many descriptors as the system lets it.
package enum ProcessSetup {
    /// Files and folders dutyd creates are for its user alone (the state store, its WAL and shared
    /// memory, the lock). The API socket is opened up to its group explicitly.
    package static func restrictNewFiles() {
        umask(0o077)
    }

    /// The fewest descriptors dutyd starts with: the store (3), the lock, the journal, the API's
    /// listener and loops, two hooks' pipes, and a reserve.
    package static let minimumDescriptors = 64

    /// Raises the soft limit on open descriptors to the hard one (systemd's default soft limit is
    /// 1,024, its hard limit 524,288), so that clients cannot use up what deliveries need. Returns
    /// the soft limit now in force.
    @discardableResult
    package static func raiseDescriptorLimit() -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Closes the state store's files to group and others: a store made under an older, looser
    /// umask (or copied in) would let members of dutyd's group read it, or lock it and stop every
    /// delivery. Only files dutyd's user owns are changed; the folder too, unless it is shared
    /// (`/var/lib`-style folders belong to root).
    package static func restrictStateFiles(_ state: String) {
        let me = geteuid()
        for path in [state, state + "-wal", state + "-shm", state + ".lock"] {
            var st = stat()
            guard stat(path, &st) == 0, st.st_uid == me, st.st_mode & 0o077 != 0 else { continue }
            chmod(path, st.st_mode & 0o700)
        }
    }
}
