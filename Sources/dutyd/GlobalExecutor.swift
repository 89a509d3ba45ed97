import NIOCore
import NIOPosix

/// The global executor's hook when dutyd sets it itself (`Sources/CConcurrencyHook`): every job to
/// one of NIO's singleton event loops (the current one if the job comes from one), as NIO's own
/// take-over does. Not in main.swift, whose closures are the main actor's and check that isolation
/// when called, here inside the runtime's task switch, where the check traps.
func enqueueOnEventLoops(
    _ job: UnsafeMutableRawPointer?,
    _ original: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
) {
    let job = unsafeBitCast(job, to: UnownedJob.self)
    MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(job))
}
