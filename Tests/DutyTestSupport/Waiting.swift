import Foundation

/// What a test waited for and never saw: thrown by `waitFor`, so the test fails with this message
/// instead of going on to assert on nothing.
package struct WaitedInVain: Error, CustomStringConvertible {
    package var what: String
    package var seconds: Double
    package var description: String { "waited \(seconds) s for \(what), which never came" }
}

/// Polls `condition` every `poll` seconds until it holds; throws `WaitedInVain` after `seconds`.
/// Blocks the calling thread: call it from a test in an `.ownThreads` suite (every suite here is).
package func waitFor(
    _ what: String,
    seconds: Double = 120,
    poll: Double = 0.02,
    _ condition: () throws -> Bool
) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return }
        if Date() > deadline { throw WaitedInVain(what: what, seconds: seconds) }
        usleep(useconds_t(poll * 1_000_000))
    }
}

/// The same without blocking a thread of the test runner's pool (it has as many as cores): for async
/// tests. (Named apart: with one name, a closure that does not await would pick the blocking one.)
package func waitUntil(
    _ what: String,
    seconds: Double = 120,
    poll: Double = 0.02,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return }
        if Date() > deadline { throw WaitedInVain(what: what, seconds: seconds) }
        try await Task.sleep(nanoseconds: UInt64(poll * 1_000_000_000))
    }
}
