import DutyCalendar
import DutyCore
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Logging

/// The bulletin (通报) on its schedule (the policy's `[bulletin]`): `send_after` after each period
/// ends, every supervising region's bulletin goes to the people `to` names, seen from its committee:
/// a mail of its own with the spreadsheet attached, a journal entry, the hooks that ask for
/// `bulletin`. Ledgered like a step, under `@bulletin/REGION/PERIOD` (no obligation id starts with
/// `@`), so each goes once and a failed delivery is tried again.
extension Dispatcher {
    /// A bulletin whose send time passed this long before the run (dutyd was stopped) is not sent late:
    /// `dutyctl bulletin` still makes it.
    static let bulletinCatchUpDays = 30
    /// Regions delivered per batch of ledger rows.
    static let bulletinRegionsPerBatch = 200

    struct DueBulletin: Equatable {
        var period: String
        var from: CivilDate
        var through: CivilDate
        var at: Instant
    }

    /// The ledger's occurrence for a region's bulletin of a period.
    static func bulletinKey(_ region: String, _ period: String) -> String { "@bulletin/\(region)/\(period)" }

    /// The bulletins whose send time falls in `window` (at most `bulletinCatchUpDays` back): for each
    /// period kind, the latest.
    static func bulletinsDue(_ rule: BulletinRule, in window: Range<Instant>, planner: Planner) -> [DueBulletin] {
        let zone = planner.zone
        let lo = max(window.lowerBound, Instant(seconds: window.upperBound.seconds - bulletinCatchUpDays * 86_400))
        guard lo < window.upperBound else { return [] }
        let first = zone.day(of: lo).adding(days: -(rule.sendAfter.maximumCalendarDays + 40))
        let last = zone.day(of: window.upperBound)
        var out: [DueBulletin] = []
        for kind in rule.periods {
            var best: DueBulletin?
            var (y, m) = (first.year, first.month)
            while (y, m) <= (last.year, last.month) {
                let length: Int? =
                    switch kind {
                    case .year: m == 12 ? 12 : nil
                    case .halfYear: m % 6 == 0 ? 6 : nil
                    case .quarter: m % 3 == 0 ? 3 : nil
                    case .month: 1
                    case .week, .day: nil
                    }
                if let length {
                    let through = CivilDate(year: y, month: m, day: CivilDate.daysInMonth(year: y, month: m))!
                    let from = CivilDate(year: y, month: m - length + 1, day: 1)!
                    let day = rule.sendAfter.after(through, workdays: planner.workdays).date
                    let at = planner.sendTime(on: planner.workdays.shift(day, rule: .nextWorkday).date)
                    if at >= lo && at < window.upperBound {
                        best = DueBulletin(period: kind.label(of: through), from: from, through: through, at: at)
                    }
                }
                (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
            }
            if let best { out.append(best) }
        }
        return out
    }

    /// The notice of one region's bulletin.
    func bulletinNotice(_ b: BulletinRegion, _ due: DueBulletin, now: Instant) -> Notice? {
        guard let rule = planner.policy.bulletin, let r = planner.organisation.index[b.unit] else { return nil }
        func line(_ l: YearReport.Line, unit: String, name: String) -> Notice.Bulletin.Line {
            Notice.Bulletin.Line(
                unit: unit,
                name: name,
                due: l.due,
                late: l.late,
                lateDaysMax: l.late_days_max,
                overdue: l.overdue,
                onTimeRate: l.on_time_rate,
                receiptRate: l.receipt_rate
            )
        }
        var n = Notice(
            occurrence: Self.bulletinKey(b.unit, due.period),
            obligation: "",
            title: "通报",
            article: "",
            unit: b.unit,
            unitName: b.name,
            official: nil,
            officialName: nil,
            period: due.period,
            step: "bulletin",
            event: .bulletin,
            scheduledAt: due.at,
            deadlineDate: due.through,
            deadline: planner.endOfDay(due.through),
            daysLeft: 0,
            provisional: false,
            recipients: planner.recipients(rule.to, from: r).map(planner.noticePerson)
        )
        n.asOf = now
        n.colour = b.late.isEmpty ? .blue : .red
        n.bulletin = Notice.Bulletin(
            region: b.unit,
            regionName: b.name,
            period: due.period,
            from: due.from,
            through: due.through,
            units: b.units,
            late: b.late.map { line($0, unit: $0.unit, name: $0.unit_name) },
            total: line(b.total, unit: b.unit, name: b.name),
            csv: b.csvDocument,
            csvName: "bulletin-\(b.unit)-\(due.period).csv"
        )
        return n
    }

    /// Sends the bulletins due in `window` that the ledger does not have yet.
    func performBulletins(
        _ window: Range<Instant>,
        now: Instant,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        guard let rule = planner.policy.bulletin else { return }
        for due in Self.bulletinsDue(rule, in: window, planner: planner) where !Task.isCancelled {
            let states = try store.ledgerStates(dueIn: due.at..<Instant(seconds: due.at.seconds + 1))
            var regions: [BulletinRegion] = []
            do {
                try planner.eachBulletinRegion(
                    deadlines: due.from,
                    through: due.through,
                    region: nil,
                    at: now,
                    records: records
                ) { regions.append($0) }
            } catch {
                logger.warning("could not make the bulletin of \(due.period): \(error)")
                continue
            }
            var start = 0
            while start < regions.count, !Task.isCancelled {
                let end = min(start + Self.bulletinRegionsPerBatch, regions.count)
                let notices = regions[start..<end].compactMap { bulletinNotice($0, due, now: now) }
                let (items, rows) = bulletinDeliveries(notices, skip: states, started: wall())
                if !rows.allSatisfy(\.isEmpty) {
                    try await send(
                        items,
                        rows: rows,
                        before: rows.flatMap { $0 },
                        wall: wall,
                        progress: progress,
                        summary: &summary
                    )
                }
                start = end
            }
        }
    }

    /// Every channel's deliveries of these notices (per recipient where the channel delivers so),
    /// leaving out those the ledger has (`skip`, by key) or whose row is `retrying` (the retry
    /// itself; its row is handed in).
    func bulletinDeliveries(
        _ notices: [Notice],
        skip: [String: LedgerEntry.State],
        retry: [String: LedgerEntry] = [:],
        started: Instant
    ) -> (items: [[(notification: Notice, recipient: Notice.Person?)]], rows: [[LedgerEntry]]) {
        var items: [[(notification: Notice, recipient: Notice.Person?)]] = Array(repeating: [], count: channels.count)
        var rows: [[LedgerEntry]] = Array(repeating: [], count: channels.count)
        for n in notices {
            for (c, channel) in channels.enumerated() where channel.accepts(.bulletin) {
                let people: [Notice.Person?] = channel.perRecipient ? n.recipients.map { $0 } : [nil]
                for person in people {
                    let key = LedgerEntry.key(
                        occurrence: n.occurrence,
                        step: n.step,
                        recipient: person?.id ?? "*",
                        channel: channel.name
                    )
                    var e: LedgerEntry
                    if let r = retry[key] {
                        e = r
                    } else {
                        guard skip[key] == nil else { continue }
                        e = LedgerEntry(
                            occurrence: n.occurrence,
                            step: n.step,
                            recipient: person?.id ?? "*",
                            channel: channel.name,
                            state: .sending,
                            dueAt: n.scheduledAt
                        )
                    }
                    e.beginAttempt(at: started, until: Instant(seconds: started.seconds + Dispatcher.attemptBound))
                    items[c].append((n, person))
                    rows[c].append(e)
                }
            }
        }
        return (items, rows)
    }

    /// Retries of bulletin deliveries: each region's bulletin made again as things stand now.
    func performBulletinRetries(
        _ retries: [LedgerEntry],
        now: Instant,
        wall: () -> Instant,
        progress: () -> Void,
        summary: inout Summary
    ) async throws(StoreError) {
        var byRegion: [String: [LedgerEntry]] = [:]
        for row in retries { byRegion[row.occurrence, default: []].append(row) }
        var cancelled: [LedgerEntry] = []
        for (occurrence, rows) in byRegion.sorted(by: { $0.key < $1.key }) {
            let parts = occurrence.split(separator: "/").map(String.init)
            var notice: Notice?
            if parts.count == 3, let r = planner.organisation.index[parts[1]],
                let (from, through) = try? Workspace.periodDays(parts[2]), let at = rows.first?.dueAt
            {
                let due = DueBulletin(period: parts[2], from: from, through: through, at: at)
                try? planner.eachBulletinRegion(deadlines: from, through: through, region: r, at: now, records: records)
                {
                    notice = bulletinNotice($0, due, now: now)
                }
            }
            guard let notice else {
                for var e in rows {
                    e.end(.cancelled)
                    e.error = "the region or its bulletin is no longer there"
                    cancelled.append(e)
                }
                continue
            }
            var retry: [String: LedgerEntry] = [:]
            for row in rows { retry[row.key] = row }
            let (items, sending) = bulletinDeliveries([notice], skip: [:], retry: retry, started: wall())
            // Only the rows being retried: a recipient added since gets nothing for an old bulletin.
            let kept = zip(items, sending).map { pair in
                zip(pair.0, pair.1).filter { retry[$0.1.key] != nil }
            }
            let stillThere = Set(kept.flatMap { $0.map(\.1.key) })
            for var e in rows where !stillThere.contains(e.key) {
                e.end(.cancelled)
                e.error = "\(e.recipient) no longer receives this bulletin"
                cancelled.append(e)
            }
            try await send(
                kept.map { $0.map(\.0) },
                rows: kept.map { $0.map(\.1) },
                before: kept.flatMap { $0.map(\.1) },
                wall: wall,
                progress: progress,
                summary: &summary
            )
        }
        try store.writeLedger(cancelled)
        summary.cancelled += cancelled.count
    }
}
