import DutyCalendar
import DutyCore
import DutyNotify
import DutyOperations
import DutyStore
import Logging

/// Delivery: a batch ledgered `pending` first, then delivered in chunks that never split a digest,
/// each ledgered `sending` before it goes and `sent` the moment its channel reports it
/// (docs/decisions/0006-ledger-per-item.md).
extension Dispatcher {
    /// Ledgers the deliveries that have no row yet as `pending` (with the earlier steps they fold in,
    /// `collapsed`), then orders them (per channel and digest key, then by time) and delivers them in
    /// chunks that never split a digest: everything one recipient gets in this run is one batch
    /// item group.
    func deliverAll(
        _ pending: [Pending],
        now: Instant,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        try ledgerPending(pending, summary: &summary)
        let sorted = pending.sorted {
            ($0.channel, $0.digestKey, $0.timing.steps[$0.step].at, $0.obligation, $0.subject)
                < ($1.channel, $1.digestKey, $1.timing.steps[$1.step].at, $1.obligation, $1.subject)
        }
        var start = 0
        while start < sorted.count, !Task.isCancelled {
            var end = min(start + chunkSize, sorted.count)
            while end < sorted.count, !sorted[end].digestKey.isEmpty,
                sorted[end].channel == sorted[end - 1].channel, sorted[end].digestKey == sorted[end - 1].digestKey
            {
                end += 1
            }
            try await deliver(
                sorted[start..<end],
                now: now,
                wall: wall,
                progress: progress,
                summary: &summary
            )
            start = end
        }
    }

    /// Rows of a batch written at a time: each part its own transaction, and SIGTERM heard between
    /// two (a national first run decides millions).
    static let pendingPart = 20_000

    /// The batch's rows that the ledger does not have yet, `pending` (with the `collapsed` rows of
    /// the steps they fold in), before any of it goes out: whoever sends next finds them there. A
    /// part at a time; a stop in between leaves the rest to the next run's plan, as before.
    func ledgerPending(_ pending: [Pending], summary: inout Summary) throws(StoreError) {
        var part: [LedgerEntry] = []
        part.reserveCapacity(min(pending.count, Dispatcher.pendingPart) + 16)
        for p in pending where p.row == nil {
            let row = ledgerRow(p, .pending)
            part.append(row)
            for k in p.collapsed {
                var e = LedgerEntry(
                    occurrence: row.occurrence,
                    step: p.timing.steps[k].name,
                    recipient: "*",
                    channel: row.channel,
                    state: .collapsed,
                    dueAt: p.timing.steps[k].at
                )
                e.error = "fell due while dutyd was not running; folded into \(row.step)"
                part.append(e)
                summary.collapsed += 1
            }
            if part.count >= Dispatcher.pendingPart {
                if Task.isCancelled { return }
                try store.ledgerPending(part)
                Dispatcher.countOutcomes(part)
                part.removeAll(keepingCapacity: true)
            }
        }
        if !Task.isCancelled {
            try store.ledgerPending(part)
            Dispatcher.countOutcomes(part)
        }
    }

    /// Counts the rows that ended (`sent`, `retry`, `failed`, `collapsed`) in `dutyd_notifications_total`,
    /// once they are in the ledger.
    static func countOutcomes(_ rows: [LedgerEntry]) {
        var counts: [String: [LedgerEntry.State: Int]] = [:]
        for row in rows where [.sent, .retry, .failed, .collapsed].contains(row.state) {
            counts[row.channel, default: [:]][row.state, default: 0] += 1
        }
        for (channel, states) in counts {
            for (state, n) in states { DutyMetrics.notification(channel: channel, outcome: state.rawValue, count: n) }
        }
    }

    /// The ledger row of a delivery in `state`.
    func ledgerRow(_ p: Pending, _ state: LedgerEntry.State) -> LedgerEntry {
        LedgerEntry(
            occurrence: occurrenceID(p.obligation, p.subject, p.timing).description,
            step: p.timing.steps[p.step].name,
            recipient: p.ledgerRecipient,
            channel: channels[p.channel].name,
            state: state,
            dueAt: p.timing.steps[p.step].at
        )
    }

    /// Delivers one chunk: its rows `sending` committed first, then the deliveries, then their
    /// outcomes in one more transaction.
    func deliver(
        _ chunk: ArraySlice<Pending>,
        now: Instant,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        let started = wall()
        let until = Instant(seconds: started.seconds + Dispatcher.attemptBound)
        var before: [LedgerEntry] = []
        var items: [[(notification: Notice, recipient: Notice.Person?)]] = Array(
            repeating: [],
            count: channels.count
        )
        var rows: [[LedgerEntry]] = Array(repeating: [], count: channels.count)
        var notices: [String: Notice] = [:]
        for p in chunk {
            var e = p.row ?? ledgerRow(p, .pending)
            let noticeKey = "\(p.obligation)/\(p.subject)/\(p.timing.period)/\(p.timing.steps[p.step].name)"
            var n: Notice
            if let cached = notices[noticeKey] {
                n = cached
            } else {
                n = planner.notification(
                    obligation: p.obligation,
                    subject: p.subject,
                    timing: p.timing,
                    step: p.step,
                    at: now
                )
                n.collapsed = p.collapsed.map { p.timing.steps[$0].name }
                notices[noticeKey] = n
            }
            e.beginAttempt(at: started, until: until)
            before.append(e)
            rows[p.channel].append(e)
            items[p.channel].append((n, p.recipient))
        }
        try await send(items, rows: rows, before: before, wall: wall, progress: progress, summary: &summary)
    }

    /// Delivers prepared items, per channel, with their ledger rows (`rows`, in the same order):
    /// `before` (the `sending` rows) committed first, each delivery ledgered
    /// `sent` as it ends, then every outcome in one more transaction.
    func send(
        _ items: [[(notification: Notice, recipient: Notice.Person?)]],
        rows: [[LedgerEntry]],
        before: [LedgerEntry],
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        try store.writeLedger(before)
        var after: [LedgerEntry] = []
        var failures = Failures()
        for (c, channel) in channels.enumerated() where !items[c].isEmpty {
            // Each message, entry or run that went out is ledgered `sent` at once, in its own
            // transaction: a crash (kill -9, power) in the middle of a chunk repeats at most the
            // delivery that was in flight, not the chunk.
            let sending = rows[c]
            let store = self.store
            let beat = heartbeat
            let halt = self.halt
            let logger = self.logger
            let results = await channel.deliver(items[c]) { indices, results in
                var sent: [LedgerEntry] = []
                for (i, r) in zip(indices, results) where r == .sent && i < sending.count {
                    var e = sending[i]
                    e.end(.sent)
                    e.sentAt = .now
                    e.error = nil
                    sent.append(e)
                }
                // What cannot be recorded may go out again: start nothing more, so that it is this
                // one message at most. The rest stays for the next perform (or the new sender).
                if !sent.isEmpty {
                    do {
                        try store.writeLedger(sent)
                    } catch let e as StoreError where e.code == .fenced {
                        logger.notice("stopping this batch: \(e.message)")
                        halt()
                    } catch {
                        logger.warning(
                            "stopping this batch: could not record \(sent.count) deliveries as sent (\(error)); what is left is tried again"
                        )
                        halt()
                    }
                }
                beat()
            }
            let done = wall()
            for (i, var e) in rows[c].enumerated() {
                let result = i < results.count ? results[i] : .transient("the channel gave no answer")
                switch result {
                case .sent:
                    e.end(.sent)
                    e.sentAt = done
                    e.error = nil
                    summary.sent += 1
                case .transient(let why) where e.attempts >= Dispatcher.maxAttempts:
                    e.end(.failed)
                    e.error = "gave up after \(e.attempts) attempts: \(why)"
                    summary.failed += 1
                    failures.add(e, e.error!, final: true)
                case .transient(let why):
                    e.end(.retry)
                    e.error = why
                    // On the scheduler's clock, which `ledgerRetries(at:)` is asked with.
                    e.nextAttemptAt = Instant(
                        seconds: done.seconds + clockShift + Dispatcher.backoff(attempt: e.attempts)
                    )
                    summary.retrying += 1
                    failures.add(e, why, final: false)
                case .permanent(let why):
                    e.end(.failed)
                    e.error = why
                    summary.failed += 1
                    failures.add(e, why, final: true)
                }
                after.append(e)
            }
        }
        try store.writeLedger(after)
        Dispatcher.countOutcomes(after)
        failures.log(to: logger)
        progress()
    }
}
