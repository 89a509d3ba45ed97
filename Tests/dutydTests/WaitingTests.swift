import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The tests' own waiting helpers: a wait that never ends fails its test with what it waited for,
/// instead of hanging the suite or letting the assertions after it pass on nothing.
@Suite("the tests' waiting helpers", .ownThreads)
struct WaitingTests {
    @Test("waitFor throws, naming what never came")
    func waitForGivesUp() {
        #expect(throws: WaitedInVain.self) { try waitFor("a condition that never holds", seconds: 0.1) { false } }
        do {
            try waitFor("the sky to fall", seconds: 0.05) { false }
        } catch {
            #expect("\(error)" == "waited 0.05 s for the sky to fall, which never came")
        }
    }

    @Test("waitForExit gives the exit status of a child that ends, and kills and names one that does not")
    func waitForExitIsBounded() throws {
        let ends = Process()
        ends.executableURL = URL(fileURLWithPath: "/bin/sh")
        ends.arguments = ["-c", "exit 3"]
        try ends.run()
        try ends.waitForExit(seconds: 60)
        #expect(ends.terminationStatus == 3)

        let hangs = Process()
        hangs.executableURL = URL(fileURLWithPath: "/bin/sleep")
        hangs.arguments = ["300"]
        try hangs.run()
        do {
            try hangs.waitForExit(seconds: 0.3)
            Issue.record("a sleep of 300 s ended within 0.3 s")
        } catch {
            #expect("\(error)".contains("sleep (pid \(hangs.processIdentifier)) to end; it was killed"), "\(error)")
        }
        // Killed, not left behind: Foundation saw it end of SIGKILL.
        try waitFor("the killed sleep to be seen ended", seconds: 30) { !hangs.isRunning }
        #expect(hangs.terminationReason == .uncaughtSignal && hangs.terminationStatus == SIGKILL)
    }
}
