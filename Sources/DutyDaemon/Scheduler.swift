package import DutyCalendar
import DutyCore
package import DutyFiles
package import DutyNotify
package import DutyOperations
package import DutyStore
import Foundation
package import Logging
import ServiceLifecycle
import Synchronization

/// dutyd's main service: builds the plan, tells systemd it is ready, then sleeps until the next step,
/// performs it and plans again, until it is told to stop. SIGHUP reads the settings, policy and holidays
/// again; a broken new configuration is logged and the old one stays in force.
///
/// The sleep is capped (half the watchdog interval, else `idleCap`), so a wall clock that jumps is noticed
/// within the cap and the watchdog is fed, and nothing else wakes the daemon: no polling loop.
package final class Scheduler: Service {
    package let configPath: String
    let clock: any SchedulerClock
    let manager: ServiceManager
    let journal: Journal
    let logger: Logger
    let channels: ChannelFactory
    private let inbox = Inbox()
    private let published = Mutex<DaemonSnapshot?>(nil)
    private let startedAt = Instant.now
    /// Who waits for the next reload's outcome (`reloadAndWait`): resumed with `nil` when it was taken,
    /// else with why the old configuration stays.
    private let reloadWaiters = Mutex<[CheckedContinuation<String?, Never>]>([])
    /// Who asked for the reloads not yet made, for the audit trail.
    private let reloadAskers = Mutex<[AuditActor]>([])
    /// The perform under way, cancelled when dutyd is asked to stop: it ends within seconds, with
    /// what went out ledgered and the rest left for the next start.
    private let performing = Mutex<Task<Dispatcher.Summary, any Error>?>(nil)
    /// Set when dutyd is told to stop (a cancelled perform then ends the loop; one cancelled because
    /// another dutyd took over sending does not).
    private let stopping = Mutex(false)
    /// On PostgreSQL, which of several dutyd sends (`nil` on SQLite: this one always does).
    private let sender = Mutex<SenderLease?>(nil)
    /// A perform that failed (the store busy, full, or gone) is tried again this soon.
    static let retryAfterFailure: Double = 10
    /// Waking this many seconds later than the sleep asked is a jump of the clock, logged.
    static let jumpSlack: Double = 60
    /// The longest sleep without a watchdog.
    package static let idleCap: Double = 3600

    package init(
        configPath: String,
        clock: any SchedulerClock = SystemClock(),
        manager: ServiceManager = ServiceManager(),
        journal: Journal,
        logger: Logger,
        channels: @escaping ChannelFactory = Scheduler.standardChannels
    ) {
        self.channels = channels
        self.configPath = configPath
        self.clock = clock
        self.manager = manager
        self.journal = journal
        self.logger = logger
    }

    /// Asks the scheduler to read its configuration again (what SIGHUP does: dutyd's `SignalWaiter`
    /// calls this). Asked before `run` has reported READY, the reload waits and happens right after.
    package func reload(by actor: AuditActor = Scheduler.signal) async {
        reloadAskers.withLock { $0.append(actor) }
        await inbox.post(.reload)
    }

    /// Who asks for a reload by SIGHUP, for the audit trail (`systemctl reload dutyd` sends it).
    package static let signal = AuditActor(who: "SIGHUP", how: "signal")

    /// Reloads like SIGHUP and waits for it: `nil` when the new configuration is in force, else why the
    /// old one stays (`dutyctl reload`).
    package func reloadAndWait(by actor: AuditActor) async -> String? {
        await withCheckedContinuation { waiter in
            // Registered before the reload is posted: the reload that answers it reads the files after.
            reloadWaiters.withLock { $0.append(waiter) }
            reloadAskers.withLock { $0.append(actor) }
            Task { [inbox] in await inbox.post(.reload) }
        }
    }

    /// Answers everyone waiting for a reload.
    private func answerReloadWaiters(_ waiting: [CheckedContinuation<String?, Never>], _ failure: String?) {
        for w in waiting { w.resume(returning: failure) }
    }

    /// A change was written to the store (the API): plan again and perform at once, without waiting
    /// for the next wake.
    package func changed() async { await inbox.post(.timer) }

    /// The scheduler's clock (shifted by `dutyd --start-at`): the moment API questions are asked at
    /// unless they say `at`.
    package func now() -> Instant { clock.now() }

    /// What is in force now, for the API (`nil` until the first plan is built).
    package var snapshot: DaemonSnapshot? { published.withLock { $0 } }

    private func publish(_ d: Dispatcher, loadedAt: Instant? = nil) {
        let next = d.nextSteps(after: clock.now(), limit: 5)
        published.withLock {
            $0 = DaemonSnapshot(
                configPath: configPath,
                workspace: d.workspace,
                store: d.store,
                cache: d.cache,
                startedAt: startedAt,
                loadedAt: loadedAt ?? $0?.loadedAt ?? .now,
                next: next
            )
        }
    }

    /// Asks it to stop (what SIGTERM does through the service group).
    package func stop() async { await inbox.post(.stop) }

    /// Makes the delivery channels for a configuration.
    package typealias ChannelFactory = @Sendable (Settings, Journal) throws -> [any Channel]

    /// The channels a configuration delivers to: the journal always; email when `[email]` names a
    /// transport; every `[[hook]]`. A template that does not parse is a configuration error.
    package static let standardChannels: ChannelFactory = { settings, journal in
        var channels: [any Channel] = [JournalChannel(journal: journal, zone: settings.timezone)]
        if let email = try settings.emailChannel(now: { SystemClock().wall() }) { channels.append(email) }
        for hook in settings.hooks {
            channels.append(HookChannel(hook: hook, journal: journal, zone: settings.timezone))
        }
        return channels
    }

    /// Builds the dispatcher from the files; errors are the configuration's.
    package static func load(
        configPath: String,
        journal: Journal,
        logger: Logger,
        now: Instant,
        reuse store: DutyStore? = nil,
        previous: Dispatcher? = nil,
        sender: SenderLease? = nil,
        channels: ChannelFactory = standardChannels
    ) throws -> Dispatcher {
        let settings = try Settings.load(path: configPath)
        let workspace = try Workspace.load(settings)
        let db = try (store.flatMap { $0.source == settings.state ? $0 : nil } ?? workspace.openStore())
            .fenced(by: sender)
        return try Dispatcher(
            workspace: workspace,
            store: db,
            channels: try channels(settings, journal),
            logger: logger,
            now: now,
            previous: previous
        )
    }

    /// Plans, reports READY (before catching up, so a long catch-up is not a failed start), then on
    /// every wake: reads what changed, performs what is due, reports the next step, sleeps. All of it on
    /// the scheduler's own threads (`BlockingExecutor`), never on the event loops that answer the API.
    package func run() async throws {
        try await withTaskExecutorPreference(BlockingExecutor.scheduler) { try await self.loop() }
    }

    private func loop() async throws {
        let lease = try startLease()
        defer { lease?.stop() }
        var dispatcher = try Scheduler.load(
            configPath: configPath,
            journal: journal,
            logger: logger,
            now: clock.now(),
            sender: lease,
            channels: channels
        )
        logStarted(dispatcher, event: .started)
        publish(dispatcher, loadedAt: .now)
        var shown = status(dispatcher)
        manager.notify("READY=1\nSTATUS=\(shown)")

        let watchdog = manager.watchdogInterval
        let cap = watchdog.map { max($0 / 2, 0.05) } ?? Scheduler.idleCap
        let feedWatchdog: @Sendable () -> Void = { [manager] in if watchdog != nil { manager.notify("WATCHDOG=1") } }
        // During a perform the watchdog is fed from a thread of its own, as long as deliveries end.
        let feeder = watchdog.map { WatchdogFeeder(interval: $0, feed: feedWatchdog) }

        // Failed performs in a row, and the last reason logged: a store that stays full or locked is
        // tried every 10 s, but said once per reason (and once when it works again), not every time.
        var failures = 0
        var lastReason = ""
        await withGracefulShutdownHandler {
            loop: while true {
                let at = clock.now()
                var failed = false
                do {
                    if try dispatcher.refresh(now: at) { logger.debug("planned again") }
                    // Another dutyd sends: this one answers questions and plans, and waits for the
                    // lease to say it sends (the lease's thread wakes it).
                    if let lease, lease.term == nil { throw StandingBy() }
                    // On a task of its own, so that a stop can cancel it; the dispatcher is used by
                    // this loop alone, which waits for the task.
                    nonisolated(unsafe) let d = dispatcher
                    if let feeder { d.heartbeat = feeder.beat }
                    d.halt = { [weak self] in self?.cancelPerform() }
                    feeder?.begin()
                    let work = Task(executorPreference: BlockingExecutor.scheduler) { [clock] in
                        try await d.perform(at: at, wall: clock.wall, progress: feedWatchdog)
                    }
                    performing.withLock { $0 = work }
                    // A stop that came before the task was there (SIGTERM right after READY=1, before
                    // a national first run) cancels it too.
                    if stopping.withLock({ $0 }) { work.cancel() }
                    let result = await work.result
                    performing.withLock { $0 = nil }
                    feeder?.end()
                    let done = try result.get()
                    if work.isCancelled && stopping.withLock({ $0 }) { break loop }
                    DutyMetrics.performed(at: clock.wall(), failuresInARow: 0)
                    if failures > 0 {
                        logger.notice("performing again after \(failures) failed attempt(s)")
                        failures = 0
                        lastReason = ""
                    }
                    if done.total > 0 {
                        logger.info("performed what was due: \(done.description)", metadata: done.metadata)
                    }
                } catch is StandingBy {
                    // Nothing to do until the lease changes hands.
                } catch let e as StoreError where e.code == .fenced {
                    // Lost the lease during the perform: what was not ledgered is the new sender's.
                    logger.notice("stopped sending: \(e.message)")
                } catch {
                    // The store is busy, full or gone for now: logged, tried again soon (the watermark
                    // did not move, so nothing is skipped).
                    failed = true
                    failures += 1
                    DutyMetrics.performed(at: clock.wall(), failuresInARow: failures)
                    let reason = "\(error)"
                    let message: Logger.Message =
                        "cannot perform the plan: \(reason); trying again in \(Int(Scheduler.retryAfterFailure)) s"
                    if reason != lastReason {
                        logger.error(message)
                        lastReason = reason
                    } else {
                        logger.debug(message)
                    }
                }
                publish(dispatcher)
                let current = status(dispatcher)
                if current != shown {
                    manager.notify("STATUS=\(current)")
                    shown = current
                }

                let now = clock.now()
                let standingBy = lease.map { $0.term == nil } ?? false
                let wake =
                    standingBy
                    ? Instant(microseconds: now.microseconds + Int(Scheduler.idleCap) * 1_000_000)
                    : (try? dispatcher.nextWake(after: now)) ?? now
                let seconds = min(
                    max(Double(wake.microseconds - now.microseconds) / 1_000_000, 0),
                    failed ? min(cap, Scheduler.retryAfterFailure) : cap
                )
                let timer = Task { [clock, inbox] in
                    try await clock.sleep(seconds: seconds)
                    await inbox.post(.timer)
                }
                let event = await inbox.next()
                timer.cancel()
                let woke = clock.now()
                let slept = Double(woke.microseconds - now.microseconds) / 1_000_000
                if slept > seconds + Scheduler.jumpSlack {
                    let zone = dispatcher.workspace.settings.timezone
                    logger.event(
                        .clockJump,
                        "the clock moved forward by \(Int(slept - seconds)) s more than dutyd slept (set forward, or the machine was suspended): it is \(woke.format(in: zone)); what fell due in between is performed now, one notice per occurrence",
                        ["DUTY_NOW": "\(woke.format(in: zone))", "DUTY_JUMP_SECONDS": "\(Int(slept - seconds))"]
                    )
                }
                feedWatchdog()
                switch event {
                case .stop:
                    break loop
                case .reload:
                    // Those who asked before this reload began; later ones posted a reload of their own.
                    let waiting = reloadWaiters.withLock { waiters in
                        defer { waiters = [] }
                        return waiters
                    }
                    let askers = reloadAskers.withLock { askers in
                        defer { askers = [] }
                        return askers
                    }
                    let failure: String?
                    (dispatcher, failure) = await reloaded(dispatcher, sender: lease)
                    audit(askers, failure, dispatcher.store)
                    if failure == nil {
                        publish(dispatcher, loadedAt: .now)
                        // The old organisation and plan go back to the system (glibc keeps them).
                        StateCache.returnFreedMemory()
                    }
                    answerReloadWaiters(waiting, failure)
                    shown = status(dispatcher)
                    manager.notify("READY=1\nSTATUS=\(shown)")
                case .timer:
                    break
                case .sending:
                    // This instance now sends: read the watermark and the ledger as the last sender
                    // left them (its own copy is as old as its last plan).
                    dispatcher = takingOver(dispatcher)
                    publish(dispatcher)
                    // The standby's plan goes back to the system (glibc keeps freed memory).
                    StateCache.returnFreedMemory()
                }
            }
        } onGracefulShutdown: { [inbox] in
            self.stopping.withLock { $0 = true }
            self.performing.withLock { $0?.cancel() }
            Task { await inbox.post(.stop) }
        }
        let unanswered = reloadWaiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        answerReloadWaiters(unanswered, "dutyd is stopping; the configuration was not read again")
        manager.notify("STOPPING=1\nSTATUS=stopping")
        // Sent before the process ends (it is the notifier's thread that sends).
        manager.flush(seconds: 5)
        logger.event(.stopped, "dutyd stopped")
    }

    /// A reload in the audit trail, once per who asked for it, with its outcome. A store that cannot
    /// take it (a lock held too long) costs the row, not the reload: the journal says so.
    private func audit(_ askers: [AuditActor], _ failure: String?, _ store: DutyStore) {
        for actor in askers {
            do {
                try store.appendAudit(
                    "reload",
                    by: actor,
                    ["config": configPath, "outcome": failure.map { "refused: \($0)" } ?? "in force"]
                )
            } catch {
                logger.error("the reload by \(actor.who) is not in the audit trail: \(error)")
            }
        }
    }

    /// Reads the configuration again; on any error keeps `old` and says why. The caller reports READY.
    /// The new dispatcher, or `old` and why the new configuration was refused.
    private func reloaded(_ old: Dispatcher, sender: SenderLease?) async -> (Dispatcher, String?) {
        manager.reloading()
        do {
            let new = try Scheduler.load(
                configPath: configPath,
                journal: journal,
                logger: logger,
                now: clock.now(),
                reuse: old.store,
                previous: old,
                sender: sender,
                channels: channels
            )
            logStarted(new, event: .reloaded)
            return (new, nil)
        } catch {
            let why = Failure(translating: error)?.message ?? "\(error)"
            logger.event(
                .reloadFailed,
                "reload failed, the previous configuration stays in force: \(why)",
                ["DUTY_CONFIG": "\(configPath)"]
            )
            return (old, why)
        }
    }

    /// The dispatcher of an instance that has just become the sender: the same configuration,
    /// channels and organisation (the standby's copy, which the store's revisions keep current: a
    /// national organisation is not read again, which cost seconds and 360–700 MiB), with the
    /// watermark and the ledger as the last sender left them. Its store checks the lease's term at
    /// every write already.
    private func takingOver(_ old: Dispatcher) -> Dispatcher {
        do {
            return try Dispatcher(
                workspace: old.workspace,
                store: old.store,
                channels: old.channels,
                logger: logger,
                now: clock.now(),
                previous: old,
                cache: old.cache
            )
        } catch {
            // The store is away for now: the old one still performs; the first perform's failure
            // says why, and the watermark it reads is the store's.
            logger.warning("could not read the last sender's watermark: \(error); trying again at the next perform")
            return old
        }
    }

    private func logStarted(_ d: Dispatcher, event: DutyEvent) {
        let p = d.planner
        logger.event(
            event,
            "\(event == .started ? "dutyd started" : "configuration reloaded"): \(p.organisation.units.count) units, \(p.organisation.officials.count) officials, \(p.policy.obligations.count) obligations; \(status(d))",
            [
                "DUTY_CONFIG": "\(configPath)", "DUTY_UNITS": "\(p.organisation.units.count)",
                "DUTY_OBLIGATIONS": "\(p.policy.obligations.count)",
            ]
        )
        for year in d.unpublishedYears(now: clock.now()) {
            logger.event(
                .provisional,
                WorkingDayCalendar.unpublishedWarning(year).replacingOccurrences(of: "warning: ", with: ""),
                ["DUTY_YEAR": "\(year)"]
            )
        }
    }

    /// `next: unit-situation-report reminder-30d at 2026-12-01T09:00:00+08:00`
    func status(_ d: Dispatcher) -> String {
        let zone = d.workspace.settings.timezone
        guard let next = d.nextStep(after: clock.now()) else { return "nothing scheduled within 400 days" }
        return "next: \(next.obligation) \(next.step) at \(next.at.format(in: zone))"
    }
}

/// What the running service has in force, for the API: the files read at the last (re)load, the store,
/// and the next steps.
package struct DaemonSnapshot: Sendable {
    package var configPath: String
    package var workspace: Workspace
    package var store: DutyStore
    /// The planner and records the scheduler works from, which the questions share.
    package var cache: StateCache
    package var startedAt: Instant
    package var loadedAt: Instant
    package var next: [(at: Instant, obligation: String, step: String)]
}

/// What wakes the scheduler.
enum Wake: Sendable, Equatable {
    case timer
    case reload
    case stop
    /// This instance became the sender (PostgreSQL).
    case sending
}

/// A mailbox the scheduler waits on: the timer, SIGHUP and shutdown post to it.
actor Inbox {
    private var pending: [Wake] = []
    private var waiter: CheckedContinuation<Wake, Never>?

    func post(_ wake: Wake) {
        // Many changes in a row (a busy API) wake the scheduler once, not once each.
        if wake == .timer && waiter == nil && pending.contains(.timer) { return }
        if let w = waiter {
            waiter = nil
            w.resume(returning: wake)
        } else {
            pending.append(wake)
        }
    }

    /// The next wake; `.stop` when the task is cancelled (the service group cancels the scheduler when
    /// another service, such as the API, fails), so a cancelled scheduler ends instead of waiting forever.
    func next() async -> Wake {
        // A stop outranks anything queued before it.
        if pending.contains(.stop) || Task.isCancelled { return .stop }
        if !pending.isEmpty { return pending.removeFirst() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.post(.stop) }
        }
    }
}

/// Thrown inside the scheduler's loop when another dutyd sends.
private struct StandingBy: Error {}

extension Scheduler {
    /// On PostgreSQL, the sender's lease for this instance, started; `nil` on SQLite. Its changes
    /// are journaled once each (not per row) and wake the loop.
    func startLease() throws -> SenderLease? {
        let settings = try Settings.load(path: configPath)
        guard Settings.isDatabase(settings.state) else { return nil }
        let instance = settings.instance ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        // Every connection of this process carries the instance's name (unless the connection string
        // names one), so that a standby can end them all when this one stops renewing its lease.
        setenv("PGAPPNAME", PostgresLocation.applicationName(instance: instance), 0)
        let store = try settings.openStore()
        let lease = store.senderLease(instance: instance, takeover: settings.takeover) { [inbox, logger] sending, why in
            logger.event(
                sending ? .senderStarted : .senderStopped,
                "\(instance) \(why)",
                ["DUTY_INSTANCE": "\(instance)"]
            )
            // Lost the lease: no delivery starts from now on (the ledger would refuse it anyway).
            if !sending { self.cancelPerform() }
            Task { await inbox.post(sending ? .sending : .timer) }
        }
        store.close()
        sender.withLock { $0 = lease }
        lease?.start()
        return lease
    }

    /// Cancels the perform under way, if any: it starts no further delivery.
    func cancelPerform() { performing.withLock { $0?.cancel() } }

    /// Who sends, for the API's status (`nil` on SQLite).
    package var lease: SenderLease? { sender.withLock { $0 } }
}
