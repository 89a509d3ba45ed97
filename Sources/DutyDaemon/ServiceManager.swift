import CSystemd
import Foundation

/// The service manager's side of the protocol (sd_notify(3)): readiness, status, watchdog, reload and
/// stop. Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing.
package struct ServiceManager: Sendable {
    package init() {}

    /// Sends `state` (`READY=1`, `STATUS=…`, several lines at once). `false` if nobody listens.
    @discardableResult
    package func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), if any.
    package var watchdogInterval: Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 1_000_000
    }

    /// `RELOADING=1` with the monotonic time systemd 253 and later ask for (harmless before).
    package func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        notify("RELOADING=1\nMONOTONIC_USEC=\(UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000)")
    }
}
