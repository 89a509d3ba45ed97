import Synchronization

/// A request to give up a long computation: the API's time budget for a question ran out, or its
/// client went away. Whoever runs the computation binds one with `StopSignal.$current.withValue`;
/// the loops that can run for long (expanding a rule past millions of times, walking every
/// occurrence of a national plan) look at it now and then and end early, and whoever bound it
/// throws away what they produced. Nothing is bound in direct mode or in the scheduler, so those
/// always run to the end.
package final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    package init() {}

    /// The signal the computation on this thread (or task) runs under, if any.
    @TaskLocal package static var current: StopSignal?

    package func stop() { stopped.store(true, ordering: .relaxed) }

    package var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Throws `CancellationError` when the computation on this thread has been told to stop: between
    /// its steps (before encoding an answer nobody will read).
    package static func throwIfStopped() throws {
        if current?.isStopped == true { throw CancellationError() }
    }
}
