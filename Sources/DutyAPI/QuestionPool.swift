import CProcess
import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix

/// Where the API's questions are computed: a few threads of their own, with a short queue in front.
///
/// A question can plan a whole organisation for seconds. Computed on the event loops (or on Swift's
/// cooperative threads, two on a two-core machine) a handful of them would hold up every other
/// request, the scheduler's tasks and the shutdown that SIGTERM starts. Here they wait for one of
/// `workers` threads; when `queueLimit` are already waiting, the next is refused at once with 503 and
/// a message, rather than piling up memory and time. The threads are pthreads that sleep on a
/// condition variable: an idle dutyd still wakes only for its watchdog.
final class QuestionPool: @unchecked Sendable {
    /// Its label in the metrics (`dutyd_api_pool_requests{pool=…}`).
    let name: String
    let workers: Int
    let queueLimit: Int
    /// Whether a cancelled request gives up its work. Questions do; changes do not: a change that
    /// was queued is made, journaled with who made it and wakes the scheduler, even when the client
    /// that asked for it has gone (a kill -9 of dutyctl must not leave a change nobody logged).
    let cancellable: Bool
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [() -> Void] = []
    private var threads = 0
    private var idle = 0
    /// Jobs being run (for the metrics).
    private var running = 0
    /// The questions queued or being answered, by the signal that stops each.
    private var signals: [ObjectIdentifier: StopSignal] = [:]
    /// After `stopAll`: every new question is refused.
    private var stopping = false
    /// Questions waiting for their client to read (`park`).
    private var parked = 0
    /// Threads in all, parked ones included (each waits at most `RowPipe.stallLimit` for a reader).
    static let maximumThreads = 64

    init(_ name: String, workers: Int, queueLimit: Int, cancellable: Bool = true) {
        self.name = name
        self.workers = max(1, workers)
        self.queueLimit = max(0, queueLimit)
        self.cancellable = cancellable
    }

    /// How many questions are being answered or waiting (for `status` and the tests).
    var load: (running: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (threads - idle, jobs.count)
    }

    /// Runs `body` on one of the pool's threads and returns what it returned or threw; throws a
    /// `Failure` (503, exit 69) when the queue is full, or when `budget` seconds pass before the answer is ready
    /// (counted from the call, so waiting in the queue counts). Then the request is answered at once
    /// and the computation is told to stop (`StopSignal`): the long loops end early and their partial
    /// answer is thrown away. The same happens when the request's task is cancelled.
    func run<T: Sendable>(budget: Double? = nil, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let signal = StopSignal()
        let answer = Answer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                answer.wait(continuation)
                // A NIO timer, not a sleeping task: `Task.sleep` would start libdispatch's workers and
                // their once-a-second monitor for the life of the process (`loopSleep`).
                let timer = budget.map { budget in
                    MultiThreadedEventLoopGroup.singleton.next().scheduleTask(
                        in: .milliseconds(Int64((budget * 1000).rounded()))
                    ) {
                        let gaveUp = Failure(
                            .unavailable,
                            "the question took longer than \(Self.seconds(budget)) and was given up; "
                                + "ask for less (--unit, a shorter --within), or raise [api] question_timeout"
                        )
                        if answer.give(.failure(gaveUp)) { signal.stop() }
                    }
                }
                enqueue(signal) { result in
                    timer?.cancel()
                    // A stop (the budget, a cancelled request, dutyd stopping) may have cut the answer
                    // short.
                    _ = answer.give(signal.isStopped ? .failure(self.stopped ?? CancellationError()) : result)
                } body: {
                    try body()
                }
            }
        } onCancel: { [cancellable] in
            if cancellable, answer.give(.failure(CancellationError())) { signal.stop() }
        }
    }

    /// Starts `body` on one of the pool's threads under `signal` and returns at once (a streamed
    /// answer: `body` hands its rows on itself). `refused` is called instead when the queue is full,
    /// dutyd is stopping, or the signal was stopped while `body` waited in the queue.
    func start(
        _ signal: StopSignal,
        _ body: @escaping @Sendable () -> Void,
        refused: @escaping @Sendable (any Error) -> Void
    ) {
        enqueue(signal) { (result: Result<Void, any Error>) in
            if case .failure(let error) = result {
                refused(error is CancellationError ? (self.stopped ?? error) : error)
            }
        } body: {
            body()
        }
    }

    /// What a question stopped by `stopAll` is answered with.
    static let stoppingFailure = Failure(.unavailable, "dutyd is stopping; ask again once it has started")

    /// `stoppingFailure` once `stopAll` was called.
    private var stopped: Failure? {
        condition.lock()
        defer { condition.unlock() }
        return stopping ? Self.stoppingFailure : nil
    }

    /// Stops every question queued or under way and refuses new ones (dutyd is stopping): the loops end
    /// early, the queued are not started, and their requests are answered with 503 at once.
    func stopAll() {
        condition.lock()
        stopping = true
        let all = Array(signals.values)
        condition.unlock()
        for signal in all { signal.stop() }
    }

    static func seconds(_ v: Double) -> String {
        v == v.rounded() ? "\(Int(v)) s" : "\(v) s"
    }

    /// Queues `body` to run under `signal` and calls `done` with its outcome, or at once with a 503
    /// when the queue is full.
    private func enqueue<T: Sendable>(
        _ signal: StopSignal,
        done: @escaping @Sendable (Result<T, any Error>) -> Void,
        body: @escaping @Sendable () throws -> T
    ) {
        condition.lock()
        if stopping {
            condition.unlock()
            return done(.failure(Self.stoppingFailure))
        }
        guard jobs.count < queueLimit || idle > jobs.count else {
            let waiting = jobs.count
            condition.unlock()
            done(
                .failure(
                    Failure(
                        .unavailable,
                        "dutyd is busy: \(workers) question(s) are being answered and \(waiting) are waiting; "
                            + "try again in a moment, or ask for less (--unit, a shorter --within)"
                    )
                )
            )
            return
        }
        let key = ObjectIdentifier(signal)
        signals[key] = signal
        jobs.append { [self] in
            defer {
                condition.lock()
                signals[key] = nil
                condition.unlock()
            }
            // Given up while it waited: not started at all.
            if signal.isStopped { return done(.failure(CancellationError())) }
            done(Result { try StopSignal.$current.withValue(signal) { try body() } })
        }
        DutyMetrics.pool(name, waiting: jobs.count, running: running)
        startThreadIfNeeded()
        condition.signal()
        condition.unlock()
    }

    /// A thread more when a question waits and fewer than `workers` threads compute: the parked ones
    /// (`park`) do not count. Called with `condition` held.
    private func startThreadIfNeeded() {
        guard idle < jobs.count && threads < min(workers + parked, Self.maximumThreads) else { return }
        threads += 1
        // Named from inside: Foundation's `Thread.name` set before `start()` does not reach the
        // kernel on Linux, and the thread would show under its creator's name (an event loop's).
        let thread = Thread { [self] in
            duty_name_this_thread("dutyd-question")
            work()
        }
        thread.start()
    }

    /// The calling question waits for its client to read (a streamed answer whose chunks are all in
    /// flight): it computes nothing, so another thread may answer the questions queued meanwhile.
    /// Two clients reading a national answer slowly held both workers for as long as they liked.
    func park() {
        condition.lock()
        parked += 1
        startThreadIfNeeded()
        condition.signal()
        condition.unlock()
    }

    /// The question computes again.
    func unpark() {
        condition.lock()
        parked -= 1
        condition.unlock()
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
            running += 1
            DutyMetrics.pool(name, waiting: jobs.count, running: running)
            condition.unlock()
            job()
            condition.lock()
            running -= 1
            DutyMetrics.pool(name, waiting: jobs.count, running: running)
        }
    }
}

/// The one outcome of a question: the first of the answer, the time budget and a cancellation to
/// arrive resumes the waiting request; the others find it taken.
private final class Answer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var given = false

    func wait(_ c: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            c.resume(with: early)
            return
        }
        continuation = c
        lock.unlock()
    }

    /// Gives the outcome if none was given yet; whether this one was.
    func give(_ result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !given else {
            lock.unlock()
            return false
        }
        given = true
        guard let c = continuation else {
            early = result
            lock.unlock()
            return true
        }
        continuation = nil
        lock.unlock()
        c.resume(with: result)
        return true
    }
}
