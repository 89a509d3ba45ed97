import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The runner behind hooks and sendmail, on real commands: what it feeds, keeps, reports and stops.
@Suite(.ownThreads) struct CommandRunnerTests {
    @Test func aBareNameIsFoundInPathAndGetsItsEnvironmentAndStdin() async {
        let r = await CommandRunner.run(
            ["sh", "-c", "read line; echo \"$DUTY_X:$line\"; echo to-stderr >&2; exit 3"],
            environment: ["DUTY_X": "env"],
            input: Array("from stdin\n".utf8),
            timeout: 30
        )
        #expect(r.status == .exited(3))
        #expect(r.output == "env:from stdin\nto-stderr\n")
    }

    @Test func whatSystemdHandedToDutydAloneIsNotPassedOn() {
        let env = CommandRunner.childEnvironment(
            ["DUTY_EVENT": "overdue", "PATH": "/opt/bin"],
            inherited: [
                "PATH": "/usr/bin", "LANG": "C.UTF-8", "CREDENTIALS_DIRECTORY": "/run/credentials/dutyd.service",
                "NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "300000000", "WATCHDOG_PID": "1",
                "LISTEN_FDS": "1", "LISTEN_PID": "1", "LISTEN_FDNAMES": "api",
            ]
        )
        // The credentials (the SMTP password) too, unless the hook says `credentials = true`.
        #expect(env == ["PATH": "/opt/bin", "LANG": "C.UTF-8", "DUTY_EVENT": "overdue"])
        let trusted = CommandRunner.childEnvironment(
            [:],
            credentials: true,
            inherited: ["CREDENTIALS_DIRECTORY": "/run/credentials/dutyd.service", "NOTIFY_SOCKET": "/x"]
        )
        #expect(trusted == ["CREDENTIALS_DIRECTORY": "/run/credentials/dutyd.service"])
    }

    @Test("a command the system cannot start for want of descriptors, processes or memory is tried again")
    func outOfResourcesIsTransient() {
        // Filling the descriptor table for real would starve the tests running beside this one in the
        // same process; the errno-to-status mapping is what decides, and it is checked for each errno.
        for code in [EMFILE, ENFILE, EAGAIN, ENOMEM] {
            #expect(
                CommandRunner.spawnFailure(code, program: "sms-send")
                    == .outOfResources("cannot run sms-send now: \(String(cString: strerror(code)))")
            )
        }
        for code in [ENOENT, EACCES, ENOEXEC] {
            #expect(
                CommandRunner.spawnFailure(code, program: "sms-send")
                    == .couldNotStart("cannot run sms-send: \(String(cString: strerror(code)))")
            )
        }
    }

    @Test func aMissingProgramCannotStartAndSaysWhy() async {
        let r = await CommandRunner.run(["/nonexistent/sms-send"], input: [], timeout: 30)
        #expect(r.status == .couldNotStart("cannot run /nonexistent/sms-send: No such file or directory"))
        let empty = await CommandRunner.run([], input: [], timeout: 30)
        #expect(empty.status == .couldNotStart("the command is empty"))
    }

    @Test func aCommandThatIgnoresItsStdinDoesNotTakeTheCallerWithIt() async {
        // A megabyte does not fit the pipe: the write fails with EPIPE once `true` has gone, and the
        // SIGPIPE that comes with it must not end this process.
        let r = await CommandRunner.run(["true"], input: [UInt8](repeating: 65, count: 1 << 20), timeout: 30)
        #expect(r.status == .exited(0))
    }

    @Test func outputIsKeptUpToTheLimitAndTheRestIsCounted() async {
        let r = await CommandRunner.run(["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' x"], input: [], timeout: 30)
        #expect(r.status == .exited(0))
        #expect(r.output.hasPrefix(String(repeating: "x", count: CommandRunner.outputLimit) + "\n…"))
        #expect(r.output.hasSuffix("(\(20000 - CommandRunner.outputLimit) more bytes not kept)"))
    }

    @Test func aSignalIsReported() async {
        let r = await CommandRunner.run(["sh", "-c", "kill -USR1 $$"], input: [], timeout: 30)
        #expect(r.status == .signalled(Int(SIGUSR1)))
    }

    @Test func theRunEndsWithTheCommandNotWithWhatItLeftHoldingItsOutput() async {
        // The background sleep keeps the output pipe open; the run still ends when sh does, with what
        // sh printed. Had it waited for the pipe, the sleep would be over: it is still running. (No
        // clock: the test process's other suites can hold up this task's resumption for many seconds.)
        let r = await CommandRunner.run(["sh", "-c", "sleep 600 & echo started $!"], input: [], timeout: 900)
        #expect(r.status == .exited(0))
        #expect(r.output.hasPrefix("started "))
        let pid = Int32(r.output.dropFirst("started ".count).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(pid.map { !Self.isGone($0) } == true, "the run waited for the background sleep")
        if let pid { kill(pid, SIGKILL) }
    }

    @Test func aCommandThatClosesItsOutputAndHangsIsStoppedAtItsTimeout() async {
        let started = Date()
        let r = await CommandRunner.run(["sh", "-c", "exec >&- 2>&-; sleep 600"], input: [], timeout: 1)
        #expect(r.status == .timedOut)
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func aCommandThatIgnoresSIGTERMIsKilledAfterTheGrace() async {
        let started = Date()
        let r = await CommandRunner.run(["sh", "-c", "trap '' TERM; echo ready; sleep 600"], input: [], timeout: 1)
        #expect(r.status == .timedOut)
        #expect(r.output == "ready\n")
        // One second, two of grace, and then SIGKILL: far below the sleep.
        #expect(Date().timeIntervalSince(started) < 60)
    }

    @Test func whatAStoppedCommandStartedGoesWithItEvenIfItIgnoresSIGTERM() async throws {
        let r = await CommandRunner.run(
            ["sh", "-c", "(trap '' TERM; exec sleep 600) & echo $!; wait"],
            input: [],
            timeout: 1
        )
        #expect(r.status == .timedOut)
        let pid = try #require(Int32(r.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { if !Self.isGone(pid) { kill(pid, SIGKILL) } }
        try await waitUntil("the sleep that ignored SIGTERM to get SIGKILL with its session", seconds: 60) {
            Self.isGone(pid)
        }
    }

    /// No such process, or a zombie waiting for init to reap it.
    static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }

    @Test func cancellingTheTaskStopsTheCommand() async throws {
        let folder = scratchDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pidFile = folder.appendingPathComponent("pid").path
        let task = Task {
            await CommandRunner.run(["sh", "-c", "echo $$ > '\(pidFile)'; sleep 600"], input: [], timeout: 600)
        }
        var pid: Int32?
        try await waitUntil("the command to write its pid") {
            pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return pid != nil
        }
        task.cancel()
        let r = await task.value
        #expect(r.status == .timedOut)
        // Reaped, not just signalled: the pid is gone.
        #expect(pid.map { kill($0, 0) != 0 } == true)
    }
}
