package import DutyCalendar
import DutyNotify
import Foundation

/// The two clocks the scheduler reads: the wall clock, which says what is due, and a steady clock to
/// sleep on. They are apart because the wall clock jumps (NTP, an administrator, a suspended VM); the
/// scheduler sleeps in capped spans and reads the wall clock again on each wake.
package protocol SchedulerClock: Sendable {
    /// The time that decides what is due.
    func now() -> Instant
    /// The real time, which the ledger records (differs from `now()` only with `dutyd --start-at`).
    func wall() -> Instant
    /// Sleeps `seconds` of steady time; throws when the task is cancelled.
    func sleep(seconds: Double) async throws
}

extension SchedulerClock {
    package func wall() -> Instant { now() }
}

/// The system's clocks; `offset` (microseconds) moves what is due, never what the ledger records
/// (`dutyd --start-at`, to watch a day's steps in minutes).
package struct SystemClock: SchedulerClock {
    package var offset = 0

    package init(offset: Int = 0) { self.offset = offset }

    package func now() -> Instant { Instant(microseconds: wall().microseconds + offset) }

    package func wall() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(microseconds: Int(ts.tv_sec) * 1_000_000 + Int(ts.tv_nsec) / 1_000)
    }

    /// On a NIO timer, not `Task.sleep` (see `loopSleep`).
    package func sleep(seconds: Double) async throws {
        try await loopSleep(seconds: seconds)
    }
}
