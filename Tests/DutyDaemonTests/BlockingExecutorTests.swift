import DutyDaemon
import Foundation
import Testing

/// The scheduler's threads (`BlockingExecutor`): the scheduler's jobs block (planning, the store), so
/// one that waits must not hold up the next, and they run on threads named for `top -H`.
@Suite("the scheduler's threads")
struct BlockingExecutorTests {
    /// The calling thread's name, as `top -H` shows it.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "a job that blocks holds only its own thread: the next one runs meanwhile, on a thread of the executor's name"
    )
    func blockedJobHoldsOnlyItsThread() async throws {
        let executor = BlockingExecutor(name: "dutyd-test-exec", threads: 4)
        let second = DispatchSemaphore(value: 0)
        // The first blocks its thread (as a statement waiting for a stalled database does) until the
        // second has run; with one shared thread the second would wait for it, and it for the second.
        let first = Task(executorPreference: executor) { second.wait(timeout: .now() + 60) == .success }
        let next = Task(executorPreference: executor) { () -> String in
            second.signal()
            return Self.threadName()
        }
        #expect(await first.value, "the second job did not run while the first blocked")
        #expect(await next.value == "dutyd-test-exec")
    }
}
