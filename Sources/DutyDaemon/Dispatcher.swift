package import DutyCalendar
package import DutyCore
import DutyFiles
package import DutyNotify
package import DutyOperations
package import DutyStore
package import Logging

/// Performs the plan: finds the steps that fell due, records each in the ledger before and after its
/// delivery, and keeps how far it got (the watermark) in the store. `dutyd --once` is one `perform`;
/// the scheduler calls it on every wake.
///
/// Rules (docs/design.md, Delivery semantics):
/// - a step is performed once per recipient and channel, under its deterministic ledger key;
/// - steps of one occurrence that fell due while the daemon was not running collapse into the latest
///   (the others are ledgered `collapsed`), so a restart after a week sends one notice, not three;
/// - a row found `sending` was cut off by a crash and is delivered again: at most one duplicate;
/// - the window is `[watermark, now]`: nothing before the watermark is looked at again, nothing after
///   `now` is sent;
/// - except when `now` is behind the watermark (the clock was set back, or the last run was a
///   `--once --now` ahead of the clock): the window then starts at the real time of the last run, the
///   jump is logged, and the watermark comes back to `now`, so a run ahead of the clock never makes a
///   later one skip what is due;
/// - and a reload that moves a step from after the watermark to before it (a reminder made earlier,
///   a holiday added) sends that step once at the next perform, unless a later step of the
///   occurrence already went out;
/// - except a deadline that arrived late: an event or a completion recorded after some of the steps it
///   starts were due (`dutyctl event record --on` a past day, or the day after) gets the latest of
///   those steps, the earlier ones collapsed, as a catch-up would.
package final class Dispatcher {
    package let workspace: Workspace
    package let store: DutyStore
    /// The planner and records, shared with the API's questions.
    package let cache: StateCache
    package let channels: [any Channel]
    let logger: Logger
    package private(set) var planner: Planner
    var records: DutyRecords {
        didSet { lastArrival = Dispatcher.lastArrival(records) }
    }
    /// The latest time an event or a completion was recorded: whether any deadline can have arrived
    /// late in a window, without looking through every record on every wake.
    private var lastArrival: Instant?
    /// Reopenings whose skipped step this dispatcher has dealt with (the ledger keeps a restart from
    /// sending it again; this keeps each wake from looking it up again).
    private var caughtUp: Set<Reopening> = []
    private var revisions: [Revision: Int]
    var plan: Plan
    /// The day the plan was built for; planned again when the day changes.
    private var planDay: CivilDate
    /// Every step before this was handled.
    package private(set) var watermark: Instant?
    /// The real time of the run that set the watermark, when earlier than it (`--now` ahead).
    private var watermarkWall: Instant?
    /// Steps a reload put before the watermark, caught up at the next perform.
    private var moved: [Moved] = []
    /// A clock this far behind the watermark is a jump back, not jitter.
    static let jumpTolerance = 2

    /// A record written this long before the watermark still counts as arrived in the window: a change
    /// committed while a perform was running is not missed (the ledger keeps it from being sent twice).
    static let arrivalMargin = 600
    /// How far back a first run looks for steps that are still worth sending.
    package static let firstRunLookbackDays = 400
    /// How far ahead the plan reaches.
    static let horizonDays = 400
    /// Deliveries written to the ledger per transaction.
    static let chunk = 1_000
    /// This dispatcher's chunk (tests make it small).
    package var chunkSize = Dispatcher.chunk
    /// How long a chunk's attempt may run at most (each channel bounds its deliveries: SMTP's reply
    /// timeouts, hooks' own): a row's `sending_until`, which `dutyctl ledger` shows.
    package static let attemptBound = 15 * 60
    /// Called from any thread each time a delivery ends: the watchdog's sign that a long batch is
    /// moving (`WatchdogFeeder`).
    package var heartbeat: @Sendable () -> Void = {}
    /// Called when a delivery cannot be recorded (another dutyd sends now, the store is unreachable
    /// or busy): the scheduler cancels the perform, so no further delivery starts and at most the one
    /// unrecorded message can go out again.
    package var halt: @Sendable () -> Void = {}
    /// The scheduler's clock minus the wall clock at this perform's start, in seconds (not 0 only
    /// under `dutyd --start-at` or `--now`): a retry's next attempt is set on the scheduler's clock,
    /// which decides what is due, while the ledger's attempt times are the wall's.
    var clockShift = 0

    package init(
        workspace: Workspace,
        store: DutyStore,
        channels: [any Channel],
        logger: Logger,
        now: Instant,
        previous: Dispatcher? = nil,
        cache shared: StateCache? = nil
    )
        throws(StoreError)
    {
        self.workspace = workspace
        self.store = store
        self.cache = shared ?? StateCache(workspace: workspace, store: store)
        self.channels = channels
        self.logger = logger
        revisions = try store.revisions()
        planner = try cache.planner(revision: revisions[.organisation] ?? 0)
        records = try cache.records(revision: revisions[.records] ?? 0)
        lastArrival = Dispatcher.lastArrival(records)
        watermark = try store.watermark()
        watermarkWall = try store.watermarkWall()
        planDay = workspace.settings.timezone.day(of: now)
        plan = Dispatcher.makePlan(
            planner,
            records: records,
            from: Dispatcher.planStart(watermark, watermarkWall),
            now: now
        )
        if let previous, let mark = watermark {
            moved = Dispatcher.moved(from: previous.plan, to: plan, before: mark)
        }
    }

    /// Where the plan must start for the next window: the watermark, or the real time of the run that
    /// set it when that was earlier.
    private var planStart: Instant? { Dispatcher.planStart(watermark, watermarkWall) }

    private static func planStart(_ watermark: Instant?, _ wall: Instant?) -> Instant? {
        guard let watermark else { return nil }
        return wall.map { min($0, watermark) } ?? watermark
    }

    private static func lastArrival(_ records: DutyRecords) -> Instant? {
        (records.events.map(\.recordedAt) + records.completions.map(\.recordedAt)
            + records.extensions.compactMap(\.decidedAt)).max()
    }

    /// The occurrence a planned deadline of a subject is.
    func occurrenceID(_ o: Int, _ s: Int32, _ t: Timing) -> OccurrenceID {
        OccurrenceID(
            obligation: planner.policy.obligations[o].id,
            subject: planner.subjectID(s, obligation: o),
            period: t.period
        )
    }

    /// Records written at or after this arrived in the window that starts at `watermark`.
    private static func arrivedSince(_ watermark: Instant?) -> Instant? {
        watermark.map { Instant(seconds: $0.seconds - arrivalMargin) }
    }

    private static func makePlan(
        _ planner: Planner,
        records: DutyRecords,
        from watermark: Instant?,
        now: Instant
    )
        -> Plan
    {
        let zone = planner.zone
        let today = zone.day(of: now)
        let lo = watermark.map { min(zone.day(of: $0), today) } ?? today.adding(days: -firstRunLookbackDays)
        let started = ContinuousClock.now
        defer { DutyMetrics.planned(seconds: (ContinuousClock.now - started).inSeconds) }
        return planner.plan(
            from: lo,
            through: today.adding(days: horizonDays),
            records: records,
            arrivedSince: arrivedSince(watermark)
        )
    }

    /// Reads again what changed in the store since the last look (a `dutyctl` change) and plans again
    /// when anything did or the day changed. Returns whether it planned again.
    @discardableResult
    package func refresh(now: Instant) throws(StoreError) -> Bool {
        let current = try store.revisions()
        let today = workspace.settings.timezone.day(of: now)
        guard current != revisions || today != planDay else { return false }
        if current[.organisation] != revisions[.organisation] {
            planner = try cache.planner(revision: current[.organisation] ?? 0)
        }
        if current[.records] != revisions[.records] { records = try cache.records(revision: current[.records] ?? 0) }
        revisions = current
        planDay = today
        plan = Dispatcher.makePlan(planner, records: records, from: planStart, now: now)
        return true
    }

    /// The next step to perform and its time, for `STATUS=` and the sleep.
    package func nextStep(after now: Instant) -> (at: Instant, obligation: String, step: String)? {
        let from = max(watermark ?? now, now)
        guard let n = plan.nextStep(atOrAfter: from) else { return nil }
        return (n.at, planner.policy.obligations[n.obligation].id, n.step)
    }

    /// The next `limit` step times after `now`, one step named for each.
    package func nextSteps(after now: Instant, limit: Int) -> [(at: Instant, obligation: String, step: String)] {
        var out: [(at: Instant, obligation: String, step: String)] = []
        var from = max(watermark ?? now, now)
        while out.count < limit, let n = plan.nextStep(atOrAfter: from) {
            out.append((n.at, planner.policy.obligations[n.obligation].id, n.step))
            from = Instant(microseconds: n.at.microseconds + 1)
        }
        return out
    }

    /// When something is next to do: a step, a retry, or the next day (to plan further ahead).
    package func nextWake(after now: Instant) throws(StoreError) -> Instant {
        let zone = workspace.settings.timezone
        var wake = zone.instant(on: zone.day(of: now).adding(days: 1), second: 0)
        if let step = nextStep(after: now) { wake = min(wake, step.at) }
        if let rule = planner.policy.bulletin {
            let soon = Instant(microseconds: now.microseconds + 1)..<Instant(seconds: now.seconds + 2 * 86_400)
            for b in Dispatcher.bulletinsDue(rule, in: soon, planner: planner) { wake = min(wake, b.at) }
        }
        if let retry = try store.nextLedgerRetry() { wake = min(wake, retry) }
        return wake
    }

    /// What one `perform` did.
    package struct Summary: Sendable, Equatable {
        package var sent = 0
        package var collapsed = 0
        package var retrying = 0
        package var failed = 0
        package var cancelled = 0
        package var total: Int { sent + collapsed + retrying + failed + cancelled }

        /// `79 sent, 17 collapsed, 0 to retry, 0 failed`
        package var description: String {
            "\(sent) sent, \(collapsed) collapsed, \(retrying) to retry, \(failed) failed"
                + (cancelled > 0 ? ", \(cancelled) cancelled" : "")
        }

        /// The same as journal fields.
        package var metadata: Logger.Metadata {
            [
                "DUTY_SENT": "\(sent)", "DUTY_COLLAPSED_COUNT": "\(collapsed)", "DUTY_RETRYING": "\(retrying)",
                "DUTY_FAILED": "\(failed)",
            ]
        }
    }

    /// Performs everything due at `now`: first the steps in `[watermark, now]`, then retries whose time
    /// has come. `wall` gives the real time the ledger records (`--now` changes what is due, never the
    /// recorded send time); `progress` is called after each chunk (the scheduler feeds the watchdog, so
    /// a national batch is not mistaken for a hang).
    package func perform(
        at now: Instant,
        wall: () -> Instant,
        progress: () -> Void = {}
    ) async throws(StoreError) -> Summary {
        var summary = Summary()
        let realTime = wall()
        clockShift = now.seconds - realTime.seconds
        var lo =
            watermark
            ?? Instant(seconds: now.seconds - Dispatcher.firstRunLookbackDays * 86_400)
        let hi = Instant(microseconds: now.microseconds + 1)
        if let mark = watermark, mark.seconds > now.seconds + Dispatcher.jumpTolerance {
            // Behind the last run: look again from that run's real time (the ledger keeps what went
            // out from going out twice), and bring the watermark back to now.
            lo = min(watermarkWall ?? now, now)
            let zone = workspace.settings.timezone
            logger.event(
                .clockJump,
                "the clock is behind the last run: it handled the steps through \(mark.format(in: zone)), now is \(now.format(in: zone)); the steps since \(lo.format(in: zone)) are looked at again",
                ["DUTY_WATERMARK": "\(mark.format(in: zone))", "DUTY_NOW": "\(now.format(in: zone))"]
            )
            if lo < (planStart ?? lo) || zone.day(of: lo) < planDay {
                plan = Dispatcher.makePlan(planner, records: records, from: lo, now: now)
            }
        }
        // A clock within `jumpTolerance` behind the watermark: nothing new in the window.
        if lo < hi {
            try await performWindow(lo..<hi, now: now, wall: wall, progress: progress, summary: &summary)
            if !Task.isCancelled {
                try await performBulletins(lo..<hi, now: now, wall: wall, progress: progress, summary: &summary)
            }
            // Stopped part way (SIGTERM): what went out is ledgered, the rest of the window is done
            // again at the next start, so the watermark stays.
            if Task.isCancelled { return summary }
            watermark = hi
            watermarkWall = min(realTime, hi)
            try store.setWatermark(hi, wall: realTime)
        }
        if Task.isCancelled { return summary }
        try await performRetries(now: now, unfinished: lo >= hi, wall: wall, progress: progress, summary: &summary)
        return summary
    }

    /// One delivery to make: a step of an occurrence on a channel (to a recipient, for channels that
    /// deliver per recipient), and the earlier steps folded into it.
    struct Pending {
        var obligation: Int
        var subject: Int32
        var timing: Timing
        var step: Int
        var channel: Int
        var collapsed: [Int]
        /// Its ledger row when this is a retry (`pending` from an unfinished batch, `sending` cut off,
        /// `retry`).
        var row: LedgerEntry?
        /// For per-recipient channels: who, and the channel's digest key for them.
        var recipient: Notice.Person? = nil
        var digestKey = ""

        var ledgerRecipient: String { recipient?.id ?? "*" }
    }

    private func performWindow(
        _ window: Range<Instant>,
        now: Instant,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        // A batch that a stopped process (or a former sender) decided and did not finish goes out
        // with this one: its rows first, so an address still gets one digest for the two.
        let unfinished = try store.ledgerPendingRows().filter { !$0.occurrence.hasPrefix("@bulletin/") }
        var states = try store.ledgerStates(dueIn: window)
        // Deadlines that arrived late reach back before the window: their rows come by occurrence.
        let arrived = Dispatcher.arrivedSince(window.lowerBound)
        // `nil` when no record came since then, which is most wakes.
        let lateSince = arrived.flatMap { since in lastArrival.flatMap { $0 >= since ? since : nil } }
        if let lateSince {
            var late: Set<String> = []
            plan.forEachDue(in: window, arrivedSince: lateSince) { obligation, subject, timing, range in
                guard timing.steps[range.lowerBound].at < window.lowerBound else { return }
                late.insert(occurrenceID(obligation, subject, timing).description)
            }
            for occurrence in late {
                for row in try store.ledger(occurrence: occurrence) { states[row.key] = row.state }
            }
        }
        // Occurrences reopened by an undo in the window: the main pass below sees those with a step in
        // the window; the others get the latest step that passed while they stood done or waived.
        let reopened =
            arrived.map { since in records.reopenings.filter { $0.at >= since && !caughtUp.contains($0) } }
            ?? []
        let reopenedIDs = Set(reopened.map(\.occurrence))
        var seen: Set<OccurrenceID> = []
        var pending: [Pending] = []
        var noticed: [(Int, Int32, Timing)] = []
        /// What to deliver for the steps `range` of an occurrence: the last, the earlier ones folded in.
        func consider(_ o: Int, _ s: Int32, _ t: Timing, _ range: Range<Int>) {
            let id = occurrenceID(o, s, t)
            let occurrence = id.description
            if !reopenedIDs.isEmpty, reopenedIDs.contains(id) { seen.insert(id) }
            let last = range.upperBound - 1
            func row(_ k: Int, _ recipient: String, _ channel: any Channel) -> LedgerEntry.State? {
                states[
                    LedgerEntry.key(
                        occurrence: occurrence,
                        step: t.steps[k].name,
                        recipient: recipient,
                        channel: channel.name
                    )
                ]
            }
            var recipients: [Notice.Person]?
            for (c, channel) in channels.enumerated() where channel.accepts(t.steps[last].kind.event) {
                // Earlier steps are ledgered `collapsed` under the recipient `*` on every channel.
                let collapsed = range.dropLast().filter { row($0, "*", channel) == nil }
                if !channel.perRecipient {
                    if row(last, "*", channel) != nil { continue }
                    pending.append(
                        Pending(obligation: o, subject: s, timing: t, step: last, channel: c, collapsed: collapsed)
                    )
                    continue
                }
                // Looked up once per step, however many channels deliver per recipient.
                let people =
                    recipients ?? planner.recipientPeople(obligation: o, subject: s, timing: t, step: last)
                recipients = people
                var first = true
                for person in people where row(last, person.id, channel) == nil {
                    pending.append(
                        Pending(
                            obligation: o,
                            subject: s,
                            timing: t,
                            step: last,
                            channel: c,
                            collapsed: first ? collapsed : [],
                            recipient: person,
                            digestKey: channel.digestKey(person)
                        )
                    )
                    first = false
                }
            }
        }
        plan.forEachDue(in: window, arrivedSince: lateSince, consider)
        // Steps a reload moved before the window: the latest of each occurrence goes out, unless the
        // occurrence has a step in the window (the pass above) or a later step already went out.
        if !moved.isEmpty {
            logger.info("a reload put \(moved.count) steps before the last run; catching them up")
        }
        for m in moved {
            let t = m.timing
            guard !t.steps.contains(where: { window.contains($0.at) }) else { continue }
            let rows = try store.ledger(occurrence: occurrenceID(m.obligation, m.subject, t).description)
            let handled = Set(rows.map(\.step))
            guard !t.steps[(m.steps.upperBound - 1)...].contains(where: { handled.contains($0.name) }) else { continue }
            for row in rows { states[row.key] = row.state }
            consider(m.obligation, m.subject, t, m.steps)
        }
        moved = []
        // Extension requests and decisions (延期) since the window began (with the same margin as
        // records that arrive late): each once, never folded into a step.
        let noticeWindow = (arrived ?? window.lowerBound)..<window.upperBound
        plan.forEachNotice(in: noticeWindow) { o, s, t, k in
            noticed.append((o, s, t.announcing(k)))
        }
        for (o, s, t) in noticed {
            for row in try store.ledger(occurrence: occurrenceID(o, s, t).description) { states[row.key] = row.state }
            consider(o, s, t, 0..<1)
        }
        for r in reopened {
            guard !seen.contains(r.occurrence), let found = planner.occurrence(r.occurrence, records: records),
                found.completion == nil, found.waiver == nil
            else { continue }
            let (o, s, t) = (found.obligation, found.subject, found.timing)
            // Steps that have passed, and not before the subject was tracked.
            let start = planner.trackStart(subject: s, obligation: o)
            let passed = t.steps.indices.filter { step in
                t.steps[step].at < window.upperBound && (start.map { t.steps[step].day.date >= $0 } ?? true)
            }
            guard let first = passed.first, let last = passed.last else { continue }
            for row in try store.ledger(occurrence: r.occurrence.description) { states[row.key] = row.state }
            consider(o, s, t, first..<(last + 1))
        }
        if !unfinished.isEmpty { pending += try deliveries(of: unfinished, summary: &summary) }
        try await deliverAll(pending, now: now, wall: wall, progress: progress, summary: &summary)
        caughtUp.formUnion(reopened)
    }

    /// Years the plan reaches into whose holidays are not published.
    package func unpublishedYears(now: Instant) -> [Int] {
        let today = workspace.settings.timezone.day(of: now)
        return workspace.workdays.unpublishedYears(from: today, through: today.adding(days: Dispatcher.horizonDays))
    }
}
