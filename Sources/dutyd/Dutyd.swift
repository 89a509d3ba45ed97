import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyWeb
import Foundation
import Logging
import ServiceLifecycle

/// `dutyd`: the service. Reads /etc/dutyd/dutyd.toml (or `--config`), builds the plan, tells systemd it
/// is ready, and performs every step when it falls due: journal entries, email and hooks. Started by
/// `main.swift`, which sets up signals and the executor first.
struct Dutyd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dutyd",
        abstract: "Keeps every unit on schedule with its recurring duties: reminders, due notices, escalations.",
        discussion: """
            Run by systemd (dutyd.service, Type=notify). SIGHUP reads the settings, policy and holidays
            again and keeps the old ones if the new ones are broken; SIGTERM stops it cleanly. Entries go
            to the journal (journalctl -u dutyd, journalctl -x explains each), or to stderr without one.

            Exit status: 0 stopped cleanly, 64 bad usage, 78 bad settings or policy, 1 state store or
            other runtime failure.
            """,
        version: dutydVersion
    )

    @Option(name: .long, help: ArgumentHelp("The settings file.", valueName: "path"))
    var config = Settings.defaultPath

    @Flag(name: .long, help: "Perform everything due now (or at --now), then exit.")
    var once = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --once: the moment to perform, ISO 8601 (2026-12-21T09:00:00+08:00, or local time in the settings' zone).",
            valueName: "instant"
        )
    )
    var now: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Run as a service whose clock read this instant when it started, and goes on from there (to watch steps fall due in a demonstration); the ledger records real times.",
            valueName: "instant"
        )
    )
    var startAt: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where entries go: journal, stderr, or auto (the journal when there is one).",
            valueName: "target"
        )
    )
    var log = "auto"

    func validate() throws {
        guard ["auto", "journal", "stderr"].contains(log) else {
            throw ValidationError("--log '\(log)': expected journal, stderr or auto")
        }
        if startAt != nil && once {
            throw ValidationError("--start-at is for the running service; with --once, --now says the moment")
        }
        if now != nil && !once {
            throw ValidationError(
                "--now needs --once: the service always works on the real time; `dutyd --once --now 2026-12-21T09:00:00+08:00` performs what is due at another moment"
            )
        }
    }

    func run() async throws {
        let journal =
            switch log {
            case "journal": Journal(mode: .native)
            case "stderr": Journal(mode: .stderr)
            default: Journal.detect()
            }
        LoggingSystem.bootstrap { _ in JournalLogHandler(journal: journal) }
        let logger = Logger(label: "dutyd")
        ProcessSetup.restrictNewFiles()
        let descriptors = ProcessSetup.raiseDescriptorLimit()
        do {
            // Below this the store, the journal, the API and a hook's pipes no longer fit, and the
            // Swift runtime's own event loop traps when it cannot get its descriptor: refuse at start.
            guard descriptors >= ProcessSetup.minimumDescriptors else {
                throw Failure(
                    ExitStatus.config,
                    "only \(descriptors) file descriptors are allowed (RLIMIT_NOFILE); dutyd needs at least \(ProcessSetup.minimumDescriptors). Raise the limit: LimitNOFILE=65536 in the unit (as shipped), or ulimit -n"
                )
            }
            if once {
                // A stray SIGHUP (a `systemctl reload` of a cron-style run) must not kill it.
                signal(SIGHUP, SIG_IGN)
                try await runOnce(journal: journal, logger: logger)
            } else {
                var clock = SystemClock()
                if let startAt {
                    let settings = try Settings.load(path: config)
                    guard let start = Instant(iso: startAt, zone: settings.timezone) else {
                        throw Failure(
                            ExitStatus.usage,
                            "--start-at '\(startAt)': expected an ISO 8601 instant such as 2026-12-24T08:59:55+08:00 (or a local date-time in \(settings.timezone.identifier))"
                        )
                    }
                    clock.offset = start.microseconds - clock.wall().microseconds
                }
                let scheduler = Scheduler(configPath: config, clock: clock, journal: journal, logger: logger)
                var services: [any Service] = [scheduler]
                // One dutyd per state store; the lock is the kernel's and goes with the process.
                let settings = try Settings.load(path: config)
                if !Settings.isDatabase(settings.state) {
                    ProcessSetup.restrictStateFiles(settings.state)
                    _ = try StateLock.acquire(settings.state)
                }
                // The API's socket and groups are read once, at start (a reload keeps them).
                let api = settings.api
                if api.enabled {
                    services.append(
                        APIServer(settings: api, scheduler: scheduler, logger: logger, version: dutydVersion)
                    )
                }
                // The officials' pages, when `[web]` says where (read once, at start, like the API's).
                if let web = settings.web {
                    services.append(
                        WebServer(
                            settings: web,
                            links: try web.links(),
                            scheduler: scheduler,
                            logger: logger,
                            language: settings.email.language
                        )
                    )
                }
                // `/metrics` over TCP for Prometheus, when `[metrics] listen` says where (read at start).
                if let metrics = settings.metrics {
                    services.append(
                        MetricsServer(settings: metrics, scheduler: scheduler, logger: logger, version: dutydVersion)
                    )
                }
                // Signals come from `SignalWaiter` (main.swift blocked them), not the group's DispatchSources.
                let group = ServiceGroup(configuration: .init(services: services, logger: logger))
                SignalWaiter.start(Dutyd.serviceSignals) { signal in
                    Task {
                        if signal == SIGHUP {
                            await scheduler.reload()
                        } else {
                            await group.triggerGracefulShutdown()
                        }
                    }
                }
                try await group.run()
            }
        } catch {
            guard let f = Failure(translating: error) else {
                fail(Failure(ExitStatus.runtime, "\(error)"), journal: journal)
                throw ExitCode(ExitStatus.runtime.rawValue)
            }
            fail(f, journal: journal)
            throw ExitCode(f.status.rawValue)
        }
    }

    private func runOnce(journal: Journal, logger: Logger) async throws {
        let clock = SystemClock()
        let settings = try Settings.load(path: config)
        // The service's lock: a --once beside a running dutyd would send what the service sends.
        // On PostgreSQL the running instances send, one at a time under the sender's lease; a --once
        // beside them would send outside it.
        guard !Settings.isDatabase(settings.state) else {
            throw Failure(
                ExitStatus.usage,
                "dutyd --once works on a SQLite state store; on PostgreSQL the running dutyd instances send (one at a time). Start one (systemctl start dutyd) instead"
            )
        }
        ProcessSetup.restrictStateFiles(settings.state)
        _ = try StateLock.acquire(settings.state, once: true)
        var at = clock.now()
        if let now {
            guard let i = Instant(iso: now, zone: settings.timezone) else {
                throw Failure(
                    ExitStatus.usage,
                    "--now '\(now)': expected an ISO 8601 instant such as 2026-12-21T09:00:00+08:00 (or a local date-time in \(settings.timezone.identifier))"
                )
            }
            at = i
        }
        let dispatcher = try Scheduler.load(configPath: config, journal: journal, logger: logger, now: at)
        let done = try await dispatcher.perform(at: at, wall: clock.now)
        let text = "performed what was due at \(at.format(in: settings.timezone)): \(done.description)"
        var metadata = done.metadata
        metadata["DUTY_NOW"] = "\(at.format(in: settings.timezone))"
        logger.info("\(text)", metadata: metadata)
        // Someone at a terminal sees the outcome even when the entries went to the journal.
        if journal.mode == .native && isatty(1) == 1 {
            print("dutyd: \(text) (entries in the journal: journalctl -t dutyd)")
        }
    }

    /// The error as a journal entry when there is a journal, and on stderr unless stderr is the journal
    /// already (under systemd, `JOURNAL_STREAM`), so `systemctl status` shows it once.
    private func fail(_ f: Failure, journal: Journal) {
        if ProcessInfo.processInfo.environment["JOURNAL_STREAM"] == nil || journal.mode == .stderr {
            let text = "dutyd: " + f.message.replacingOccurrences(of: "\n", with: "\n  ") + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
        if journal.mode == .native {
            journal.send(
                JournalEntry(f.message, priority: .error, fields: [("DUTY_EXIT_STATUS", String(f.status.rawValue))])
            )
        }
    }
}

extension Dutyd {
    /// SIGHUP reloads; SIGTERM and SIGINT stop cleanly.
    static let serviceSignals = [SIGHUP, SIGTERM, SIGINT]
}
