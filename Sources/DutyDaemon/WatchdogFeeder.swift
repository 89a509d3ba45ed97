import CProcess
import Foundation

/// Feeds systemd's watchdog while a perform is under way, from a thread of its own that no delivery
/// can hold up: a slow mail relay answering every reply just inside its timeout keeps the scheduler's
/// task busy for minutes, and without this systemd would kill dutyd in the middle of the batch and
/// start it again to send the batch again.
///
/// It is no blind pinger: it feeds only while deliveries keep ending (`beat`), at least one within
/// `stallLimit` seconds, longer than any single delivery step may take (the SMTP reply timeout, a
/// hook's timeout, both at most 300 s). A perform stuck beyond that stops being fed, and the
/// watchdog does its work. Between performs the thread sleeps on a condition variable, so an idle
/// dutyd wakes only for the scheduler's own watchdog pings.
package final class WatchdogFeeder: @unchecked Sendable {
    let interval: Double
    let stallLimit: Double
    private let feed: @Sendable () -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var busy = false
    private var lastBeat = Date()
    private var started = false

    /// `interval`: systemd's watchdog interval; the thread feeds at half of it.
    package init(interval: Double, stallLimit: Double = 330, feed: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.stallLimit = stallLimit
        self.feed = feed
    }

    /// A perform begins: feed until `end`, as long as deliveries keep ending.
    package func begin() {
        condition.lock()
        defer { condition.unlock() }
        busy = true
        lastBeat = Date()
        if !started {
            started = true
            // Named from inside (see `QuestionPool`): `top -H` and the tests read it.
            let thread = Thread { [self] in
                duty_name_this_thread("dutyd-watchdog")
                loop()
            }
            thread.start()
        }
        condition.signal()
    }

    /// A delivery ended (from any thread).
    package func beat() {
        condition.lock()
        lastBeat = Date()
        condition.unlock()
    }

    /// The perform ended: the thread goes back to sleep now, not at its next half interval (a wake of
    /// its own then would be one more wake of an idle dutyd for every perform).
    package func end() {
        condition.lock()
        busy = false
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while true {
            while !busy { condition.wait() }
            _ = condition.wait(until: Date().addingTimeInterval(interval / 2))
            if busy && Date().timeIntervalSince(lastBeat) < stallLimit {
                condition.unlock()
                feed()
                condition.lock()
            }
        }
    }
}
