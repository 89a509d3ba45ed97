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

/// What a killed test process leaves behind is removed by the next one.
@Suite("the scratch folder of a killed test process", .ownThreads)
struct StaleScratchTests {
    @Test("a dead process's scratch folder goes, the processes it started there stopped first; a live process's stays")
    func deadProcessesFoldersGo() throws {
        let folder = scratchDirectory.appendingPathComponent("sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A process that has ended: its pid names no process now.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        try ended.waitForExit()
        let stale = folder + "/dutyd-tests-\(ended.processIdentifier)"
        let data = stale + "/postgresql/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // Its "server": a process whose command line names postgres and the data folder, as a
        // postmaster's does.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        // (SIGQUIT as the real one takes it: not blocked, as a child may inherit it here.)
        server.arguments = [
            "-c",
            "import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGQUIT]); "
                + "signal.signal(signal.SIGQUIT, signal.SIG_DFL); print('ready', flush=True); time.sleep(300)",
            "postgres", "-D", data,
        ]
        let ready = Pipe()
        server.standardOutput = ready
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        // Its handler set before the signal comes (one sent before would be lost if ignored).
        #expect(String(decoding: ready.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("ready"))
        // And a "daemon" it started, naming its settings in the folder.
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        daemon.arguments = [
            "-c",
            "import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM]); "
                + "signal.signal(signal.SIGTERM, signal.SIG_DFL); print('ready', flush=True); time.sleep(300)",
            "--config", stale + "/dutyd.toml",
        ]
        let daemonReady = Pipe()
        daemon.standardOutput = daemonReady
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate() } }
        #expect(String(decoding: daemonReady.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("ready"))
        // A live process's folder (pid 1 always runs).
        let live = folder + "/dutyd-tests-1"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)

        sweepStaleScratch(in: folder)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
        try server.waitForExit(seconds: 10)
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGQUIT)
        try daemon.waitForExit(seconds: 10)
        #expect(daemon.terminationReason == .uncaughtSignal && daemon.terminationStatus == SIGTERM)
    }
}
