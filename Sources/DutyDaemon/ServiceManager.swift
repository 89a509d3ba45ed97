import CProcess
import CSystemd
import Foundation

/// The service manager's side of the protocol (sd_notify(3)): readiness, status, watchdog, reload and
/// stop. Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing.
package struct ServiceManager: Sendable {
    package init() {}

    /// Sends `state` (`READY=1`, `STATUS=…`, several lines at once) from the notifier's thread, in
    /// order; `false` if nobody listens (no `NOTIFY_SOCKET`). Never waits: sd_notify blocks while the
    /// service manager's socket is full (ten datagrams), and the scheduler and the API's event loops
    /// call this — a busy PID 1 stopped every answer of the API after ten changes
    /// (`AbuseTests.notifySocketNobodyReads`).
    @discardableResult
    package func notify(_ state: String) -> Bool {
        guard Self.listening else { return false }
        NotifyQueue.shared.send(state)
        return true
    }

    /// Whether a service manager listens (`NOTIFY_SOCKET`, set before dutyd starts), read once: the
    /// environment is copied into a new dictionary at every look.
    private static let listening = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil

    /// Waits until what was sent has gone, at most `seconds` (before the process exits: `STOPPING=1`).
    package func flush(seconds: Double) {
        NotifyQueue.shared.flush(seconds: seconds)
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

/// The messages for the service manager, sent one after another from a thread of its own
/// (`dutyd-notify`, started with the first message), so no caller waits for a full socket. While the
/// manager does not read, at most 64 wait: the oldest `STATUS=` or `WATCHDOG=1` alone goes first (a
/// later one says the same), never `READY=1`, `RELOADING=1` or `STOPPING=1`.
final class NotifyQueue: @unchecked Sendable {
    static let shared = NotifyQueue()
    static let limit = 64

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [String] = []
    private var started = false
    private var sending = false

    func send(_ state: String) {
        condition.lock()
        if pending.count >= Self.limit, let old = pending.firstIndex(where: Self.replaceable) {
            pending.remove(at: old)
        }
        pending.append(state)
        if !started {
            started = true
            let thread = Thread { [self] in
                duty_name_this_thread("dutyd-notify")
                run()
            }
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    func flush(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        while (!pending.isEmpty || sending) && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private static func replaceable(_ state: String) -> Bool {
        state.split(separator: "\n").allSatisfy { $0.hasPrefix("STATUS=") || $0 == "WATCHDOG=1" }
    }

    private func run() {
        condition.lock()
        while true {
            while pending.isEmpty { condition.wait() }
            let state = pending.removeFirst()
            sending = true
            condition.unlock()
            _ = sd_notify(0, state)
            condition.lock()
            sending = false
            condition.broadcast()
        }
    }
}
