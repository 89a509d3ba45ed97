import Subprocess

#if canImport(SystemPackage)
import SystemPackage
#endif

/// Runs an external command (a hook, sendmail) with bytes on its stdin, a time limit, and its output
/// (stdout and stderr together) kept up to a limit. The command gets a session of its own, so on
/// timeout SIGTERM and then SIGKILL reach whatever it started too.
package enum CommandRunner {
    package enum Status: Sendable, Equatable {
        case exited(Int)
        case signalled(Int)
        case timedOut
        case couldNotStart(String)
    }

    package struct Outcome: Sendable {
        package var status: Status
        /// What it printed, at most `outputLimit` bytes (the rest is dropped and said so).
        package var output: String
    }

    package static let outputLimit = 16 * 1024

    package static func run(
        _ argv: [String],
        environment: [String: String] = [:],
        input: [UInt8],
        timeout: Double
    ) async -> Outcome {
        guard let program = argv.first, !program.isEmpty else {
            return Outcome(status: .couldNotStart("the command is empty"), output: "")
        }
        let timer = Timer()

        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.createSession = true
                options.teardownSequence = [
                    .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))
                ]
                var env: [Environment.Key: String?] = [:]
                for (k, v) in environment { env[Environment.Key(stringLiteral: k)] = v }
                let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
                let arguments = Arguments(Array(argv.dropFirst()))
                do {
                    let result = try await Subprocess.run(
                        executable,
                        arguments: arguments,
                        environment: .inherit.updating(env),
                        platformOptions: options,
                        input: .array(input),
                        output: .sequence,
                        error: .combinedWithOutput
                    ) { execution in
                        var kept: [UInt8] = []
                        var dropped = 0
                        for try await chunk in execution.standardOutput {
                            chunk.withUnsafeBytes { raw in
                                let room = max(0, outputLimit - kept.count)
                                kept.append(contentsOf: raw.prefix(room))
                                dropped += max(0, raw.count - room)
                            }
                        }
                        var text = String(decoding: kept, as: UTF8.self)
                        if dropped > 0 { text += "\n… (\(dropped) more bytes not kept)" }
                        return text
                    }
                    let status: Status
                    switch result.terminationStatus {
                    case .exited(let code): status = .exited(Int(code))
                    case .signaled(let signal): status = await timer.fired ? .timedOut : .signalled(Int(signal))
                    }
                    return Outcome(status: status, output: result.closureResult)
                } catch is CancellationError {
                    return Outcome(status: .timedOut, output: "")
                } catch {
                    if await timer.fired { return Outcome(status: .timedOut, output: "") }
                    return Outcome(status: .couldNotStart("cannot run \(program): \(error)"), output: "")
                }
            }
            group.addTask {
                try? await loopSleep(seconds: timeout)
                if Task.isCancelled { return nil }
                await timer.fire()
                return nil
            }
            var outcome: Outcome?
            for await o in group {
                if let o {
                    outcome = o
                    group.cancelAll()
                } else if outcome == nil {
                    // The time is up: cancelling the run tears the command down.
                    group.cancelAll()
                }
            }
            guard var o = outcome else { return Outcome(status: .timedOut, output: "") }
            if await timer.fired, case .signalled = o.status { o.status = .timedOut }
            return o
        }
    }

    private actor Timer {
        var fired = false
        func fire() { fired = true }
    }
}
