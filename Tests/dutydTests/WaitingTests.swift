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
    /// A process that sleeps with `arguments` on its command line until `signal` (by name) ends it,
    /// returned once it takes the signal as a real server does: not blocked or ignored, as a child
    /// of this process may inherit it (one sent before would be lost).
    static func sleeper(until signal: String, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments =
            [
                "-c",
                "import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.\(signal)]); "
                    + "signal.signal(signal.\(signal), signal.SIG_DFL); print('ready', flush=True); time.sleep(300)",
            ] + arguments
        let ready = Pipe()
        p.standardOutput = ready
        try p.run()
        #expect(String(decoding: ready.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("ready"))
        return p
    }

    /// The pid of a process that has ended: it names no process now.
    static func deadPid() throws -> Int32 {
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        try ended.waitForExit()
        return ended.processIdentifier
    }

    @Test("a dead process's scratch folder goes, the processes it started there stopped first; a live process's stays")
    func deadProcessesFoldersGo() throws {
        let folder = scratchDirectory.appendingPathComponent("sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stale = folder + "/dutyd-tests-\(try Self.deadPid())"
        let data = stale + "/postgresql/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // Its "server": a process whose command line names postgres and the data folder, as a
        // postmaster's does; and a "daemon" it started, naming its settings in the folder.
        let server = try Self.sleeper(until: "SIGQUIT", ["postgres", "-D", data])
        defer { if server.isRunning { server.terminate() } }
        let daemon = try Self.sleeper(until: "SIGTERM", ["--config", stale + "/dutyd.toml"])
        defer { if daemon.isRunning { daemon.terminate() } }
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

    @Test("a container tree half unpacked by a dead process goes; one a live process unpacks stays")
    func deadProcessesTreeGoes() throws {
        let folder = scratchDirectory.appendingPathComponent("parts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tree = folder + "/bookworm.tree"
        let dead = tree + ".part-\(try Self.deadPid())"
        let live = tree + ".part-\(getpid())"
        for part in [dead, live] {
            try FileManager.default.createDirectory(atPath: part + "/usr/bin", withIntermediateDirectories: true)
        }
        Container.removeDeadParts(of: tree)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live + "/usr/bin"))
    }
}
