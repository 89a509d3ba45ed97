import CProcess
import Foundation

/// Where the scheduler's loop and its performs run: a few threads of their own, not the event loops.
///
/// Planning, the store and the ledger are blocking calls, and a store that stops answering holds the
/// calling thread up to a statement bound (120 s on PostgreSQL). On the event loops, which are Swift's
/// global executor in dutyd, that thread would stop the API's answers with it: a sender resumed after
/// SIGSTOP once held one of the two loops for two minutes while its status went unanswered. The
/// scheduler runs under this executor as its task executor preference (`withTaskExecutorPreference`),
/// so every job of its tasks — the loop, the perform and the tasks a channel makes for its deliveries —
/// runs here, while the event loops keep serving the API and the channels' own I/O. Actors (the inbox)
/// still run where actors run; a task comes back here after them.
///
/// The threads are pthreads started when a job finds none free, up to `threadLimit`, that sleep on a
/// condition variable when there is nothing to run: an idle dutyd still wakes only for its watchdog
/// (decision 0004), and no libdispatch worker appears. A job that blocks (a statement waiting for a
/// stalled database) holds its thread only: the next job gets another. dutyd's one scheduler rarely
/// needs more than two; the tests run many schedulers in one process, and two shared threads held by
/// slow ones once stalled every other for a minute.
package final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    /// What `top -H` and the tests see (at most 15 bytes, Linux's limit).
    let name: String
    let threadLimit: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var threads = 0
    private var idle = 0

    /// The scheduler's (and its performs' and deliveries').
    package static let scheduler = BlockingExecutor(name: "dutyd-schedule", threads: 64)

    package init(name: String, threads: Int) {
        self.name = name
        self.threadLimit = max(1, threads)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        defer { condition.unlock() }
        jobs.append(job)
        // A thread more when the jobs waiting outnumber the threads free to take them.
        if idle < jobs.count - head && threads < threadLimit {
            threads += 1
            let thread = Thread { [self] in
                // Named from inside (Foundation names a thread only once it runs its block).
                duty_name_this_thread(name)
                work()
            }
            thread.start()
        }
        if idle > 0 { condition.signal() }
    }

    private func work() {
        let me = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            // The queue's front is dropped now and then, not at every job.
            if head == jobs.count || head >= 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: me)
        }
    }
}
