import Foundation
import HTTPTypes

/// Where the API's questions are computed: a few threads of their own, with a short queue in front.
///
/// A question can plan a whole organisation for seconds. Computed on the event loops (or on Swift's
/// cooperative threads, two on a two-core machine) a handful of them would hold up every other
/// request, the scheduler's tasks and the shutdown that SIGTERM starts. Here they wait for one of
/// `workers` threads; when `queueLimit` are already waiting, the next is refused at once with 503 and
/// a message, rather than piling up memory and time. The threads are pthreads that sleep on a
/// condition variable: an idle dutyd still wakes only for its watchdog.
final class QuestionPool: @unchecked Sendable {
    let workers: Int
    let queueLimit: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [() -> Void] = []
    private var threads = 0
    private var idle = 0

    init(workers: Int, queueLimit: Int) {
        self.workers = max(1, workers)
        self.queueLimit = max(0, queueLimit)
    }

    /// How many questions are being answered or waiting (for `status` and the tests).
    var load: (running: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (threads - idle, jobs.count)
    }

    /// Runs `body` on one of the pool's threads and returns what it returned or threw; throws a 503
    /// `APIFailure` when the queue is full.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            guard jobs.count < queueLimit || idle > jobs.count else {
                let waiting = jobs.count
                condition.unlock()
                continuation.resume(
                    throwing: APIFailure(
                        .serviceUnavailable,
                        69,
                        "dutyd is busy: \(workers) question(s) are being answered and \(waiting) are waiting; "
                            + "try again in a moment, or ask for less (--unit, a shorter --within)"
                    )
                )
                return
            }
            jobs.append { continuation.resume(with: Result { try body() }) }
            if idle < jobs.count && threads < workers {
                threads += 1
                let thread = Thread { [self] in work() }
                thread.name = "dutyd-question"
                thread.start()
            }
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        condition.lock()
        while true {
            while jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
