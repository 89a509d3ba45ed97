import NIOCore
import NIOPosix

/// The global executor's hook when dutyd sets it itself (`Sources/CConcurrencyHook`): every job to
/// one of NIO's singleton event loops, as NIO's own take-over does. Not in main.swift, whose
/// closures are the main actor's and would check that isolation inside the runtime's task switch;
/// `next()`, not `any()`, for the same reason (`any()` asks which executor is current).
func enqueueOnEventLoops(_ job: UnsafeMutableRawPointer?) {
    let job = unsafeBitCast(job, to: UnownedJob.self)
    MultiThreadedEventLoopGroup.singleton.next().executor.enqueue(ExecutorJob(job))
}
