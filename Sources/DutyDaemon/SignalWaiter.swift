import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The write end of the signal pipe, for the handler (which may capture nothing).
private nonisolated(unsafe) var signalPipeWrite: Int32 = -1

/// The service's signals without libdispatch: they are blocked in every thread from the start of
/// `main` (threads inherit the mask, so block before any other thread exists); a handler writes each
/// one to a pipe, and one thread, the only one of ours with them unblocked, reads the pipe and hands
/// each to `handler`. A signal that arrives before the thread starts stays pending and is handled then
/// (a `systemctl reload` during start is not lost).
///
/// Why a handler and not only sigwait(2): a thread we do not own may wait with every signal unblocked
/// (swift-subprocess's process monitor, which ran hooks until `CommandRunner` replaced it, called
/// `epoll_pwait` with an empty mask); a SIGTERM or SIGHUP landing there would take its default action and end the process. With the
/// handler installed it lands in the pipe wherever it is delivered.
///
/// Why not a DispatchSource (swift-service-lifecycle's `UnixSignalsSequence`): the first libdispatch
/// worker thread arms libdispatch's once-a-second pool monitor for the life of the process, and an
/// idle dutyd should wake only when its watchdog needs it. Child processes get an empty mask and
/// default handlers (`CommandRunner`'s spawn sets both), so hooks can still be stopped with SIGTERM.
package enum SignalWaiter {
    /// Blocks `signals` in the calling thread and every thread it creates from now on.
    package static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Installs the handler for `signals` (blocked already with `block`) and starts the thread that
    /// calls `handler` for each one, in the order they come.
    package static func start(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        signalPipeWrite = fds[1]
        let reader = fds[0]
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipeWrite, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(s, &action, nil)
        }
        let thread = Thread {
            // This thread takes the signals nobody else waits for (the rest of ours block them).
            var set = sigset_t()
            sigemptyset(&set)
            for s in signals { sigaddset(&set, s) }
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            while true {
                var byte: UInt8 = 0
                let n = read(reader, &byte, 1)
                if n == 1 {
                    handler(Int32(byte))
                } else if n < 0 && errno != EINTR {
                    return
                }
            }
        }
        thread.start()
    }
}
