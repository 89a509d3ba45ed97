import DutyCalendar
import DutyCore
import DutyNotify
import DutyStore
import Logging

/// Retries (how often, for how long), failures logged once per channel and reason, rows cut off
/// mid-delivery, and the steps a reload moved before the watermark.
extension Dispatcher {
    /// A transient failure is tried this many times in all (about two days with the backoff below),
    /// then recorded as failed.
    package static let maxAttempts = 16

    /// Seconds before attempt `n + 1`: one minute, doubling, at most six hours.
    package static func backoff(attempt n: Int) -> Int {
        min(60 << min(max(n - 1, 0), 16), 6 * 3600)
    }

    /// Failed deliveries of one chunk, one journal entry per channel, outcome and reason: a mail server
    /// that is down makes one `delivery-failed` entry with a count, not one per official.
    struct Failures {
        struct Key: Hashable {
            var channel: String
            var final: Bool
            var why: String
        }
        var groups: [Key: (first: LedgerEntry, count: Int)] = [:]
        var order: [Key] = []

        mutating func add(_ e: LedgerEntry, _ why: String, final: Bool) {
            let k = Key(channel: e.channel, final: final, why: why)
            if let g = groups[k] {
                groups[k] = (g.first, g.count + 1)
            } else {
                groups[k] = (e, 1)
                order.append(k)
            }
        }

        func log(to logger: Logger) {
            for k in order {
                let (e, n) = groups[k]!
                let what =
                    n == 1
                    ? "\(e.step) of \(e.occurrence) to \(e.recipient)"
                    : "\(n) deliveries (first: \(e.step) of \(e.occurrence) to \(e.recipient))"
                logger.event(
                    .deliveryFailed,
                    "\(k.final ? "could not deliver" : "will retry") \(what) on \(k.channel): \(k.why)",
                    [
                        "DUTY_OCCURRENCE": "\(e.occurrence)", "DUTY_STEP": "\(e.step)", "DUTY_CHANNEL": "\(e.channel)",
                        "DUTY_RECIPIENT": "\(e.recipient)", "DUTY_ATTEMPTS": "\(e.attempts)", "DUTY_COUNT": "\(n)",
                    ]
                )
            }
        }
    }

    /// Rows cut off mid-delivery (`sending`), waiting for a retry whose time has come, and, when no
    /// window was performed (`unfinished`), rows of a batch not finished (`pending`; a window's pass
    /// takes them into its own batch, so that an address gets one digest).
    func performRetries(
        now: Instant,
        unfinished: Bool,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        let all = try store.ledgerRetries(at: now, pending: unfinished)
        guard !all.isEmpty else { return }
        let bulletins = all.filter { $0.occurrence.hasPrefix("@bulletin/") }
        if !bulletins.isEmpty {
            try await performBulletinRetries(bulletins, now: now, wall: wall, progress: progress, summary: &summary)
        }
        let rows = all.filter { !$0.occurrence.hasPrefix("@bulletin/") }
        guard !rows.isEmpty else { return }
        let pending = try deliveries(of: rows, summary: &summary)
        try await deliverAll(pending, now: now, wall: wall, progress: progress, summary: &summary)
    }

    /// The deliveries that ledger rows still ask for, as things stand now; rows whose duty was
    /// completed or waived, or that are no longer planned or addressed, are ledgered `cancelled`.
    func deliveries(of rows: [LedgerEntry], summary: inout Summary) throws(StoreError) -> [Pending] {
        var pending: [Pending] = []
        var cancelled: [LedgerEntry] = []
        for row in rows {
            guard let c = channels.firstIndex(where: { $0.name == row.channel }),
                let id = OccurrenceID(row.occurrence),
                let occurrence = plan.occurrence(id) ?? planner.occurrence(id, records: records)
            else {
                var e = row
                e.end(.cancelled)
                e.error = "no longer in the policy or the organisation"
                cancelled.append(e)
                continue
            }
            // An extension notice is delivered as the one step of its deadline (`Timing.announcing`).
            var timing = occurrence.timing
            if let n = timing.notices.firstIndex(where: { $0.name == row.step }) { timing = timing.announcing(n) }
            guard let k = timing.steps.firstIndex(where: { $0.name == row.step }) else {
                var e = row
                e.end(.cancelled)
                e.error = "no longer planned (the policy, the holidays or an extension moved it)"
                cancelled.append(e)
                continue
            }
            if occurrence.completion != nil || occurrence.waiver != nil {
                var e = row
                e.end(.cancelled)
                e.error = occurrence.completion != nil ? "completed before it could be delivered" : "waived"
                cancelled.append(e)
                continue
            }
            var p = Pending(
                obligation: occurrence.obligation,
                subject: occurrence.subject,
                timing: timing,
                step: k,
                channel: c,
                collapsed: [],
                row: row
            )
            if channels[c].perRecipient {
                guard
                    let person = planner.recipientPeople(
                        obligation: occurrence.obligation,
                        subject: occurrence.subject,
                        timing: timing,
                        step: k
                    ).first(where: { $0.id == row.recipient })
                else {
                    var e = row
                    e.end(.cancelled)
                    e.error = "\(row.recipient) no longer receives this step"
                    cancelled.append(e)
                    continue
                }
                p.recipient = person
                p.digestKey = channels[c].digestKey(person)
            }
            pending.append(p)
        }
        try store.writeLedger(cancelled)
        summary.cancelled += cancelled.count
        return pending
    }

    /// Steps of one occurrence that a reload put before the watermark.
    struct Moved {
        var obligation: Int
        var subject: Int32
        var timing: Timing
        var steps: Range<Int>
    }

    /// The steps before `mark` in `new` that were not before it in `old`: a reload moved them there
    /// (or made them), so no window ever looked at them. Compared by a 64-bit hash of the occurrence
    /// and step name, so a national plan costs a set of integers, not of strings.
    static func moved(from old: Plan, to new: Plan, before mark: Instant) -> [Moved] {
        let past = Instant(microseconds: Int.min / 2)..<mark
        func key(_ p: Plan, _ o: Int, _ s: Int32, _ t: Timing, _ k: Int) -> Int {
            var h = Hasher()
            h.combine(p.planner.policy.obligations[o].id)
            h.combine(p.planner.subjectID(s, obligation: o))
            h.combine(t.period)
            h.combine(t.steps[k].name)
            return h.finalize()
        }
        var before: Set<Int> = []
        old.forEachDue(in: past) { obligation, subject, timing, range in
            for k in range { before.insert(key(old, obligation, subject, timing, k)) }
        }
        var out: [Moved] = []
        new.forEachDue(in: past) { obligation, subject, timing, range in
            let fresh = range.filter { !before.contains(key(new, obligation, subject, timing, $0)) }
            guard let last = fresh.last else { return }
            out.append(
                Moved(obligation: obligation, subject: subject, timing: timing, steps: range.lowerBound..<(last + 1))
            )
        }
        return out
    }
}
