import Foundation
package import Testing

/// Runs a test's code on threads of its own instead of Swift's cooperative pool, which has one thread
/// per core (two here). Tests that block — waiting for a child process, polling a file with `usleep`,
/// reading a pipe — would otherwise hold those threads, and every async test (the scheduler's, the
/// hook runner's) would stall behind them for seconds, or fail its time bound. Put `.ownThreads` on
/// every suite whose tests block; async tests that only await need nothing.
package struct OwnThreads: TestTrait, SuiteTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OwnThreads {
    /// The test's code runs on threads of its own (`OwnThreads`).
    package static var ownThreads: Self { OwnThreads() }
}

/// Runs every job on a new thread. A task runs one job at a time, so a test's code keeps to one
/// thread between suspensions and may block it; the thread ends with the job.
final class ThreadPerJobExecutor: TaskExecutor {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
