import NIOCore
import NIOPosix

/// Sleeps `seconds` on a NIO event loop's timer (epoll), not `Task.sleep`; throws `CancellationError`
/// when the task is cancelled.
///
/// dutyd's code sleeps only through this. `Task.sleep` on Linux waits on a libdispatch timer and
/// resumes on a libdispatch worker thread; the first such worker arms libdispatch's once-a-second
/// pool monitor for the life of the process, and an idle dutyd would then wake every second instead
/// of only when its watchdog needs it (`daemon.idle.wakeups_per_hour` in `make bench`).
package func loopSleep(seconds: Double) async throws {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let timer = loop.scheduleTask(in: .microseconds(Int64((max(seconds, 0) * 1_000_000).rounded(.up)))) {}
    do {
        try await withTaskCancellationHandler {
            try await timer.futureResult.get()
        } onCancel: {
            timer.cancel()
        }
    } catch {
        throw CancellationError()
    }
}
