package import DutyCalendar
import Foundation

/// The two clocks the scheduler reads: the wall clock, which says what is due, and a steady clock to
/// sleep on. They are apart because the wall clock jumps (NTP, an administrator, a suspended VM); the
/// scheduler sleeps in capped spans and reads the wall clock again on each wake.
package protocol SchedulerClock: Sendable {
    func now() -> Instant
    /// Sleeps `seconds` of steady time; throws when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The system's clocks.
package struct SystemClock: SchedulerClock {
    package init() {}

    package func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(microseconds: Int(ts.tv_sec) * 1_000_000 + Int(ts.tv_nsec) / 1_000)
    }

    package func sleep(seconds: Double) async throws {
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
