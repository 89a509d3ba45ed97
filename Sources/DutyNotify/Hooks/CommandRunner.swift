import CProcess
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs an external command (a hook, sendmail) with bytes on its stdin, a time limit, and its output
/// (stdout and stderr together) kept up to a limit. The command gets a session of its own, so on
/// timeout SIGTERM, and two seconds later SIGKILL, reach whatever it started too.
///
/// One thread per run waits in poll(2) on the command's output, its stdin, a pidfd that becomes
/// readable when it exits, and a pipe that says the task was cancelled: nothing wakes while a command
/// runs quietly, and nothing is left behind when it ends. (swift-subprocess, used before, keeps a
/// once-a-second `Task.sleep` loop per run; on Linux that starts a libdispatch worker, whose pool
/// monitor then wakes the daemon every second for the rest of its life.)
package enum CommandRunner {
    package enum Status: Sendable, Equatable {
        case exited(Int)
        case signalled(Int)
        case timedOut
        /// The command does not exist or may not be run: the same will happen next time.
        case couldNotStart(String)
        /// The system had no descriptor, process or memory to spare (EMFILE, ENFILE, EAGAIN, ENOMEM):
        /// worth trying again later.
        case outOfResources(String)
    }

    package struct Outcome: Sendable {
        package var status: Status
        /// What it printed, at most `outputLimit` bytes (the rest is dropped and said so).
        package var output: String
    }

    package static let outputLimit = 16 * 1024
    /// Between SIGTERM and SIGKILL when a command is stopped.
    package static let grace = 2.0

    /// `credentials`: whether the command may see `$CREDENTIALS_DIRECTORY` (the service's systemd
    /// credentials, such as the SMTP password); only a `[[hook]]` that says `credentials = true` does.
    package static func run(
        _ argv: [String],
        environment: [String: String] = [:],
        credentials: Bool = false,
        input: [UInt8],
        timeout: Double
    ) async -> Outcome {
        guard let program = argv.first, !program.isEmpty else {
            return Outcome(status: .couldNotStart("the command is empty"), output: "")
        }
        let started: Started
        switch start(argv, environment: childEnvironment(environment, credentials: credentials)) {
        case .failure(let why):
            return Outcome(status: spawnFailure(why.code, program: program), output: "")
        case .success(let s):
            started = s
        }
        let cancel = CancelPipe(started.cancelWrite)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let thread = Thread {
                    let outcome = watch(started, input: input, timeout: timeout)
                    cancel.close()
                    continuation.resume(returning: outcome)
                }
                thread.start()
            }
        } onCancel: {
            cancel.signal()
        }
    }

    /// What a failed spawn means: the system short of something (tried again later), or the command
    /// itself wrong (not tried again).
    package static func spawnFailure(_ code: Int32, program: String) -> Status {
        let why = SpawnError(code: code)
        return SpawnError.transient.contains(code)
            ? .outOfResources("cannot run \(program) now: \(why)") : .couldNotStart("cannot run \(program): \(why)")
    }

    /// What a command inherits: this process's environment without what systemd handed to dutyd alone
    /// (the notify socket, the watchdog, socket activation), plus `extra`.
    package static func childEnvironment(
        _ extra: [String: String],
        credentials: Bool = false,
        inherited: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var env = inherited.filter { !serviceOnly.contains($0.key) }
        if !credentials { env["CREDENTIALS_DIRECTORY"] = nil }
        for (k, v) in extra { env[k] = v }
        return env
    }

    static let serviceOnly: Set<String> = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
    ]

    /// A running command and the descriptors the watching thread owns.
    struct Started: Sendable {
        var pid: pid_t
        var pidfd: Int32
        var input: Int32
        var output: Int32
        var cancelRead: Int32
        var cancelWrite: Int32
    }

    private static func start(_ argv: [String], environment: [String: String]) -> Result<Started, SpawnError> {
        var fds: [Int32] = []
        func pipe() -> (read: Int32, write: Int32)? {
            var p: [Int32] = [-1, -1]
            guard duty_pipe_cloexec(&p) == 0 else { return nil }
            fds += p
            return (p[0], p[1])
        }
        func fail(_ code: Int32) -> Result<Started, SpawnError> {
            for fd in fds { Glibc.close(fd) }
            return .failure(SpawnError(code: code))
        }
        guard let stdin = pipe(), let stdout = pipe(), let cancel = pipe() else { return fail(errno) }

        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        let err = duty_spawn(cArgs, cEnv, stdin.read, stdout.write, &pid)
        guard err == 0 else { return fail(err) }
        Glibc.close(stdin.read)
        Glibc.close(stdout.write)
        for fd in [stdin.write, stdout.read] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return .success(
            Started(
                pid: pid,
                pidfd: duty_pidfd_open(pid),
                input: stdin.write,
                output: stdout.read,
                cancelRead: cancel.read,
                cancelWrite: cancel.write
            )
        )
    }

    struct SpawnError: Error, CustomStringConvertible {
        /// What the system runs short of, not what is wrong with the command.
        /// ETXTBSY: the program is open for writing (being replaced, or held by a process that
        /// inherited the descriptor); it runs once that is over.
        static let transient: Set<Int32> = [EMFILE, ENFILE, EAGAIN, ENOMEM, ETXTBSY]
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    /// The watching thread: feeds stdin, keeps output, stops the command at its time limit or on
    /// cancellation, and reaps it. Closes every descriptor of `s` except `cancelWrite`.
    private static func watch(_ s: Started, input: [UInt8], timeout: Double) -> Outcome {
        // A command that stops reading its stdin makes our write fail with EPIPE; blocked here, the
        // SIGPIPE that comes with it stays pending on this thread and dies with it.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)

        var inputFD: Int32 = s.input
        var outputFD: Int32 = s.output
        var written = 0
        var kept: [UInt8] = []
        var dropped = 0
        var waitStatus: Int32?
        var signalsSent = 0  // 0 running, 1 SIGTERM sent, 2 SIGKILL sent
        var stopped: Bool { signalsSent > 0 }
        var deadline = monotonicNow() + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)

        func closeInput() {
            if inputFD >= 0 { Glibc.close(inputFD) }
            inputFD = -1
        }
        /// Reads what is there; true when it got bytes (call again), false when the pipe is empty for
        /// now, at its end (then closed), or failed (closed too).
        func readOutput() -> Bool {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
                if n > 0 {
                    let room = max(0, outputLimit - kept.count)
                    kept.append(contentsOf: buffer[0..<min(n, room)])
                    dropped += max(0, n - room)
                    return true
                }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EAGAIN { return false }
                Glibc.close(outputFD)
                outputFD = -1
                return false
            }
        }
        func stop() {
            signalsSent += 1
            kill(-s.pid, signalsSent == 1 ? SIGTERM : SIGKILL)
            deadline = signalsSent == 1 ? monotonicNow() + grace : .infinity
        }
        func reap() {
            var status: Int32 = 0
            while waitpid(s.pid, &status, 0) < 0 && errno == EINTR {}
            waitStatus = status
        }
        if input.isEmpty { closeInput() }

        while waitStatus == nil {
            var polled: [pollfd] = []
            if outputFD >= 0 { polled.append(pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)) }
            if inputFD >= 0 { polled.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            if s.pidfd >= 0 { polled.append(pollfd(fd: s.pidfd, events: Int16(POLLIN), revents: 0)) }
            polled.append(pollfd(fd: s.cancelRead, events: Int16(POLLIN), revents: 0))
            // Without a pidfd (kernels before 5.3) the exit is noticed by a WNOHANG check each 100 ms.
            let left = deadline - monotonicNow()
            var wait: Int32 = left.isInfinite ? -1 : Int32(max(0, min(left * 1000, 86_400_000)).rounded(.up))
            if s.pidfd < 0 { wait = wait < 0 ? 100 : min(wait, 100) }
            let n = poll(&polled, nfds_t(polled.count), wait)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if monotonicNow() >= deadline { stop() }
            for p in polled where p.revents != 0 {
                switch p.fd {
                case outputFD:
                    _ = readOutput()
                case inputFD:
                    let m = input.withUnsafeBytes { write(inputFD, $0.baseAddress! + written, $0.count - written) }
                    if m > 0 {
                        written += m
                        if written == input.count { closeInput() }
                    } else if m < 0 && errno != EINTR && errno != EAGAIN {
                        closeInput()
                    }
                case s.pidfd:
                    // A stopped command's session goes with it: killed while the leader is a zombie, so
                    // its process group id cannot have been taken by anyone else yet.
                    if stopped { kill(-s.pid, SIGKILL) }
                    reap()
                case s.cancelRead:
                    if !stopped { stop() }
                    var byte: UInt8 = 0
                    _ = read(s.cancelRead, &byte, 1)
                default:
                    break
                }
            }
            if s.pidfd < 0 && waitStatus == nil {
                var status: Int32 = 0
                if waitpid(s.pid, &status, WNOHANG) == s.pid { waitStatus = status }
            }
        }
        if waitStatus == nil { reap() }
        // What the command wrote before it ended is in the pipe; take it, but do not wait for
        // descendants that kept the pipe open.
        while outputFD >= 0 && readOutput() {}
        closeInput()
        if outputFD >= 0 { Glibc.close(outputFD) }
        if s.pidfd >= 0 { Glibc.close(s.pidfd) }
        Glibc.close(s.cancelRead)

        var text = String(decoding: kept, as: UTF8.self)
        if dropped > 0 { text += "\n… (\(dropped) more bytes not kept)" }
        let status: Status
        let w = waitStatus ?? 0
        if stopped {
            status = .timedOut
        } else if w & 0x7f == 0 {
            status = .exited(Int((w >> 8) & 0xff))
        } else {
            status = .signalled(Int(w & 0x7f))
        }
        return Outcome(status: status, output: text)
    }

    private static func monotonicNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The write end of the cancel pipe, closed once the watching thread is done with it, so that a
    /// late cancellation never writes to a descriptor number the process has reused.
    final class CancelPipe: Sendable {
        let fd: Mutex<Int32>
        init(_ fd: Int32) { self.fd = Mutex(fd) }
        func signal() {
            fd.withLock { fd in
                var byte: UInt8 = 1
                if fd >= 0 { _ = write(fd, &byte, 1) }
            }
        }
        func close() {
            fd.withLock { fd in
                if fd >= 0 { Glibc.close(fd) }
                fd = -1
            }
        }
    }
}
