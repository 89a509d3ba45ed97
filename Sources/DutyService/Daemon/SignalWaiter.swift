import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The service's signals without libdispatch: they are blocked in every thread from the start of
/// `main` (threads inherit the mask, so block before any other thread exists), and one thread waits
/// for them with sigwait(2) and hands each to `handler`.
///
/// Why not a DispatchSource (swift-service-lifecycle's `UnixSignalsSequence`): the first libdispatch
/// worker thread arms libdispatch's once-a-second pool monitor for the life of the process, and an
/// idle dutyd should wake only when its watchdog needs it. A signal that arrives before the thread
/// starts stays pending and is handled then (a `systemctl reload` during start is not lost). Child
/// processes get an empty mask (swift-subprocess sets it), so hooks can still be stopped with SIGTERM.
package enum SignalWaiter {
    /// Blocks `signals` in the calling thread and every thread it creates from now on.
    package static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts the thread that waits for `signals` (blocked already with `block`) and calls `handler` on
    /// it for each one, in the order they come.
    package static func start(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread {
            var set = sigset_t()
            sigemptyset(&set)
            for s in signals { sigaddset(&set, s) }
            while true {
                var received: Int32 = 0
                guard sigwait(&set, &received) == 0 else { continue }
                handler(received)
            }
        }
        thread.start()
    }
}
