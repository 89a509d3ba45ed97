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

extension Process {
    /// Waits until the process has ended, at most `seconds`; then kills it (SIGKILL) and throws
    /// `WaitedInVain`. Foundation's `waitUntilExit()` waits for ever, and spins on a child it never
    /// saw end (a dutyd killed while its crash handler ran stayed a zombie, and the suite hung at
    /// 100% of a core instead of failing). Polls `isRunning`, first every millisecond, then every
    /// 20 ms. Blocks the calling thread, as `waitFor` does.
    package func waitForExit(_ what: String? = nil, seconds: Double = 600) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var pause: useconds_t = 1_000
        while isRunning {
            if Date() > deadline {
                let name = what ?? "\(executableURL?.lastPathComponent ?? "a child") (pid \(processIdentifier)) to end"
                kill(processIdentifier, SIGKILL)
                let grace = Date().addingTimeInterval(10)
                while isRunning && Date() < grace { usleep(20_000) }
                throw WaitedInVain(what: "\(name); it was killed", seconds: seconds)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        // Returns at once now; it settles what `terminationStatus` and `terminationReason` say.
        waitUntilExit()
    }
}
